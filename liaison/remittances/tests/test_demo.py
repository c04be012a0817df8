"""The demo prices: plausible, complete enough for every page, added once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from liaison.remittances.models import Corridor, Observation

pytestmark = pytest.mark.django_db


def test_demo_prices_cover_the_main_host_countries_and_are_added_once(settings):
    settings.LIAISON_ORIGIN_COUNTRY = "MA"
    out = StringIO()
    call_command("seed_remittances", stdout=out)
    assert "to MA (2 waiting for verification)" in out.getvalue()
    # Morocco's eight main host countries by the demo's weights (the US before Canada and
    # Israel at equal weight, in the profile's order).
    senders = set(Corridor.objects.values_list("source_country", flat=True))
    assert senders == {"FR", "ES", "IT", "BE", "NL", "DE", "US", "CA"}
    assert set(Corridor.objects.values_list("destination_currency", flat=True)) == {"MAD"}
    per_corridor = Observation.objects.values("corridor").annotate(
        providers=Count("provider", distinct=True), quarters=Count("year", distinct=True)
    )
    assert all(row["providers"] >= 6 for row in per_corridor)
    # Every price is one a customer could pay: a fee below the amount, a margin under 10%.
    for price in Observation.objects.all()[:200]:
        assert 0 < price.fee < price.amount_sent and 0 < price.fx_margin < 10
    assert Observation.objects.filter(transparent=False).exists()
    assert Observation.objects.filter(status="pending").count() == 2
    again = StringIO()
    call_command("seed_remittances", stdout=again)
    assert "exist already" in again.getvalue()
