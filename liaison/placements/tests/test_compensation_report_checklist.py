"""Compensation budgeted and paid (ISO 4217), the expert's mission report, the labour
pre-departure checklist: bad input refused with a clear message, nothing half-stored."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from liaison.accounts.roles import Role, ScopeKind
from liaison.placements import services
from liaison.placements.models import (
    ChecklistItem,
    CompensationItem,
    MissionReport,
    Payment,
    State,
)
from liaison.placements.tests.conftest import actor_for, candidate, days_ago, in_state, today
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(selected, officer):
    return services.add_compensation(
        officer, selected, kind="per_diem", budget=Decimal("1500.00"), currency="EUR"
    )


def test_an_item_is_budgeted_for_a_selected_candidate(item, selected):
    assert (item.kind, item.budget, item.currency) == ("per_diem", Decimal("1500.00"), "EUR")
    assert services.budget_lines(selected) == [
        {"item": item, "paid": Decimal(0), "left": Decimal("1500.00")}
    ]


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"currency": "XYZ"}, "currency", "“XYZ” is not an ISO 4217 currency code"),
        ({"currency": "eur"}, "currency", "“eur” is not an ISO 4217 currency code"),
        ({"currency": "EURO"}, "currency", "not an ISO 4217"),
        ({"budget": Decimal("-10")}, "budget", "cannot be negative"),
        ({"budget": "ten"}, "budget", "is not an amount"),
        ({"kind": "bonus"}, "kind", "Unknown item"),
    ],
)
def test_a_bad_item_is_refused_and_nothing_is_stored(selected, officer, fields, field, words):
    data = {"kind": "travel", "budget": Decimal("800"), "currency": "EUR", **fields}
    with pytest.raises(ValidationError) as err:
        services.add_compensation(officer, selected, **data)
    assert any(words in m for m in err.value.message_dict[field]), err.value.message_dict
    assert not CompensationItem.objects.exists()


def test_compensation_is_budgeted_for_selected_candidates_only(officer):
    applied = in_state(State.APPLIED)
    with pytest.raises(ValidationError, match="budgeted for selected candidates"):
        services.add_compensation(
            actor_for(Role.PROGRAMME_OFFICER, applied),
            applied,
            kind="travel",
            budget=1,
            currency="EUR",
        )


def test_payments_add_up_against_the_budget(item, selected, officer):
    services.pay(officer, item, amount="600.00", currency="EUR", paid_on=days_ago(3))
    services.pay(
        officer, item, amount=Decimal("400"), currency="EUR", paid_on=today(), reference="TX-2"
    )
    (line,) = services.budget_lines(selected)
    assert (line["paid"], line["left"]) == (Decimal("1000.00"), Decimal("500.00"))


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"currency": "USD"}, "currency", "budgeted in EUR; record the payment in EUR, not USD"),
        ({"currency": "ABC"}, "currency", "“ABC” is not an ISO 4217 currency code"),
        (
            {"amount": "1500.01"},
            "amount",
            "more than is left of the budget (1500.00 EUR of 1500.00)",
        ),
        ({"amount": "0"}, "amount", "more than zero"),
        ({"amount": "-5"}, "amount", "more than zero"),
        (
            {"paid_on": datetime.date.today() + datetime.timedelta(days=1)},
            "paid_on",
            "in the future",
        ),
    ],
)
def test_a_bad_payment_is_refused_and_nothing_is_stored(item, officer, fields, field, words):
    data = {"amount": "100", "currency": "EUR", "paid_on": today(), **fields}
    with pytest.raises(ValidationError) as err:
        services.pay(officer, item, **data)
    assert any(words in m for m in err.value.message_dict[field]), err.value.message_dict
    assert not Payment.objects.exists()


def test_a_payment_beyond_what_is_left_after_earlier_payments_is_refused(item, officer):
    services.pay(officer, item, amount="1000", currency="EUR", paid_on=today())
    with pytest.raises(ValidationError) as err:
        services.pay(officer, item, amount="600", currency="EUR", paid_on=today())
    assert "(500.00 EUR of 1500.00)" in err.value.message_dict["amount"][0]
    assert Payment.objects.count() == 1


def test_only_officers_in_scope_budget_and_pay(item, selected):
    focal = actor_for(Role.HOST_FOCAL_POINT, selected)
    elsewhere = user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "DE")
    for outsider in (focal, elsewhere, selected.member.user):
        with pytest.raises(PermissionDenied):
            services.pay(outsider, item, amount="10", currency="EUR", paid_on=today())
        with pytest.raises(PermissionDenied):
            services.add_compensation(outsider, selected, kind="travel", budget=1, currency="EUR")
    assert not Payment.objects.exists() and CompensationItem.objects.count() == 1


def test_the_expert_writes_their_mission_report_during_the_mission():
    placement = in_state(State.ON_ASSIGNMENT)
    expert = placement.member.user
    report = services.submit_report(
        expert, placement, activities="Trained 12 nurses in triage.", results="A triage protocol."
    )
    assert report.submitted_by == expert
    services.submit_report(
        actor_for(Role.PROGRAMME_OFFICER, placement),
        placement,
        activities="Trained 12 nurses in triage.",
        results="A triage protocol, adopted by the ward.",
        recommendations="A second mission on paediatric triage.",
    )
    assert MissionReport.objects.get(placement=placement).results.endswith("adopted by the ward.")


def test_a_report_is_refused_from_others_before_the_mission_and_for_jobs_abroad():
    placement = in_state(State.ON_ASSIGNMENT)
    other = candidate().member.user
    with pytest.raises(PermissionDenied):
        services.submit_report(other, placement, activities="x", results="y")
    with pytest.raises(ValidationError) as err:
        services.submit_report(placement.member.user, placement, activities=" ", results="y")
    assert "activities" in err.value.message_dict
    contracted = in_state(State.CONTRACTED)
    with pytest.raises(ValidationError, match="during or after the mission"):
        services.submit_report(contracted.member.user, contracted, activities="x", results="y")
    job = in_state(State.DEPARTED, labour=True)
    with pytest.raises(ValidationError, match="missions only"):
        services.submit_report(
            actor_for(Role.PROGRAMME_OFFICER, job), job, activities="x", results="y"
        )
    assert not MissionReport.objects.exists()


def test_the_checklist_is_ticked_while_preparing_departure_and_not_ahead_of_time():
    placement = in_state(State.PRE_DEPARTURE, labour=True)
    officer = actor_for(Role.PROGRAMME_OFFICER, placement)
    row = services.tick(officer, placement, "visa", done_on=days_ago(2), note="Visa D 4411")
    assert (row.done_on, row.note, row.recorded_by) == (days_ago(2), "Visa D 4411", officer)
    with pytest.raises(ValidationError, match="in the future"):
        services.tick(officer, placement, "medical", done_on=today() + datetime.timedelta(days=2))
    with pytest.raises(ValidationError, match="Unknown checklist step"):
        services.tick(officer, placement, "vaccines", done_on=today())
    services.tick(officer, placement, "visa", done_on=None)  # undone: the visa was withdrawn
    assert ChecklistItem.objects.get(placement=placement, item="visa").done_on is None
    departed = in_state(State.DEPARTED, labour=True)
    with pytest.raises(ValidationError, match="while the departure is prepared"):
        services.tick(
            actor_for(Role.PROGRAMME_OFFICER, departed), departed, "visa", done_on=today()
        )
    with pytest.raises(PermissionDenied):
        services.tick(placement.member.user, placement, "travel", done_on=today())
