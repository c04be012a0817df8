"""Writes about accounts and roles. Services take an actor, never a request."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from liaison.accounts.models import RoleGrant, User
from liaison.accounts.permissions import forget_grants
from liaison.accounts.roles import Role, ScopeKind


def grant_member_role(user: User) -> RoleGrant:
    grant, _ = RoleGrant.objects.get_or_create(
        user=user, role=Role.MEMBER, scope_kind=ScopeKind.GLOBAL, scope_value=""
    )
    forget_grants(user)
    return grant


@transaction.atomic
def grant_role(
    actor: Any,
    user: User,
    role: str,
    scope_kind: str = ScopeKind.GLOBAL,
    scope_value: str = "",
    valid_until: datetime.date | None = None,
) -> RoleGrant:
    grant = RoleGrant(
        user=user,
        role=role,
        scope_kind=scope_kind,
        scope_value=scope_value,
        valid_until=valid_until,
        granted_by=actor if getattr(actor, "pk", None) else None,
    )
    grant.full_clean()
    grant.save()
    forget_grants(user)
    return grant
