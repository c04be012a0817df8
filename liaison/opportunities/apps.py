from django.apps import AppConfig


class OpportunitiesConfig(AppConfig):
    name = "liaison.opportunities"
    label = "opportunities"
    verbose_name = "Opportunities"
