from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    default = True
    name = "liaison.accounts"
    label = "accounts"
    verbose_name = "Accounts"


class LiaisonAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "liaison.accounts.admin_site.LiaisonAdminSite"
