from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "liaison.insights"
    label = "insights"
    verbose_name = "Insights"
