"""The one permission API, used by views, templates and the API alike.

An *action* ("registry.view_member") is allowed to a set of roles. A user may take an action on
an object when one of their grants for an allowed role covers one of the object's scopes
(a grant for everywhere covers all). Models that are scoped say how in
``permission_scope_fields``: a mapping from scope kind to the lookup holding that scope's value,
for example ``{"country": "country_of_residence"}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from liaison.accounts.roles import BACK_OFFICE_ROLES, STAFF_ROLES, Role, ScopeKind
from liaison.core.models import TaskProgress

M = TypeVar("M", bound=Model)

# Which roles may take which action. Scopes narrow this further for objects.
RULES: dict[str, frozenset[str]] = {
    "member_area.view": frozenset({Role.MEMBER}),
    "backoffice.view": BACK_OFFICE_ROLES,
    "registry.view_member": frozenset(
        {Role.PROGRAMME_OFFICER, Role.CONSULAR_OFFICER, Role.ADMINISTRATOR}
    ),
    "registry.edit_member": frozenset(
        {Role.PROGRAMME_OFFICER, Role.CONSULAR_OFFICER, Role.ADMINISTRATOR}
    ),
    "registry.merge_member": frozenset(
        {Role.PROGRAMME_OFFICER, Role.CONSULAR_OFFICER, Role.ADMINISTRATOR}
    ),
    "registry.import_member": frozenset(
        {Role.PROGRAMME_OFFICER, Role.CONSULAR_OFFICER, Role.ADMINISTRATOR}
    ),
    "registry.export_member": frozenset(
        {Role.PROGRAMME_OFFICER, Role.CONSULAR_OFFICER, Role.ADMINISTRATOR}
    ),
    # Residence status and identity documents: consular work only.
    "registry.view_sensitive": frozenset({Role.CONSULAR_OFFICER, Role.ADMINISTRATOR}),
    "registry.view_organisation": frozenset(
        {Role.PROGRAMME_OFFICER, Role.CONSULAR_OFFICER, Role.ADMINISTRATOR}
    ),
    # Create organisations, correct their profiles and record who belongs to them.
    "registry.edit_organisation": frozenset(
        {Role.PROGRAMME_OFFICER, Role.CONSULAR_OFFICER, Role.ADMINISTRATOR}
    ),
    "registry.verify_organisation": frozenset(
        {Role.PROGRAMME_OFFICER, Role.CONSULAR_OFFICER, Role.ADMINISTRATOR}
    ),
    # Questionnaires: upload XLSForm workbooks and read their questions.
    "surveys.manage": frozenset({Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}),
    "insights.view": frozenset({Role.ANALYST, Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}),
    # Opportunities: host focal points draft and submit their institution's needs and job
    # orders; officers also validate, return, close and cancel them, run programmes, agreements
    # and quotas, publish, and invite members; members apply.
    "opportunities.view": frozenset(
        {Role.HOST_FOCAL_POINT, Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}
    ),
    "opportunities.edit": frozenset(
        {Role.HOST_FOCAL_POINT, Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}
    ),
    "opportunities.manage": frozenset({Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}),
    "opportunities.publish": frozenset({Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}),
    "opportunities.invite": frozenset({Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}),
    "opportunities.apply": frozenset({Role.MEMBER}),
    # Rankings of members for an opportunity (with each score's explanation), and of
    # opportunities for a member: officers, and host focal points for their institution's.
    "matching.view": frozenset({Role.HOST_FOCAL_POINT, Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}),
    # Placements: officers run selection and assignments and record payments; host focal
    # points see their institution's placements, review shortlists sent to them and confirm
    # an expert's start and end; committee reviewers (grants for a programme or everywhere)
    # score the shortlists they sit on; candidates withdraw and report on their own.
    "placements.view": frozenset(
        {Role.HOST_FOCAL_POINT, Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}
    ),
    "placements.manage": frozenset({Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}),
    "placements.decide": frozenset({Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}),
    "placements.confirm": frozenset(
        {Role.HOST_FOCAL_POINT, Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}
    ),
    "placements.pay": frozenset({Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}),
    "placements.review": frozenset({Role.REVIEWER, Role.HOST_FOCAL_POINT}),
    "placements.own": frozenset({Role.MEMBER}),
    "placements.dashboard": frozenset({Role.ANALYST, Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}),
    # Remittance prices: analysts and officers read the indices and the observations behind
    # them; officers enter, import and verify prices and keep the list of providers. The
    # calculator is public.
    "remittances.view": frozenset({Role.ANALYST, Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}),
    "remittances.manage": frozenset({Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}),
    "taxonomy.manage": frozenset({Role.ADMINISTRATOR}),
    "audit.view": frozenset({Role.ADMINISTRATOR}),
    "accounts.manage": frozenset({Role.ADMINISTRATOR}),
    "admin.site": frozenset({Role.ADMINISTRATOR}),
    "tasks.view_any": frozenset({Role.ADMINISTRATOR}),
}


@dataclass(frozen=True)
class Grant:
    role: str
    scope_kind: str
    scope_value: str


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


def grants_of(user: Any) -> list[Grant]:
    """The user's active grants, loaded once per user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached: list[Grant] | None = getattr(user, "_liaison_grants", None)
    if cached is None:
        from liaison.accounts.models import RoleGrant

        cached = [
            Grant(g.role, g.scope_kind, g.scope_value)
            for g in RoleGrant.objects.active().filter(user_id=user.pk)
        ]
        user._liaison_grants = cached
    return cached


def forget_grants(user: Any) -> None:
    if hasattr(user, "_liaison_grants"):
        del user._liaison_grants


def roles_of(user: Any) -> set[str]:
    return {g.role for g in grants_of(user)}


def is_staff(user: Any) -> bool:
    return bool(roles_of(user) & STAFF_ROLES)


def _grants_for(user: Any, action: str) -> list[Grant]:
    try:
        allowed_roles = RULES[action]
    except KeyError:
        raise KeyError(f"Unknown permission action {action!r}; add it to RULES.") from None
    return [g for g in grants_of(user) if g.role in allowed_roles]


def object_scopes(obj: Any) -> dict[str, set[str]]:
    """The scopes an object belongs to, read through its ``permission_scope_fields``."""
    fields: dict[str, str] = getattr(obj, "permission_scope_fields", {})
    scopes: dict[str, set[str]] = {}
    for kind, lookup in fields.items():
        value: Any = obj
        for part in lookup.split("__"):
            value = getattr(value, part, None)
            if value is None:
                break
        if value is None:
            continue
        if hasattr(value, "all"):  # a many-to-many or reverse relation
            scopes[kind] = {str(v.pk) for v in value.all()}
        else:
            scopes[kind] = {str(getattr(value, "code", value))}
    return scopes


def check(user: Any, action: str, obj: Any = None) -> Decision:
    """May ``user`` take ``action`` (on ``obj``)? Returns the decision and its reason."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Decision(False, _("Sign in first."))
    grants = _grants_for(user, action)
    if not grants:
        return Decision(False, _("Your roles do not include this."))
    if obj is None:
        return Decision(True, _("Granted by role."))
    if any(g.scope_kind == ScopeKind.GLOBAL for g in grants):
        return Decision(True, _("Granted everywhere."))
    scopes = object_scopes(obj)
    for g in grants:
        if g.scope_value in scopes.get(g.scope_kind, set()):
            return Decision(True, _("Granted for this %(scope)s.") % {"scope": g.scope_kind})
    return Decision(False, _("This record is outside your scope."))


def require(user: Any, action: str, obj: Any = None) -> None:
    """``check`` for services: raise ``PermissionDenied`` with the reason when refused."""
    decision = check(user, action, obj)
    if not decision:
        raise PermissionDenied(decision.reason)


def raise_errors(errors: dict[str, list[str]]) -> None:
    """Raise a service's collected problems, by field, as one ``ValidationError`` (none: no
    error), so that a form or the API shows every problem at once."""
    problems = {field: messages for field, messages in errors.items() if messages}
    if problems:
        raise ValidationError(problems)


def scope_q(user: Any, action: str, model: type[Model]) -> Q | None:
    """A filter selecting the rows of ``model`` the user may act on; None means every row."""
    grants = _grants_for(user, action)
    if any(g.scope_kind == ScopeKind.GLOBAL for g in grants):
        return None
    fields: dict[str, str] = getattr(model, "permission_scope_fields", {})
    by_kind: dict[str, set[str]] = {}
    for g in grants:
        if g.scope_kind in fields:
            by_kind.setdefault(g.scope_kind, set()).add(g.scope_value)
    q = Q(pk__in=[])
    for kind, values in by_kind.items():
        fitting = _fitting(model, fields[kind], values)
        if fitting:
            q |= Q(**{f"{fields[kind]}__in": sorted(fitting)})
    return q


def _fitting(model: type[Model], lookup: str, values: set[str]) -> set[str]:
    """The scope values the lookup's field can hold: a grant naming an institution by a slug
    selects nothing in a numeric column, rather than failing the whole query."""
    field: Any = None
    current: Any = model
    for part in lookup.split("__"):
        if current is None:
            return values
        try:
            field = current._meta.get_field(part)
        except Exception:  # not a plain field path (a transform): let the database decide
            return values
        current = field.related_model
    if field is None:
        return values
    target = field.target_field if field.is_relation and field.many_to_one else field
    fitting = set()
    for value in values:
        try:
            target.to_python(value)
        except (ValidationError, ValueError, TypeError):
            continue
        fitting.add(value)
    return fitting


def visible(user: Any, action: str, queryset: QuerySet[M]) -> QuerySet[M]:
    """Narrow ``queryset`` to what ``user`` may act on (empty when they may not at all)."""
    if not check(user, action):
        return queryset.none()
    q = scope_q(user, action, queryset.model)
    return queryset if q is None else queryset.filter(q)


def get_visible_or_404(user: Any, action: str, queryset: QuerySet[M], **lookup: Any) -> M:
    """The object, or 404 when it does not exist *or* lies outside the user's scope."""
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return visible(user, action, queryset).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404(_("No such record.")) from None


def visible_task_or_404(user: Any, pk: Any, **result: Any) -> TaskProgress:
    """A background task's progress row, for the user who started it or one who may see every
    task (``tasks.view_any``: an administrator); 404 for anyone else, and when the row's
    ``result`` does not hold each of ``result``'s items (the kind of task, its wave ...)."""
    task = TaskProgress.objects.filter(pk=pk).first()
    if (
        task is None
        or any(task.result.get(key) != value for key, value in result.items())
        or (task.owner_id != user.pk and not check(user, "tasks.view_any"))
    ):
        raise Http404(_("No such record."))
    return task
