from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase

from liaison.accounts import permissions

View = Callable[..., HttpResponseBase]


def require(action: str) -> Callable[[View], View]:
    """Let the view run only for users whose roles allow ``action``.

    Visitors are sent to the login page; signed-in users without the role get 403. Object views
    then look their object up through ``permissions.get_visible_or_404``.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            permissions.require(request.user, action)
            return view(request, *args, **kwargs)

        wrapped.required_action = action  # type: ignore[attr-defined]
        return wrapped

    return decorator
