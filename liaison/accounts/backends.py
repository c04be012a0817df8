from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend

from liaison.accounts.permissions import check


class RolePermissionBackend(BaseBackend):
    """Gives administrators Django's model permissions, so the admin site follows role grants."""

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return bool(user_obj.is_active and check(user_obj, "admin.site"))

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return bool(user_obj.is_active and check(user_obj, "admin.site"))
