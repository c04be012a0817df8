from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def username_from_request(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The account a login attempt is for, whatever form posted it (allauth posts ``login``)."""
    credentials = credentials or {}
    for key in ("email", "username", "login"):
        value = credentials.get(key)
        if value:
            return str(value).strip().lower()
    if request is not None and request.method == "POST":
        return str(request.POST.get("login") or request.POST.get("username") or "").strip().lower()
    return ""
