"""The two placement workflows as data: which step leads from which states to which, who may
take it, what it asks for and what follows. ``services.transition`` is the one function that
performs a step of either table.

Mission (a host institution's need)::

    applied ─shortlist─► shortlisted ─select─► selected ─contract─► contracted ─start─►
        on_assignment ─complete─► completed ─evaluate─► evaluated
    shortlisted ─not_select─► not_selected
    withdraw (the candidate, or an officer for them): applied … contracted ─► withdrawn
    cancel (an officer): applied … on_assignment ─► cancelled

Labour (an employer's job order under a labour agreement)::

    applied ─shortlist─► shortlisted ─select─► selected ─prepare─► pre_departure
        ─depart─► departed ─return─► returned
    shortlisted ─not_select─► not_selected
    withdraw: applied … pre_departure ─► withdrawn;  cancel: applied … pre_departure ─► cancelled

A step names:

- ``action``: the permission (``accounts.permissions.RULES``) an actor needs on the placement;
  ``own_action``, when set, lets the candidate take the step on their own placement.
- ``fields``: what the actor must give (dates, days), written to the placement with the step.
- ``requires``: named checks on the placement's records (see ``services.REQUIREMENTS``).
- ``then``: named work done in the same transaction (see ``services.ACTIONS``).
- ``notify``: named messages sent once the transaction commits (see ``services.NOTICES``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from liaison.placements.models import State, Track


@dataclass(frozen=True)
class Step:
    name: str
    label: str | Promise
    sources: frozenset[str]
    target: str
    action: str
    own_action: str = ""
    needs_reason: bool = False
    fields: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    then: tuple[str, ...] = ()
    notify: tuple[str, ...] = ()


def _table(*steps: Step) -> dict[str, Step]:
    return {step.name: step for step in steps}


S = State

MISSION: dict[str, Step] = _table(
    Step(
        "shortlist",
        _("Shortlist"),
        frozenset({S.APPLIED}),
        S.SHORTLISTED,
        "placements.manage",
        requires=("on_a_shortlist",),
    ),
    Step(
        "select",
        _("Select"),
        frozenset({S.SHORTLISTED}),
        S.SELECTED,
        "placements.decide",
        requires=("reviews_complete",),
        notify=("candidate_selected",),
    ),
    Step(
        "not_select",
        _("Do not select"),
        frozenset({S.SHORTLISTED}),
        S.NOT_SELECTED,
        "placements.decide",
        requires=("reviews_complete",),
        notify=("candidate_not_selected",),
    ),
    Step(
        "contract",
        _("Record the contract"),
        frozenset({S.SELECTED}),
        S.CONTRACTED,
        "placements.manage",
        fields=("starts", "ends", "contract_days"),
        then=("budget_package",),
    ),
    Step(
        "start",
        _("Confirm the start"),
        frozenset({S.CONTRACTED}),
        S.ON_ASSIGNMENT,
        "placements.confirm",
        fields=("started_on",),
    ),
    Step(
        "complete",
        _("Confirm the end"),
        frozenset({S.ON_ASSIGNMENT}),
        S.COMPLETED,
        "placements.confirm",
        fields=("ended_on", "days_worked"),
        then=("open_host_evaluation", "open_follow_ups"),
        notify=("send_due_surveys",),
    ),
    Step(
        "evaluate",
        _("Close as evaluated"),
        frozenset({S.COMPLETED}),
        S.EVALUATED,
        "placements.manage",
        requires=("mission_report", "host_evaluation"),
    ),
    Step(
        "withdraw",
        _("Withdraw"),
        frozenset({S.APPLIED, S.SHORTLISTED, S.SELECTED, S.CONTRACTED}),
        S.WITHDRAWN,
        "placements.manage",
        own_action="placements.own",
        needs_reason=True,
    ),
    Step(
        "cancel",
        _("Cancel"),
        frozenset({S.APPLIED, S.SHORTLISTED, S.SELECTED, S.CONTRACTED, S.ON_ASSIGNMENT}),
        S.CANCELLED,
        "placements.manage",
        needs_reason=True,
    ),
)

LABOUR: dict[str, Step] = _table(
    Step(
        "shortlist",
        _("Shortlist"),
        frozenset({S.APPLIED}),
        S.SHORTLISTED,
        "placements.manage",
        requires=("on_a_shortlist",),
    ),
    Step(
        "select",
        _("Select"),
        frozenset({S.SHORTLISTED}),
        S.SELECTED,
        "placements.decide",
        requires=("reviews_complete",),
        notify=("candidate_selected",),
    ),
    Step(
        "not_select",
        _("Do not select"),
        frozenset({S.SHORTLISTED}),
        S.NOT_SELECTED,
        "placements.decide",
        requires=("reviews_complete",),
        notify=("candidate_not_selected",),
    ),
    Step(
        "prepare",
        _("Start the pre-departure checklist"),
        frozenset({S.SELECTED}),
        S.PRE_DEPARTURE,
        "placements.manage",
        then=("open_checklist", "budget_package"),
    ),
    Step(
        "depart",
        _("Record the departure"),
        frozenset({S.PRE_DEPARTURE}),
        S.DEPARTED,
        "placements.manage",
        fields=("departed_on",),
        requires=("checklist_done",),
    ),
    Step(
        "return",
        _("Record the return"),
        frozenset({S.DEPARTED}),
        S.RETURNED,
        "placements.manage",
        fields=("returned_on",),
        then=("open_follow_ups",),
    ),
    Step(
        "withdraw",
        _("Withdraw"),
        frozenset({S.APPLIED, S.SHORTLISTED, S.SELECTED, S.PRE_DEPARTURE}),
        S.WITHDRAWN,
        "placements.manage",
        own_action="placements.own",
        needs_reason=True,
    ),
    Step(
        "cancel",
        _("Cancel"),
        frozenset({S.APPLIED, S.SHORTLISTED, S.SELECTED, S.PRE_DEPARTURE}),
        S.CANCELLED,
        "placements.manage",
        needs_reason=True,
    ),
)

WORKFLOWS: dict[str, dict[str, Step]] = {Track.MISSION: MISSION, Track.LABOUR: LABOUR}

# The states each workflow can reach, in the order a placement goes through them.
STATES: dict[str, tuple[str, ...]] = {
    Track.MISSION: (
        S.APPLIED,
        S.SHORTLISTED,
        S.SELECTED,
        S.CONTRACTED,
        S.ON_ASSIGNMENT,
        S.COMPLETED,
        S.EVALUATED,
        S.NOT_SELECTED,
        S.WITHDRAWN,
        S.CANCELLED,
    ),
    Track.LABOUR: (
        S.APPLIED,
        S.SHORTLISTED,
        S.SELECTED,
        S.PRE_DEPARTURE,
        S.DEPARTED,
        S.RETURNED,
        S.NOT_SELECTED,
        S.WITHDRAWN,
        S.CANCELLED,
    ),
}


def steps_from(track: str, state: str) -> list[Step]:
    """The steps of ``track``'s workflow that leave ``state``."""
    return [step for step in WORKFLOWS[track].values() if state in step.sources]
