"""The opportunity's package becomes the placement's budget when the placement is contracted
(missions) or its pre-departure checklist is opened (labour): once, into an empty budget only,
with one audit event."""

from __future__ import annotations

import datetime
import html
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from liaison.accounts.roles import Role
from liaison.audit.models import AuditEvent
from liaison.opportunities.models import PackageItem
from liaison.placements import services
from liaison.placements.models import CompensationItem, Placement, State, Track
from liaison.placements.tests.conftest import actor_for, arrange
from liaison.placements.workflows import WORKFLOWS

pytestmark = pytest.mark.django_db


def _package(placement: Placement) -> None:
    """A flight paid once and a per diem paid by the day, as the opportunity offers them."""
    PackageItem.objects.create(
        opportunity=placement.opportunity, kind="travel", amount=Decimal("900"), currency="EUR"
    )
    PackageItem.objects.create(
        opportunity=placement.opportunity,
        kind="per_diem",
        amount=Decimal("60"),
        currency="XOF",
        period="day",
        note="Dakar rate",
    )


def _budget_events(placement: Placement) -> int:
    return AuditEvent.objects.filter(object_id=str(placement.pk), reason="package budgeted").count()


def test_a_contracted_placement_has_the_package_budgeted_and_nothing_paid(client):
    placement, values = arrange(Track.MISSION, "contract", State.SELECTED)
    _package(placement)
    officer = actor_for(Role.PROGRAMME_OFFICER, placement)
    client.force_login(officer)
    moved = client.post(
        f"/placements/{placement.pk}/step/",
        {
            "step": "contract",
            "step-contract-expected_state": "selected",
            "step-contract-starts": values["starts"].isoformat(),
            "step-contract-ends": values["ends"].isoformat(),
            "step-contract-contract_days": str(values["contract_days"]),
        },
    )
    assert moved.status_code == 302
    placement.refresh_from_db()
    assert placement.state == State.CONTRACTED

    budget = client.get(f"/api/v1/placements/{placement.pk}/").json()["budget"]
    # The flight as offered; the per diem for the contract's 20 days: 20 x 60 = 1,200.
    # Nothing paid, so all of it is left.
    assert [(b["kind"], b["budget"], b["currency"], b["paid"], b["left"]) for b in budget] == [
        ("travel", "900.00", "EUR", "0.00", "900.00"),
        ("per_diem", "1200.00", "XOF", "0.00", "1200.00"),
    ]
    assert [b["description"] for b in budget] == [
        "From the package",
        "From the package: 20 days at 60.00 a day: Dakar rate",
    ]
    page = html.unescape(client.get(f"/placements/{placement.pk}/").content.decode())
    assert "From the package: 20 days at 60.00 a day: Dakar rate" in page

    # One event for the two items (written in bulk, they send no signal of their own).
    event = AuditEvent.objects.get(object_id=str(placement.pk), reason="package budgeted")
    assert event.actor_id == officer.pk
    # The amounts as stored: two decimal places.
    assert event.changes == {
        "compensation": [["travel", "900.00", "EUR"], ["per_diem", "1200.00", "XOF"]]
    }
    items = ContentType.objects.get_for_model(CompensationItem)
    assert not AuditEvent.objects.filter(content_type=items).exists()


def test_the_package_is_budgeted_once_however_often_the_step_runs():
    placement, values = arrange(Track.MISSION, "contract", State.SELECTED)
    _package(placement)
    officer = actor_for(Role.PROGRAMME_OFFICER, placement)
    contracted = services.transition(officer, placement, "contract", values=values)
    # The contract step's work done again, as a second contract-like step would.
    for name in WORKFLOWS[Track.MISSION]["contract"].then:
        services.ACTIONS[name](officer, contracted)
    assert CompensationItem.objects.filter(placement=placement).count() == 2
    assert _budget_events(placement) == 1


def test_items_budgeted_by_hand_before_the_contract_are_kept_alone():
    placement, values = arrange(Track.MISSION, "contract", State.SELECTED)
    _package(placement)
    officer = actor_for(Role.PROGRAMME_OFFICER, placement)
    own = services.add_compensation(
        officer, placement, kind="stipend", budget=Decimal("1200"), currency="EUR"
    )
    services.transition(officer, placement, "contract", values=values)
    assert list(CompensationItem.objects.filter(placement=placement)) == [own]
    assert _budget_events(placement) == 0


def test_without_a_package_nothing_is_budgeted():
    placement, values = arrange(Track.MISSION, "contract", State.SELECTED)
    officer = actor_for(Role.PROGRAMME_OFFICER, placement)
    services.transition(officer, placement, "contract", values=values)
    assert services.budget_lines(placement) == []
    assert _budget_events(placement) == 0


def test_opening_the_labour_checklist_budgets_the_package():
    placement, _values = arrange(Track.LABOUR, "prepare", State.SELECTED)
    _package(placement)
    officer = actor_for(Role.PROGRAMME_OFFICER, placement)
    services.transition(officer, placement, "prepare")
    lines = services.budget_lines(placement)
    assert [(li["item"].kind, li["item"].budget, li["paid"]) for li in lines] == [
        ("travel", Decimal("900.00"), Decimal(0)),
        ("per_diem", Decimal("60.00"), Decimal(0)),
    ]
    assert placement.checklist.count() == 5 and _budget_events(placement) == 1
    assert (
        lines[1]["item"].description == "From the package, per day (one period's worth): Dakar rate"
    )


@pytest.mark.parametrize(
    ("starts", "ends", "months"),
    [
        (datetime.date(2026, 1, 15), datetime.date(2026, 3, 14), 2),
        (datetime.date(2026, 1, 15), datetime.date(2026, 3, 20), 3),
        (datetime.date(2026, 1, 1), datetime.date(2026, 1, 30), 1),
        (datetime.date(2026, 11, 1), datetime.date(2027, 10, 31), 12),
    ],
)
def test_contract_months_count_a_month_begun_as_whole(starts, ends, months):
    assert services.contract_months(starts, ends) == months


def test_monthly_and_yearly_amounts_are_budgeted_for_the_contracts_months():
    placement, _values = arrange(Track.MISSION, "contract", State.SELECTED)
    for kind, amount, period in (("stipend", "1500", "month"), ("equipment", "2400", "year")):
        PackageItem.objects.create(
            opportunity=placement.opportunity,
            kind=kind,
            amount=Decimal(amount),
            currency="EUR",
            period=period,
        )
    officer = actor_for(Role.PROGRAMME_OFFICER, placement)
    values = {
        "starts": datetime.date(2026, 1, 15),
        "ends": datetime.date(2026, 3, 20),
        "contract_days": 40,
    }
    services.transition(officer, placement, "contract", values=values)
    lines = [(li["item"].budget, li["item"].description) for li in services.budget_lines(placement)]
    # 15 January to 20 March: 3 months begun. 3 x 1,500 = 4,500; 2,400 a year x 3/12 = 600.
    assert lines == [
        (Decimal("4500.00"), "From the package: 3 months at 1500.00 a month"),
        (Decimal("600.00"), "From the package: 3 months of 2400.00 a year"),
    ]
