from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import Http404
from rest_framework.permissions import BasePermission

if TYPE_CHECKING:  # rest_framework.views imports this module through its settings
    from rest_framework.request import Request
    from rest_framework.views import APIView

from liaison.accounts.permissions import check


class RolePermission(BasePermission):
    """DRF face of the permission API.

    A view names its action in ``required_action`` (or ``None`` for public reference data).
    Objects outside the user's scope answer 404, as in the pages.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        action = getattr(view, "required_action", "")
        if action is None:
            return True
        if not action:
            return False  # a view that forgot to say is closed, not open
        decision = check(request.user, action)
        if not decision:
            self.message = decision.reason
        return bool(decision)

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        action = getattr(view, "required_action", "")
        if action is None:
            return True
        if not check(request.user, action, obj):
            raise Http404
        return True
