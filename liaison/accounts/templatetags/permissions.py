"""Template face of the permission API: ``{% can "registry.view_member" member as allowed %}``."""

from __future__ import annotations

from typing import Any

from django import template

from liaison.accounts.permissions import check

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context: template.Context, action: str, obj: Any = None) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return bool(check(user, action, obj))
