"""Log every create, update and delete of a domain record, and every sign-in.

Auditing is a cross-cutting record of what happened, not a business effect, so it hooks into the
model signals of the domain apps: no service can forget it. Bulk writes (which send no signals)
log one summary event through ``services.record`` themselves.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth import signals as auth_signals
from django.db.models import Model
from django.db.models.signals import post_delete, post_save, pre_save
from django.http import HttpRequest

from liaison.audit.models import AuditEvent
from liaison.audit.services import REDACTED, record
from liaison.core.fields import EncryptedTextField

# Apps whose models are domain records. Bulk loads (the ESCO import, demo data) send no model
# signals and log one event per run instead.
AUDITED_APPS = frozenset(
    {
        "accounts",
        "registry",
        "surveys",
        "opportunities",
        "matching",
        "placements",
        "remittances",
        "grants",
        "outreach",
        "crisis",
        "insights",
        "taxonomy",
        "mfa",
        "account",
    }
)
# Third-party models holding contact details: logged by field name only, like the registry's.
NAMES_ONLY = frozenset({"account.emailaddress"})
NEVER_STORED = frozenset({"password", "secret", "data"})
NOT_WORTH_A_LINE = frozenset({"last_login", "updated_at", "modified_at", "search_text"})


def _audited(sender: type[Model]) -> bool:
    if sender._meta.apps is not global_apps:  # a historical model inside a migration
        return False
    return sender._meta.app_label in AUDITED_APPS and not getattr(sender, "audit_skip", False)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return REDACTED
    if isinstance(value, list | tuple | dict | str | int | float | bool) or value is None:
        return value
    return str(value)


def _names_only(sender: type[Model]) -> bool:
    """Personal records: the log names the fields that changed, never their values."""
    return not getattr(sender, "audit_values", True) or sender._meta.label_lower in NAMES_ONLY


def _same(field: Any, old: Any, new: Any) -> bool:
    """Equal as stored? (A multiple-country field reads back as a list, is written as text.)"""
    if old == new:
        return True
    if isinstance(field, EncryptedTextField):  # its stored form differs on every write
        return False
    try:
        return bool(field.get_prep_value(old) == field.get_prep_value(new))
    except (TypeError, ValueError):
        return False


def _redacted_fields(sender: type[Model]) -> set[str]:
    return set(getattr(sender, "audit_redact", ())) | NEVER_STORED


def _snapshot(instance: Model) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _before_save(sender: type[Model], instance: Model, raw: bool = False, **_: Any) -> None:
    if raw or not _audited(sender) or instance._state.adding or instance.pk is None:
        return
    attnames = [f.attname for f in sender._meta.concrete_fields]
    instance._audit_before = (  # type: ignore[attr-defined]
        sender._base_manager.using(instance._state.db or "default")
        .filter(pk=instance.pk)
        .values(*attnames)
        .first()
    )


def _after_save(
    sender: type[Model], instance: Model, created: bool, raw: bool = False, **_: Any
) -> None:
    if raw or not _audited(sender):
        return
    redacted = _redacted_fields(sender)
    names_only = _names_only(sender)
    after = _snapshot(instance)
    before: dict[str, Any] | None = getattr(instance, "_audit_before", None)
    changes: dict[str, Any] = {}
    fields = {f.attname: f for f in sender._meta.concrete_fields}
    for name, new in after.items():
        old = None if created or before is None else before.get(name)
        if not created and _same(fields[name], old, new):
            continue
        if name in NOT_WORTH_A_LINE:
            continue
        if name in redacted or names_only:
            changes[name] = REDACTED if created else [REDACTED, REDACTED]
        else:
            changes[name] = _plain(new) if created else [_plain(old), _plain(new)]
    if not created and not changes:
        return
    record(
        AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        instance,
        changes=changes,
        object_repr=f"{sender._meta.verbose_name} #{instance.pk}" if names_only else None,
    )


def _after_delete(sender: type[Model], instance: Model, **_: Any) -> None:
    if _audited(sender):
        label = f"{sender._meta.verbose_name} #{instance.pk}" if _names_only(sender) else None
        record(AuditEvent.Action.DELETE, instance, object_repr=label)


def _logged_in(sender: Any, request: HttpRequest, user: Any, **_: Any) -> None:
    record(AuditEvent.Action.LOGIN, user, actor=user)


def _logged_out(sender: Any, request: HttpRequest, user: Any, **_: Any) -> None:
    if user is not None:
        record(AuditEvent.Action.LOGOUT, user, actor=user)


def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **_: Any) -> None:
    attempted = str(credentials.get("email") or credentials.get("username") or "")[:200]
    record(AuditEvent.Action.LOGIN_FAILED, None, actor=None, object_repr=attempted)


def connect() -> None:
    pre_save.connect(_before_save, dispatch_uid="audit_before_save")
    post_save.connect(_after_save, dispatch_uid="audit_after_save")
    post_delete.connect(_after_delete, dispatch_uid="audit_after_delete")
    auth_signals.user_logged_in.connect(_logged_in, dispatch_uid="audit_logged_in")
    auth_signals.user_logged_out.connect(_logged_out, dispatch_uid="audit_logged_out")
    auth_signals.user_login_failed.connect(_login_failed, dispatch_uid="audit_login_failed")
