from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemittancesConfig(AppConfig):
    name = "liaison.remittances"
    label = "remittances"
    verbose_name = _("Remittance prices")
