"""Writes and rules of placements. Services take an actor and domain objects, never a request.

Every function does all it is asked or nothing: bad input raises ``ValidationError`` with a
message per field, a missing right ``PermissionDenied`` with the reason, and a placement that
someone else moved in the meantime ``StaleState`` (a ``ValidationError``: "reload and check").

Selection (shortlists, conflicts of interest, scores, decisions) is in ``selection.py``; the
placement's surveys in ``followup.py``; its emails in ``mail.py``.

``transition`` is the one function that moves a placement, in either workflow
(``workflows.MISSION``, ``workflows.LABOUR``): it checks the table and the actor's right,
locks the placement's row, checks that it is still in the state the actor saw, writes the
fields the step asks for, checks the step's requirements, moves it with a conditional update,
writes a ``PlacementTransition`` row and an audit event naming the actor and the reason, runs
the step's follow-up work in the same transaction and sends its messages once it commits.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Mapping
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from liaison.accounts.permissions import check, raise_errors, require
from liaison.audit.models import AuditEvent
from liaison.audit.services import record
from liaison.opportunities.models import Application, Opportunity, PackageItem
from liaison.opportunities.models import Status as OpportunityStatus
from liaison.opportunities.services import short_date
from liaison.placements import followup, mail
from liaison.placements.models import (
    ASSIGNED_STATES,
    ChecklistItem,
    CompensationItem,
    MissionReport,
    Payment,
    Placement,
    PlacementSurvey,
    PlacementTransition,
    Shortlist,
    State,
    Track,
)
from liaison.placements.workflows import WORKFLOWS, Step
from liaison.taxonomy.reference import currency_code

# Opportunities whose candidates may be shortlisted.
SELECTING = (OpportunityStatus.VALIDATED, OpportunityStatus.PUBLISHED, OpportunityStatus.CLOSED)


class StaleState(ValidationError):
    """The placement is no longer in the state the actor saw: someone moved it meanwhile."""


def user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def is_own(actor: Any, placement: Placement) -> bool:
    """Whether ``actor`` is the candidate of ``placement`` (a member acting on their own)."""
    member = placement.member
    return bool(
        member is not None
        and member.user_id is not None
        and member.user_id == getattr(actor, "pk", None)
        and check(actor, "placements.own")
    )


def may_take(actor: Any, step: Step, placement: Placement) -> bool:
    """May ``actor`` take ``step`` on ``placement``, by role and scope (not yet by state)?"""
    if check(actor, step.action, placement):
        return True
    return bool(step.own_action) and is_own(actor, placement)


def step_of(placement: Placement, name: str) -> Step:
    try:
        return WORKFLOWS[placement.track][name]
    except KeyError:
        raise ValidationError(
            _("“%(step)s” is not a step of this workflow.") % {"step": name}
        ) from None


# --- the one transition function ---------------------------------------------------------------


@transaction.atomic
def transition(
    actor: Any,
    placement: Placement,
    step: str,
    *,
    expected_state: str | None = None,
    reason: str = "",
    values: Mapping[str, Any] | None = None,
) -> Placement:
    """Take ``step`` of the placement's workflow. ``expected_state`` is the state the actor saw
    (by default the state of the ``placement`` object given): when the stored placement is no
    longer in it, nothing changes and ``StaleState`` says who moved it. ``values`` holds the
    fields the step asks for (``Step.fields``)."""
    definition = step_of(placement, step)
    locked = (
        Placement.objects.select_for_update(of=("self",))
        .select_related("opportunity", "member")
        .get(pk=placement.pk)
    )
    if not may_take(actor, definition, locked):
        raise PermissionDenied(check(actor, definition.action, locked).reason)
    expected = expected_state or placement.state
    if locked.state != expected:
        raise _stale(locked, expected)
    if locked.state not in definition.sources:
        raise ValidationError(
            _("A placement that is “%(state)s” cannot be moved by “%(step)s”.")
            % {"state": locked.get_state_display(), "step": definition.label},
            code="state",
        )
    reason = reason.strip()
    if definition.needs_reason and not reason:
        raise ValidationError({"reason": [_("Say why: it is recorded with the step.")]})
    changes = _set_fields(locked, definition, values or {})
    for requirement in definition.requires:
        REQUIREMENTS[requirement](locked)
    before = locked.state
    now = timezone.now()
    update: dict[str, Any] = {"state": definition.target, "state_changed_at": now}
    update.update({name: new for name, (_old, new) in changes.items()})
    # The row is locked; the state in the condition also refuses a second move on databases
    # whose locks are coarser (SQLite), should two ever race.
    if Placement.objects.filter(pk=locked.pk, state=before).update(**update) != 1:
        raise _stale(locked, expected)
    locked.state = definition.target
    locked.state_changed_at = now
    PlacementTransition.objects.create(
        placement=locked,
        name=step,
        from_state=before,
        to_state=definition.target,
        actor=user_or_none(actor),
        reason=reason,
    )
    record(
        AuditEvent.Action.UPDATE,
        locked,
        actor=actor,
        changes={
            "state": [before, definition.target],
            **{name: [_plain(old), _plain(new)] for name, (old, new) in changes.items()},
        },
        reason=f"{step}: {reason}" if reason else step,
    )
    for name in definition.then:
        ACTIONS[name](actor, locked)
    for name in definition.notify:
        transaction.on_commit(partial(NOTICES[name], locked.pk), robust=True)
    return locked


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _stale(locked: Placement, expected: str) -> StaleState:
    last = locked.transitions.select_related("actor").order_by("-at", "-pk").first()
    who = str(last.actor) if last is not None and last.actor is not None else _("someone else")
    when = (
        formats.date_format(timezone.localtime(last.at), "SHORT_DATETIME_FORMAT")
        if last is not None
        else ""
    )
    return StaleState(
        _(
            "This placement is now “%(now)s”, not “%(seen)s” as on your page: %(who)s moved it "
            "(%(when)s). Nothing was changed; reload the page and check before acting."
        )
        % {
            "now": locked.get_state_display(),
            "seen": State(expected).label if expected in State.values else expected,
            "who": who,
            "when": when,
        },
        code="stale",
    )


# The fields steps may ask for, what they hold, and the rules between them.
DATE_FIELDS = frozenset({"starts", "ends", "started_on", "ended_on", "departed_on", "returned_on"})
DAY_FIELDS = frozenset({"contract_days", "days_worked"})
NOT_IN_FUTURE = frozenset({"started_on", "ended_on", "departed_on", "returned_on"})
ORDERED = (
    ("starts", "ends"),
    ("started_on", "ended_on"),
    ("departed_on", "returned_on"),
)
SPANS = (("contract_days", "starts", "ends"), ("days_worked", "started_on", "ended_on"))


def _label(name: str) -> str:
    return str(getattr(Placement._meta.get_field(name), "verbose_name", name))


def _set_fields(
    placement: Placement, step: Step, values: Mapping[str, Any]
) -> dict[str, tuple[Any, Any]]:
    """Put the step's fields on ``placement`` (in memory) after checking them; returns
    ``{field: (old, new)}``. Raises ``ValidationError`` by field, leaving nothing changed."""
    errors: dict[str, list[str]] = {}
    given: dict[str, Any] = {}
    for name in step.fields:
        value = values.get(name)
        if value in (None, ""):
            errors.setdefault(name, []).append(
                _("Give the %(field)s for this step.") % {"field": _label(name)}
            )
        elif name in DATE_FIELDS and (
            not isinstance(value, datetime.date) or isinstance(value, datetime.datetime)
        ):
            errors.setdefault(name, []).append(_("“%(value)s” is not a date.") % {"value": value})
        elif name in DAY_FIELDS and (not isinstance(value, int) or isinstance(value, bool)):
            errors.setdefault(name, []).append(
                _("“%(value)s” is not a whole number of days.") % {"value": value}
            )
        elif name in DAY_FIELDS and value < 1:
            errors.setdefault(name, []).append(
                _("The number of days must be 1 or more (not %(value)s).") % {"value": value}
            )
        else:
            given[name] = value
    raise_errors(errors)
    old = {name: getattr(placement, name) for name in given}
    for name, value in given.items():
        setattr(placement, name, value)
    problems = check_dates(placement, set(given))
    if problems:
        for name, value in old.items():
            setattr(placement, name, value)
        raise_errors(problems)
    return {name: (old[name], given[name]) for name in given}


def check_dates(placement: Placement, fields: Collection[str]) -> dict[str, list[str]]:
    """The date rules touching ``fields``: nothing ends before it starts, no event is recorded
    ahead of today, and the days counted fit between their dates."""
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    for name in sorted(set(fields) & NOT_IN_FUTURE):
        value = getattr(placement, name)
        if value is not None and value > today:
            errors.setdefault(name, []).append(
                _("%(field)s cannot be in the future (%(date)s is after today, %(today)s).")
                % {
                    "field": _label(name).capitalize(),
                    "date": short_date(value),
                    "today": short_date(today),
                }
            )
    for first, last in ORDERED:
        if first not in fields and last not in fields:
            continue
        start, end = getattr(placement, first), getattr(placement, last)
        if start is not None and end is not None and end < start:
            errors.setdefault(last, []).append(
                _("%(end_field)s (%(end)s) is before %(start_field)s (%(start)s).")
                % {
                    "end_field": _label(last).capitalize(),
                    "end": short_date(end),
                    "start_field": _label(first),
                    "start": short_date(start),
                }
            )
    for days_field, first, last in SPANS:
        if not {days_field, first, last} & set(fields) or last in errors:
            continue
        days, start, end = (getattr(placement, n) for n in (days_field, first, last))
        if days is not None and start is not None and end is not None:
            span = (end - start).days + 1
            if days > span:
                errors.setdefault(days_field, []).append(
                    _("%(days)s days do not fit in the %(span)s days from %(start)s to %(end)s.")
                    % {
                        "days": days,
                        "span": span,
                        "start": short_date(start),
                        "end": short_date(end),
                    }
                )
    return errors


# --- requirements of steps ---------------------------------------------------------------------


def _on_a_shortlist(placement: Placement) -> None:
    shortlist = placement.shortlist
    if (
        shortlist is None
        or shortlist.status != Shortlist.Status.IN_REVIEW
        or shortlist.opportunity_id != placement.opportunity_id
    ):
        raise ValidationError(
            _("Candidates are shortlisted by sending a shortlist of the opportunity to reviewers."),
            code="requirement",
        )


def _reviews_complete(placement: Placement) -> None:
    shortlist = placement.shortlist
    if shortlist is None or shortlist.status != Shortlist.Status.IN_REVIEW:
        raise ValidationError(
            _("A selection is decided on a shortlist in review."), code="requirement"
        )
    problems = shortlist.missing_reviews([placement])
    if problems:
        raise ValidationError(problems, code="requirement")


def _mission_report(placement: Placement) -> None:
    if not MissionReport.objects.filter(placement=placement).exists():
        raise ValidationError(_("The expert's mission report is missing."), code="requirement")


def _host_evaluation(placement: Placement) -> None:
    if not followup.answered(placement, PlacementSurvey.Kind.HOST_EVALUATION):
        raise ValidationError(
            _("The host institution has not yet answered its evaluation questionnaire."),
            code="requirement",
        )


def _checklist_done(placement: Placement) -> None:
    items = {c.item: c for c in placement.checklist.all()}
    missing = [
        str(label)
        for value, label in ChecklistItem.Item.choices
        if value not in items or items[value].done_on is None
    ]
    problems: list[str] = []
    if missing:
        problems.append(
            _("Before departure, the checklist must be complete; still to do: %(items)s.")
            % {"items": "; ".join(missing)}
        )
    departed = placement.departed_on
    if departed is not None:
        late = [
            f"{c.get_item_display()} ({short_date(c.done_on)})"
            for c in items.values()
            if c.done_on is not None and c.done_on > departed
        ]
        if late:
            problems.append(
                _("These were done after the departure date %(date)s: %(items)s.")
                % {"date": short_date(departed), "items": "; ".join(late)}
            )
    if problems:
        raise ValidationError(problems, code="requirement")


REQUIREMENTS: dict[str, Callable[[Placement], None]] = {
    "on_a_shortlist": _on_a_shortlist,
    "reviews_complete": _reviews_complete,
    "mission_report": _mission_report,
    "host_evaluation": _host_evaluation,
    "checklist_done": _checklist_done,
}


# --- work done with a step, in its transaction; messages sent once it commits ------------------


def _open_checklist(actor: Any, placement: Placement) -> None:
    for item in ChecklistItem.Item.values:
        ChecklistItem.objects.get_or_create(placement=placement, item=item)


def _budget_package(actor: Any, placement: Placement) -> None:
    """Budget the opportunity's package for the placement, nothing paid: an amount paid once as
    it is; one paid per day, month or year for the contract's days or months when the
    placement has them (a mission's contract), else one period's worth, said in the line's
    description. Only into an empty budget, so that a second step like this one, or items the
    officers budgeted themselves, are never doubled. The items are written in bulk (no
    signal), so one audit event says what was budgeted."""
    if placement.compensation.exists():
        return
    package = PackageItem.objects.filter(opportunity_id=placement.opportunity_id).order_by("pk")
    items = []
    for line in package:
        budget, description = _budgeted(line, placement)
        items.append(
            CompensationItem(
                placement=placement,
                kind=line.kind,
                budget=budget,
                currency=line.currency,
                description=description,
                created_by=user_or_none(actor),
            )
        )
    CompensationItem.objects.bulk_create(items)
    if items:
        record(
            AuditEvent.Action.UPDATE,
            placement,
            actor=actor,
            changes={"compensation": [[i.kind, str(i.budget), i.currency] for i in items]},
            reason="package budgeted",
        )


def contract_months(starts: datetime.date, ends: datetime.date) -> int:
    """Calendar months from ``starts`` to ``ends``, a month begun counting whole (15 January
    to 14 March: 2; to 20 March: 3)."""
    months = (ends.year - starts.year) * 12 + ends.month - starts.month
    return max(1, months + (1 if ends.day >= starts.day else 0))


def _budgeted(line: PackageItem, placement: Placement) -> tuple[Decimal, str]:
    """A package line's budget for this placement, and where it came from."""
    Period = PackageItem.Period
    months = (
        contract_months(placement.starts, placement.ends)
        if placement.starts and placement.ends
        else 0
    )
    values: dict[str, Any] = {"amount": line.amount}
    if line.period == Period.ONCE:
        amount, text = line.amount, _("From the package")
    elif line.period == Period.DAY and placement.contract_days:
        values["count"] = placement.contract_days
        amount = line.amount * placement.contract_days
        text = (
            ngettext(
                "From the package: %(count)s day at %(amount)s a day",
                "From the package: %(count)s days at %(amount)s a day",
                placement.contract_days,
            )
            % values
        )
    elif line.period == Period.MONTH and months:
        values["count"] = months
        amount = line.amount * months
        text = (
            ngettext(
                "From the package: %(count)s month at %(amount)s a month",
                "From the package: %(count)s months at %(amount)s a month",
                months,
            )
            % values
        )
    elif line.period == Period.YEAR and months:
        values["count"] = months
        amount = (line.amount * months / 12).quantize(Decimal("0.01"))
        text = (
            ngettext(
                "From the package: %(count)s month of %(amount)s a year",
                "From the package: %(count)s months of %(amount)s a year",
                months,
            )
            % values
        )
    else:
        amount = line.amount
        text = _("From the package, %(period)s (one period's worth)") % {
            "period": line.get_period_display()
        }
    return amount, (f"{text}: {line.note}"[:200] if line.note else text)


ACTIONS: dict[str, Callable[[Any, Placement], None]] = {
    "budget_package": _budget_package,
    "open_checklist": _open_checklist,
    "open_host_evaluation": followup.open_host_evaluation,
    "open_follow_ups": followup.open_follow_ups,
}
NOTICES: dict[str, Callable[[int], None]] = {
    "candidate_selected": mail.candidate_selected,
    "candidate_not_selected": mail.candidate_not_selected,
    "send_due_surveys": mail.surveys_due_for,
}


# --- opening placements -----------------------------------------------------------------------


@transaction.atomic
def open_placement(actor: Any, application: Application) -> Placement:
    """The placement of an application (created in state "applied" if it has none yet)."""
    opportunity = application.opportunity
    require(actor, "placements.manage", opportunity)
    existing = Placement.objects.filter(application=application).first()
    if existing is not None:
        return existing
    if opportunity.status not in SELECTING:
        raise ValidationError(
            _(
                "Candidates are selected for validated or published opportunities; "
                "this one is %(s)s."
            )
            % {"s": opportunity.get_status_display().lower()}
        )
    if application.accepted_at is None:
        raise ValidationError(
            _("%(name)s has not accepted the invitation to apply.")
            % {"name": application.member.display_name}
        )
    member = application.member
    return Placement.objects.create(
        opportunity=opportunity,
        application=application,
        member=member,
        track=Track.LABOUR if opportunity.kind == Opportunity.Kind.JOB_ORDER else Track.MISSION,
        sex=member.sex,
        expert_country=member.country_of_residence,
        created_by=user_or_none(actor),
    )


# --- compensation, report, checklist -----------------------------------------------------------


def _money(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(_("“%(v)s” is not an amount.") % {"v": value})
        return None
    if not amount.is_finite():
        errors.setdefault(field, []).append(_("“%(v)s” is not an amount.") % {"v": value})
        return None
    return amount


def _budget(value: Any, errors: dict[str, list[str]]) -> Decimal | None:
    """A budget: an amount, not negative (None, with the problem in ``errors``, otherwise)."""
    amount = _money(value, "budget", errors)
    if amount is not None and amount < 0:
        errors.setdefault("budget", []).append(
            _("The budget cannot be negative (%(v)s).") % {"v": amount}
        )
        return None
    return amount


def _currency(code: str, field: str, errors: dict[str, list[str]]) -> None:
    try:
        currency_code(code)
    except ValidationError as error:
        errors.setdefault(field, []).extend(error.messages)


@transaction.atomic
def add_compensation(
    actor: Any,
    placement: Placement,
    *,
    kind: str,
    budget: Any,
    currency: str,
    description: str = "",
) -> CompensationItem:
    """Budget one compensation item of a selected (or further) placement."""
    locked = Placement.objects.select_for_update().get(pk=placement.pk)
    require(actor, "placements.manage", locked)
    errors: dict[str, list[str]] = {}
    if locked.state not in ASSIGNED_STATES:
        errors.setdefault("placement", []).append(
            _("Compensation is budgeted for selected candidates; this placement is “%(s)s”.")
            % {"s": locked.get_state_display()}
        )
    if kind not in PackageItem.Kind.values:
        errors.setdefault("kind", []).append(_("Unknown item “%(k)s”.") % {"k": kind})
    amount = _budget(budget, errors)
    _currency(currency, "currency", errors)
    raise_errors(errors)
    assert amount is not None
    item = CompensationItem(
        placement=locked,
        kind=kind,
        budget=amount,
        currency=currency,
        description=description.strip(),
        created_by=user_or_none(actor),
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def revise_compensation(
    actor: Any, item: CompensationItem, *, budget: Any, description: str | None = None
) -> CompensationItem:
    """Correct a budgeted item's amount, and its description when one is given (the audit log
    keeps both figures). Its currency stays: payments are recorded in it. The budget cannot go
    below what was already paid against it."""
    locked = _locked_item(actor, item, "placements.manage")
    errors: dict[str, list[str]] = {}
    amount = _budget(budget, errors)
    already = paid(locked)
    if amount is not None and amount < already:
        errors.setdefault("budget", []).append(
            _(
                "%(paid)s %(currency)s is already paid against this item; the budget cannot be "
                "less (not %(v)s)."
            )
            % {"paid": already, "currency": locked.currency, "v": amount}
        )
    raise_errors(errors)
    assert amount is not None
    locked.budget = amount
    if description is not None:
        locked.description = description.strip()
    locked.full_clean()
    locked.save(update_fields=["budget", "description"])
    return locked


@transaction.atomic
def remove_compensation(actor: Any, item: CompensationItem) -> None:
    """Take an item budgeted by mistake off the budget; one with payments stays (lower its
    budget to what was paid instead)."""
    locked = _locked_item(actor, item, "placements.manage")
    if locked.payments.exists():
        raise ValidationError(
            _(
                "Payments are recorded against this item, so it stays on the budget; lower its "
                "budget to what was paid instead."
            )
        )
    locked.delete()


def _locked_item(actor: Any, item: CompensationItem, action: str) -> CompensationItem:
    """The item, its row locked (a payment and a correction of its budget wait for each
    other), once the actor may do ``action`` on its placement."""
    locked = (
        CompensationItem.objects.select_for_update(of=("self",))
        .select_related("placement")
        .get(pk=item.pk)
    )
    require(actor, action, locked.placement)
    return locked


def paid(item: CompensationItem) -> Decimal:
    """What was paid against ``item``, in cents (a sum read from SQLite may have lost them)."""
    total = item.payments.aggregate(total=Sum("amount"))["total"]
    return Decimal(total or 0).quantize(Decimal("0.01"))


@transaction.atomic
def pay(
    actor: Any,
    item: CompensationItem,
    *,
    amount: Any,
    currency: str,
    paid_on: datetime.date,
    reference: str = "",
) -> Payment:
    """Record money actually paid against a compensation item: in its currency, on a day not
    after today, and not beyond what is left of its budget."""
    locked = _locked_item(actor, item, "placements.pay")
    errors: dict[str, list[str]] = {}
    value = _money(amount, "amount", errors)
    if value is not None and value <= 0:
        errors.setdefault("amount", []).append(
            _("A payment is more than zero (not %(v)s).") % {"v": value}
        )
    _currency(currency, "currency", errors)
    if not errors.get("currency") and currency != locked.currency:
        errors.setdefault("currency", []).append(
            _("This item is budgeted in %(item)s; record the payment in %(item)s, not %(paid)s.")
            % {"item": locked.currency, "paid": currency}
        )
    if not isinstance(paid_on, datetime.date) or isinstance(paid_on, datetime.datetime):
        errors.setdefault("paid_on", []).append(_("Give the day it was paid."))
    elif paid_on > timezone.localdate():
        errors.setdefault("paid_on", []).append(
            _("A payment is recorded once made: %(d)s is in the future.")
            % {"d": short_date(paid_on)}
        )
    if value is not None and value > 0 and not errors.get("currency"):
        left = locked.budget - paid(locked)
        if value > left:
            errors.setdefault("amount", []).append(
                _("%(v)s %(c)s is more than is left of the budget (%(left)s %(c)s of %(b)s).")
                % {"v": value, "c": locked.currency, "left": left, "b": locked.budget}
            )
    raise_errors(errors)
    assert value is not None
    payment = Payment(
        item=locked,
        amount=value,
        currency=currency,
        paid_on=paid_on,
        reference=reference.strip(),
        recorded_by=user_or_none(actor),
    )
    payment.full_clean()
    payment.save()
    return payment


REPORTABLE = (State.ON_ASSIGNMENT, State.COMPLETED)


@transaction.atomic
def submit_report(
    actor: Any,
    placement: Placement,
    *,
    activities: str,
    results: str,
    recommendations: str = "",
) -> MissionReport:
    """The expert (or an officer for them) writes or corrects the mission report, during the
    mission or once it is completed (until it is closed as evaluated)."""
    locked = (
        Placement.objects.select_for_update(of=("self",))
        .select_related("member")
        .get(pk=placement.pk)
    )
    if not (check(actor, "placements.manage", locked) or is_own(actor, locked)):
        raise PermissionDenied(_("Only the expert and the programme's officers write the report."))
    if locked.track != Track.MISSION:
        raise ValidationError(_("Mission reports are written for missions only."))
    if locked.state not in REPORTABLE:
        raise ValidationError(
            _("The report is written during or after the mission; this placement is “%(s)s”.")
            % {"s": locked.get_state_display()}
        )
    report = MissionReport.objects.filter(placement=locked).first() or MissionReport(
        placement=locked
    )
    report.activities = activities.strip()
    report.results = results.strip()
    report.recommendations = recommendations.strip()
    report.submitted_by = user_or_none(actor)
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def tick(
    actor: Any,
    placement: Placement,
    item: str,
    *,
    done_on: datetime.date | None,
    note: str = "",
) -> ChecklistItem:
    """Record (or, with ``done_on=None``, undo) one step of the pre-departure checklist."""
    locked = Placement.objects.select_for_update().get(pk=placement.pk)
    require(actor, "placements.manage", locked)
    if locked.state != State.PRE_DEPARTURE:
        raise ValidationError(
            _("The checklist is kept while the departure is prepared; this placement is “%(s)s”.")
            % {"s": locked.get_state_display()}
        )
    if item not in ChecklistItem.Item.values:
        raise ValidationError({"item": [_("Unknown checklist step “%(i)s”.") % {"i": item}]})
    if done_on is not None and done_on > timezone.localdate():
        raise ValidationError(
            {
                "done_on": [
                    _("%(d)s is in the future: record a step once it is done.")
                    % {"d": short_date(done_on)}
                ]
            }
        )
    row, _created = ChecklistItem.objects.get_or_create(placement=locked, item=item)
    row.done_on = done_on
    row.note = note.strip()
    row.recorded_by = user_or_none(actor)
    row.full_clean()
    row.save()
    return row


# --- what people see -----------------------------------------------------------------------------


def placements_of(actor: Any) -> Any:
    """A member's own placements."""
    return Placement.objects.filter(
        member__user_id=int(getattr(actor, "pk", 0) or 0)
    ).select_related("opportunity__host")


def visible_budget(actor: Any, placement: Placement) -> list[dict[str, Any]] | None:
    """The placement's budget lines for the officers who budget or pay them; None for anyone
    else (a person's pay is not the host institution's business)."""
    if not (
        check(actor, "placements.manage", placement) or check(actor, "placements.pay", placement)
    ):
        return None
    return budget_lines(placement)


def budget_lines(placement: Placement) -> list[dict[str, Any]]:
    """Each compensation item with what was paid and what is left."""
    items = placement.compensation.annotate(paid_total=Sum("payments__amount")).order_by("pk")
    return [
        {
            "item": item,
            "paid": Decimal(item.paid_total or 0),
            "left": item.budget - Decimal(item.paid_total or 0),
        }
        for item in items
    ]
