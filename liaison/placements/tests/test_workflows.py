"""The two placement workflows: every transition, for every role; states, dates and races."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from liaison.accounts.permissions import RULES
from liaison.accounts.roles import Role, ScopeKind
from liaison.audit.models import AuditEvent
from liaison.placements import services
from liaison.placements.models import (
    ChecklistItem,
    Placement,
    PlacementTransition,
    State,
    Track,
)
from liaison.placements.tests.conftest import actor_for, arrange, candidate, days_ago, today
from liaison.placements.workflows import LABOUR, MISSION, STATES, WORKFLOWS, steps_from
from tests.factories import user_with_role

TRANSITIONS = [
    (track, step.name, source)
    for track, table in WORKFLOWS.items()
    for step in table.values()
    for source in sorted(step.sources)
]


def _allowed(role: str, track: str, step: str) -> bool:
    definition = WORKFLOWS[track][step]
    if role in RULES[definition.action]:
        return True
    return bool(definition.own_action) and role in RULES[definition.own_action]


def test_each_workflow_reaches_all_its_states_and_every_step_is_walked():
    for track, table in WORKFLOWS.items():
        reached = {State.APPLIED} | {step.target for step in table.values()}
        assert reached == set(STATES[track])
        for step in table.values():
            assert step.sources <= set(STATES[track])
            assert step.action in RULES
            assert not step.own_action or step.own_action in RULES
    assert {t[1] for t in TRANSITIONS} == set(MISSION) | set(LABOUR)
    assert len(TRANSITIONS) == 30


@pytest.mark.django_db
@pytest.mark.parametrize(("track", "step", "source"), TRANSITIONS)
def test_every_transition_is_allowed_to_exactly_the_roles_of_its_table_row(track, step, source):
    definition = WORKFLOWS[track][step]
    outcomes = {}
    for role in Role.values:
        placement, values = arrange(track, step, source)
        actor = actor_for(role, placement)
        before = PlacementTransition.objects.filter(placement=placement).count()
        try:
            moved = services.transition(
                actor, placement, step, expected_state=source, reason="Because.", values=values
            )
        except PermissionDenied:
            outcomes[role] = False
            placement.refresh_from_db()
            assert placement.state == source
            assert PlacementTransition.objects.filter(placement=placement).count() == before
            continue
        outcomes[role] = True
        assert moved.state == definition.target
        placement.refresh_from_db()
        assert placement.state == definition.target
        row = PlacementTransition.objects.filter(placement=placement).latest("pk")
        assert (row.name, row.from_state, row.to_state, row.actor) == (
            step,
            source,
            definition.target,
            actor,
        )
        assert row.at is not None
        event = AuditEvent.objects.filter(object_id=str(placement.pk), actor=actor).latest("pk")
        assert event.changes["state"] == [source, definition.target]
        for name, value in values.items():
            assert getattr(placement, name) == value
    expected = {role: _allowed(role, track, step) for role in Role.values}
    assert outcomes == expected


@pytest.mark.django_db
def test_a_member_withdraws_only_their_own_placement():
    mine = candidate()
    theirs = candidate()
    me = mine.member.user
    with pytest.raises(PermissionDenied):
        services.transition(me, theirs, "withdraw", reason="Not for me")
    services.transition(me, mine, "withdraw", reason="Found another job")
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.state, theirs.state) == (State.WITHDRAWN, State.APPLIED)


@pytest.mark.django_db
def test_officers_and_focal_points_outside_the_scope_cannot_move_a_placement():
    placement, values = arrange(Track.MISSION, "start", State.CONTRACTED)
    elsewhere = user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "DE")
    other_host = user_with_role(Role.HOST_FOCAL_POINT, ScopeKind.INSTITUTION, "999999")
    for outsider in (elsewhere, other_host):
        with pytest.raises(PermissionDenied):
            services.transition(outsider, placement, "start", values=values)
    placement.refresh_from_db()
    assert placement.state == State.CONTRACTED
    assert not placement.transitions.exists()


@pytest.mark.django_db
def test_a_step_from_a_state_it_does_not_leave_is_refused_with_the_state_named():
    placement = candidate()
    officer = actor_for(Role.PROGRAMME_OFFICER, placement)
    with pytest.raises(ValidationError) as err:
        services.transition(officer, placement, "complete", values={"ended_on": today()})
    assert "“Applied”" in err.value.messages[0] and "Confirm the end" in err.value.messages[0]
    with pytest.raises(ValidationError, match="not a step of this workflow"):
        services.transition(officer, placement, "depart")  # a labour step, on a mission
    placement.refresh_from_db()
    assert placement.state == State.APPLIED and not placement.transitions.exists()


@pytest.mark.django_db
def test_withdrawal_and_cancellation_need_a_reason():
    placement = candidate()
    officer = actor_for(Role.PROGRAMME_OFFICER, placement)
    for step in ("withdraw", "cancel"):
        with pytest.raises(ValidationError) as err:
            services.transition(officer, placement, step, reason="   ")
        assert "reason" in err.value.message_dict
    placement.refresh_from_db()
    assert placement.state == State.APPLIED


@pytest.mark.django_db
def test_a_second_officer_acting_on_what_they_saw_is_refused_and_told_who_moved_it():
    placement, _values = arrange(Track.MISSION, "cancel", State.SELECTED)
    first = actor_for(Role.PROGRAMME_OFFICER, placement)
    second = actor_for(Role.PROGRAMME_OFFICER, placement)
    seen_by_second = Placement.objects.get(pk=placement.pk)  # both pages show "selected"
    services.transition(first, placement, "cancel", reason="Funding withdrawn")
    with pytest.raises(services.StaleState) as err:
        services.transition(
            second,
            seen_by_second,
            "contract",
            values={"starts": today(), "ends": today(), "contract_days": 1},
        )
    message = err.value.messages[0]
    assert "“Cancelled”" in message and "“Selected”" in message and str(first) in message
    assert "Nothing was changed" in message
    placement.refresh_from_db()
    assert placement.state == State.CANCELLED and placement.starts is None
    assert placement.transitions.count() == 1


@pytest.mark.django_db
def test_an_explicit_expected_state_that_is_stale_is_refused_even_for_a_valid_step():
    placement, values = arrange(Track.MISSION, "contract", State.SELECTED)
    officer = actor_for(Role.PROGRAMME_OFFICER, placement)
    with pytest.raises(services.StaleState):
        services.transition(
            officer, placement, "contract", expected_state=State.SHORTLISTED, values=values
        )
    placement.refresh_from_db()
    assert placement.state == State.SELECTED and placement.starts is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("track", "step", "source", "values", "field", "words"),
    [
        (
            Track.MISSION,
            "contract",
            State.SELECTED,
            {
                "starts": datetime.date(2026, 6, 30),
                "ends": datetime.date(2026, 6, 1),
                "contract_days": 5,
            },
            "ends",
            "is before",
        ),
        (
            Track.MISSION,
            "contract",
            State.SELECTED,
            {
                "starts": datetime.date(2026, 6, 1),
                "ends": datetime.date(2026, 6, 10),
                "contract_days": 11,
            },
            "contract_days",
            "11 days do not fit in the 10 days",
        ),
        (
            Track.MISSION,
            "contract",
            State.SELECTED,
            {
                "starts": datetime.date(2026, 6, 1),
                "ends": datetime.date(2026, 6, 10),
                "contract_days": -3,
            },
            "contract_days",
            "1 or more",
        ),
        (
            Track.MISSION,
            "contract",
            State.SELECTED,
            {"starts": datetime.date(2026, 6, 1)},
            "ends",
            "Give the",
        ),
        (
            Track.MISSION,
            "start",
            State.CONTRACTED,
            {"started_on": "2026-06-01"},
            "started_on",
            "not a date",
        ),
        (
            Track.MISSION,
            "start",
            State.CONTRACTED,
            {"started_on": datetime.date.today() + datetime.timedelta(days=3)},
            "started_on",
            "cannot be in the future",
        ),
        (
            Track.MISSION,
            "complete",
            State.ON_ASSIGNMENT,
            {"ended_on": days_ago(60), "days_worked": 3},
            "ended_on",
            "is before",
        ),
        (
            Track.MISSION,
            "complete",
            State.ON_ASSIGNMENT,
            {"ended_on": days_ago(39), "days_worked": 5},
            "days_worked",
            "5 days do not fit in the 2 days",
        ),
        (
            Track.LABOUR,
            "return",
            State.DEPARTED,
            {"returned_on": days_ago(31)},
            "returned_on",
            "is before",
        ),
    ],
)
def test_bad_dates_and_days_are_refused_with_a_clear_message_and_nothing_changes(
    track, step, source, values, field, words
):
    placement, _good = arrange(track, step, source)
    stored = Placement.objects.filter(pk=placement.pk).values().get()
    officer = actor_for(Role.PROGRAMME_OFFICER, placement)
    with pytest.raises(ValidationError) as err:
        services.transition(officer, placement, step, values=values)
    assert field in err.value.message_dict
    assert any(words in m for m in err.value.message_dict[field]), err.value.message_dict
    assert Placement.objects.filter(pk=placement.pk).values().get() == stored
    assert not placement.transitions.exists()


@pytest.mark.django_db
def test_a_return_before_the_departure_names_both_dates():
    placement, _values = arrange(Track.LABOUR, "return", State.DEPARTED)
    officer = actor_for(Role.PROGRAMME_OFFICER, placement)
    with pytest.raises(ValidationError) as err:
        services.transition(officer, placement, "return", values={"returned_on": days_ago(45)})
    message = err.value.message_dict["returned_on"][0]
    assert message.startswith("Returned on (")
    assert "departed on" in message


@pytest.mark.django_db
def test_departure_waits_for_every_checklist_item_and_none_after_the_departure():
    placement, values = arrange(Track.LABOUR, "depart", State.PRE_DEPARTURE)
    officer = actor_for(Role.PROGRAMME_OFFICER, placement)
    ChecklistItem.objects.filter(placement=placement, item__in=["visa", "medical"]).update(
        done_on=None
    )
    with pytest.raises(ValidationError) as err:
        services.transition(officer, placement, "depart", values=values)
    assert "Visa and work permit issued; Medical examination passed" in err.value.messages[0]
    ChecklistItem.objects.filter(placement=placement).update(done_on=today())
    with pytest.raises(ValidationError) as err:
        services.transition(officer, placement, "depart", values={"departed_on": days_ago(1)})
    assert "done after the departure date" in err.value.messages[0]
    placement.refresh_from_db()
    assert placement.state == State.PRE_DEPARTURE and placement.departed_on is None
    services.transition(officer, placement, "depart", values={"departed_on": today()})
    placement.refresh_from_db()
    assert placement.state == State.DEPARTED


@pytest.mark.django_db
def test_preparing_the_departure_opens_the_five_item_checklist():
    placement, _values = arrange(Track.LABOUR, "prepare", State.SELECTED)
    services.transition(actor_for(Role.PROGRAMME_OFFICER, placement), placement, "prepare")
    assert sorted(placement.checklist.values_list("item", flat=True)) == sorted(
        ["contract", "visa", "medical", "orientation", "travel"]
    )
    assert not placement.checklist.filter(done_on__isnull=False).exists()


@pytest.mark.django_db
def test_evaluation_waits_for_the_report_and_the_hosts_answers():
    placement, _values = arrange(Track.MISSION, "complete", State.COMPLETED)
    officer = actor_for(Role.PROGRAMME_OFFICER, placement)
    with pytest.raises(ValidationError) as err:
        services.transition(officer, placement, "evaluate")
    assert "mission report is missing" in err.value.messages[0]


@pytest.mark.django_db
def test_steps_from_a_state_list_the_tables_rows():
    assert [s.name for s in steps_from(Track.MISSION, State.CONTRACTED)] == [
        "start",
        "withdraw",
        "cancel",
    ]
    assert [s.name for s in steps_from(Track.LABOUR, State.DEPARTED)] == ["return"]
    assert steps_from(Track.LABOUR, State.RETURNED) == []
