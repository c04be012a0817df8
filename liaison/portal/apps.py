from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "liaison.portal"
    label = "portal"
    verbose_name = "Portal"
