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

    @staticmethod
    def _action(request: Request, view: APIView) -> str | None:
        """The view's action for this HTTP method (``required_actions``), else its default."""
        per_method: dict[str, str] = getattr(view, "required_actions", {})
        if request.method in per_method:
            return per_method[request.method]
        action: str | None = getattr(view, "required_action", "")
        return action

    def has_permission(self, request: Request, view: APIView) -> bool:
        action = self._action(request, view)
        if action is None:
            return True
        if not action:
            return False  # a view that forgot to say is closed, not open
        decision = check(request.user, action)
        if not decision:
            self.message = decision.reason
        return bool(decision)

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        action = self._action(request, view)
        if action is None:
            return True
        if not check(request.user, action, obj):
            raise Http404
        return True
