from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "liaison.matching"
    label = "matching"
    verbose_name = "Matching"
