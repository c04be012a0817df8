from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemittancesConfig(AppConfig):
    name = "liaison.remittances"
    label = "remittances"
    verbose_name = _("Remittance prices")

    def ready(self) -> None:
        # The calculator's cached corridor list is forgotten when prices change, in every
        # process (web and task workers).
        from liaison.remittances import calculator  # noqa: F401
