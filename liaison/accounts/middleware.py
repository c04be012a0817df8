from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from liaison.accounts.permissions import is_staff

# Paths a staff user without an authenticator may still open: signing out, setting up MFA,
# changing language, static files and the health check.
_OPEN_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
    "/accounts/email/",
    "/accounts/password/",
    "/accounts/confirm-email/",
    "/i18n/",
    "/static/",
    "/health/",
    "/jsi18n/",
)


def has_totp(user: object) -> bool:
    found: bool = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return found


class StaffMfaRequiredMiddleware:
    """Every staff role works with a second factor: until one is set up, only MFA setup opens."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and is_staff(user)
            and not has_totp(user)
        ):
            message = _(
                "Your role gives access to personal data: set up an authenticator app first."
            )
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=403)
            messages.warning(request, message)
            return redirect("mfa_activate_totp")
        return self.get_response(request)
