from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from liaison.core import context


def client_ip(request: HttpRequest) -> str | None:
    """The client address as the reverse proxy reports it (PROXY_COUNT trusted hops)."""
    hops = int(getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0)
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    if hops and forwarded:
        parts = [p.strip() for p in forwarded.split(",") if p.strip()]
        if len(parts) >= hops:
            return parts[-hops]
    return str(request.META.get("REMOTE_ADDR") or "") or None


class RequestContextMiddleware:
    """Makes the acting user and client address available to audit and logs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The user is resolved lazily: authentication middleware runs after this one.
        ctx = context.ActorContext(
            user=SimpleLazyObject(lambda: getattr(request, "user", None)),
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
            via="api" if request.path.startswith("/api/") else "web",
            request_id=request.META.get("HTTP_X_REQUEST_ID", "")[:64]
            or context.current().request_id,
        )
        token = context.set_for_request(ctx)
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = ctx.request_id
        return response
