"""Who is acting, and from where, for the code that runs during a request or a task.

The request middleware fills it for web requests; management commands and tasks use
``acting_as`` so that audit entries name the person or process behind a change.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ActorContext:
    user: Any = None  # an accounts.User, kept untyped so core imports no app
    ip_address: str | None = None
    user_agent: str = ""
    via: str = "system"  # web, api, command, task, system
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)


_current: ContextVar[ActorContext | None] = ContextVar("liaison_actor", default=None)


def current() -> ActorContext:
    return _current.get() or ActorContext()


@contextlib.contextmanager
def acting_as(
    user: Any = None, *, via: str = "command", ip_address: str | None = None, user_agent: str = ""
) -> Iterator[ActorContext]:
    ctx = ActorContext(user=user, ip_address=ip_address, user_agent=user_agent, via=via)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def set_for_request(ctx: ActorContext) -> Any:
    return _current.set(ctx)


def reset(token: Any) -> None:
    _current.reset(token)
