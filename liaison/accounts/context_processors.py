from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language_bidi

from liaison.accounts.navigation import modules_for
from liaison.accounts.permissions import is_staff, roles_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "nav_modules": modules_for(user),
        "user_roles": roles_of(user),
        "user_is_staff": is_staff(user),
        "LANGUAGE_BIDI": get_language_bidi(),
    }
