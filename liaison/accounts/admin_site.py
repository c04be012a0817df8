from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from liaison.accounts.permissions import check


class LiaisonAdminSite(admin.AdminSite):
    """Django's admin, open to administrators only and signed in through the MFA-aware login."""

    site_header = _("Liaison administration")
    site_title = _("Liaison administration")
    index_title = _("Users, roles and reference data")

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(check(request.user, "admin.site"))

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
        return redirect_to_login(next_url, reverse("account_login"))
