"""Writing the audit log. Every entry names who, when, what, which record and from where."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from liaison.audit.models import AuditEvent
from liaison.core import context

REDACTED = "[redacted]"


def _actor(user: Any) -> tuple[Any, str]:
    """Staff are named by email, for accountability; other people by number only, so that an
    erased account leaves no contact detail in the (unchangeable) log."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None, ""
    return user.pk, str(getattr(user, "audit_label", None) or f"user #{user.pk}")


def record(
    action: str,
    obj: Model | type[Model] | None = None,
    *,
    actor: Any = "current",
    changes: dict[str, Any] | None = None,
    reason: str = "",
    object_repr: str | None = None,
) -> AuditEvent:
    """Append one event. ``actor`` defaults to whoever the current request or task acts for."""
    ctx = context.current()
    user = ctx.user if actor == "current" else actor
    actor_id, actor_label = _actor(user)
    content_type = None
    object_id = ""
    if obj is not None:
        # ``__class__`` sees through lazy wrappers such as request.user.
        model = obj if isinstance(obj, type) else obj.__class__
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        if not isinstance(obj, type):
            object_id = str(obj.pk)
            if object_repr is None:
                object_repr = str(getattr(obj, "audit_label", None) or obj)
    return AuditEvent.objects.create(
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        content_type=content_type,
        object_id=object_id,
        object_repr=(object_repr or "")[:200],
        changes=changes or {},
        reason=reason,
        ip_address=ctx.ip_address,
        user_agent=ctx.user_agent,
        via=ctx.via,
        request_id=ctx.request_id,
    )


def record_view(actor: Any, obj: Model, reason: str = "") -> AuditEvent:
    """Log that a staff user looked at a person's record."""
    return record(AuditEvent.Action.VIEW, obj, actor=actor, reason=reason)


def history(obj: Model) -> Any:
    """The log entries about one record, newest first: its version history."""
    content_type = ContentType.objects.get_for_model(obj.__class__, for_concrete_model=False)
    return AuditEvent.objects.filter(content_type=content_type, object_id=str(obj.pk))
