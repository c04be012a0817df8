"""RPW's cost arithmetic, checked against figures worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from liaison.remittances import costs
from liaison.remittances.models import Observation
from liaison.remittances.periods import Period
from tests.factories import ObservationFactory


def test_total_cost_is_the_fee_share_plus_the_fx_margin():
    # EUR 185 for a EUR 5 fee: 2.7027...% of fee. 650 XOF applied against 655.957 interbank:
    # (655.957 - 650) / 655.957 = 0.90814...% of margin. Received: 185 x 650 = 120,250 XOF.
    cost = costs.cost(Decimal("185"), Decimal("5"), Decimal("650"), Decimal("655.957"))
    assert cost.fx_margin == Decimal("0.9081")
    assert cost.total_cost == Decimal("3.6108")  # 2.70270 + 0.90814 = 3.61084
    assert cost.amount_received == Decimal("120250.00")


def test_a_rate_better_than_interbank_is_a_negative_margin():
    cost = costs.cost(Decimal("200"), Decimal("0"), Decimal("101"), Decimal("100"))
    assert cost.fx_margin == Decimal("-1.0000") and cost.total_cost == Decimal("-1.0000")


@pytest.mark.django_db
def test_an_observation_computes_its_cost_when_saved_whatever_was_typed():
    observation = ObservationFactory(fee=Decimal("10"), amount_sent=Decimal("200"))
    observation.refresh_from_db()
    assert observation.total_cost == Decimal("5.9081")  # 5% fee + 0.90814% margin
    Observation.objects.filter(pk=observation.pk).update(total_cost=1)
    observation.refresh_from_db()
    observation.save()
    observation.refresh_from_db()
    assert observation.total_cost == Decimal("5.9081")


@pytest.mark.parametrize(
    ("text", "period"),
    [("2025_3Q", Period(2025, 3)), ("2025Q3", Period(2025, 3)), ("2011 q1", Period(2011, 1))],
)
def test_quarters_are_read_the_ways_rpw_and_databank_write_them(text, period):
    assert Period.parse(text) == period


@pytest.mark.parametrize("text", ["2025_5Q", "Q3", "1999Q1", "", "2025-13"])
def test_something_else_is_not_a_quarter(text):
    with pytest.raises(ValueError, match="is not a quarter"):
        Period.parse(text)
