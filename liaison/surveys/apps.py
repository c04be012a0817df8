from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "liaison.surveys"
    label = "surveys"
    verbose_name = "Surveys"

    def ready(self) -> None:
        from liaison.surveys import signals  # noqa: F401  (erasure reaches survey answers)
