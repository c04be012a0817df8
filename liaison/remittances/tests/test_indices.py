"""The indices of a quarter, every figure worked out by hand below.

Every service sends 100 (no FX margin unless said), so its total cost is its fee in per cent.
2026 Q3, USD 200, verified; ✓ = qualifies for SmaRT (transparent, 5 days or less, accessible).

A  France (EUR) → Senegal      Western Africa   flow FR→SN 2022: 1000 (shared with F: 500)
   a1 P2 mto      cash/agent/cash           next day   2.0 ✓
   a2 P3 mto      debit card/internet/wallet same day  4.0 ✓
   a3 P5 fintech  mobile money/phone/wallet  < 1 hour  6.0 ✓
   a4 P1 bank     account/branch/account     2 days    8.0   (needs a bank account)
   a5 P4 mobile   mobile money/phone/wallet  6 days    1.0   (too slow: the cheapest, left out)
   a7 P1 bank     cash/branch/cash           3-5 days  9.0 ✓ (fourth cheapest ✓: left out)
   a6 P6 bank     cash/agent/cash  NOT TRANSPARENT     0.5   (counted only with the toggle,
                                                              never in SmaRT)
   a8 P2 mto      debit card/agent/cash  PENDING        0.1   (never counted)
   sum 2+4+6+8+1+9 = 30 over 6 -> 5.0000; SmaRT (2+4+6)/3 = 4.0000
   with the toggle: 30.5 over 7 -> 4.357142.. -> 4.3571
B  France (EUR) → Morocco      Northern Africa  flow FR→MA 2022: 3000
   b1 P2 cash next day 3.0 ✓; b2 P1 account 4.0; b3 P3 cash 2 days 5.0 ✓
   sum 12 over 3 -> 4.0000; only two ✓: no SmaRT
C  United States (USD) → Mexico  Central America  no 2022 flow (9000 in 2017: not used)
   c1 P2 cash < 1 hour 6.0 ✓; c2 P5 debit card to an account 7.0; c3 P4 mobile money
   same day 8.0 ✓; c4 P3 cash, home delivery, 3-5 days 9.0 ✓
   sum 30 over 4 -> 7.5000; SmaRT (6+8+9)/3 = 7.666.. -> 7.6667
D  United States (USD) → Philippines  South-eastern Asia  flow US→PH 2022: 2000
   d1 P1 account: fee 0.5 + FX margin 1.0 (rate 0.99 against 1) = 1.5; d2 P2 cash 2.5 ✓
   sum 4 over 2 -> 2.0000; one ✓: no SmaRT
E  Italy (EUR) → Senegal       Western Africa   no 2022 flow (800 in 2017: not used)
   e1 P2 cash 3.0 ✓ -> 3.0000
F  France (USD) → Senegal      Western Africa   shares FR→SN with A: 500
   f1 P3 cash 4.0 ✓ -> 4.0000

Elsewhere: 2026 Q3 at USD 500, A P2 cash 1.8; 2026 Q2, A P2 cash 6.0; 2026 Q1, only A P6 (not
transparent) 3.0. DataBank history (USD 200): 2011 Q1 FR→SN 10, FR→MA 8, US→PH 3; 2025 Q4
FR→SN 6, US→MX 5; 2026 Q1 FR→SN 7; 2026 Q2 FR→SN 9.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liaison.remittances import indices
from liaison.remittances.indices import HISTORY, OBSERVATIONS, IndicesForm, Selection
from liaison.remittances.models import CorridorHistory, Observation, RemittanceFlow
from liaison.remittances.periods import Period
from tests.factories import CorridorFactory, ObservationFactory, ProviderFactory

Q3 = Period(2026, 3)
D = Decimal


def service(corridor, provider, cost: str, **kwargs: Any) -> Observation:
    """A service sending 100 whose total cost is ``cost`` % (fee ``cost`` - ``margin``, and an
    FX margin of ``margin`` % from a rate of 1 - margin/100 against an interbank 1)."""
    margin = D(kwargs.pop("margin", "0"))
    values = {
        "year": 2026,
        "quarter": 3,
        "price_point": 200,
        "instrument": "cash",
        "access_point": "agent",
        "pickup": "cash",
        "speed": "next_day",
        **kwargs,
    }
    observation: Observation = ObservationFactory(
        corridor=corridor,
        provider=provider,
        amount_sent=D("100.00"),
        fee=D(cost) - margin,
        exchange_rate=1 - margin / 100,
        interbank_rate=D(1),
        collected_on=datetime.date(values["year"], 3 * values["quarter"] - 1, 10),
        **values,
    )
    return observation


def build_world() -> dict[str, Any]:
    """The corridors, providers, services, flows and history described at the top."""
    p = {
        1: ProviderFactory(name="P1", kind="bank"),
        2: ProviderFactory(name="P2", kind="mto"),
        3: ProviderFactory(name="P3", kind="mto"),
        4: ProviderFactory(name="P4", kind="mobile_operator"),
        5: ProviderFactory(name="P5", kind="fintech"),
        6: ProviderFactory(name="P6", kind="bank"),
    }
    a = CorridorFactory()  # FR EUR -> SN XOF
    b = CorridorFactory(destination_country="MA", destination_currency="MAD")
    c = CorridorFactory(
        source_country="US",
        source_currency="USD",
        destination_country="MX",
        destination_currency="MXN",
    )
    d = CorridorFactory(
        source_country="US",
        source_currency="USD",
        destination_country="PH",
        destination_currency="PHP",
    )
    e = CorridorFactory(source_country="IT")
    f = CorridorFactory(source_currency="USD")
    wallet = {"pickup": "mobile_wallet"}
    service(a, p[2], "2.0")
    service(
        a, p[3], "4.0", instrument="debit_card", access_point="internet", speed="same_day", **wallet
    )
    service(
        a,
        p[5],
        "6.0",
        instrument="mobile_money",
        access_point="mobile_phone",
        speed="lt1h",
        **wallet,
    )
    service(
        a,
        p[1],
        "8.0",
        instrument="account",
        access_point="branch",
        pickup="account",
        speed="2_days",
    )
    service(
        a,
        p[4],
        "1.0",
        instrument="mobile_money",
        access_point="mobile_phone",
        speed="6_days",
        **wallet,
    )
    service(a, p[1], "9.0", access_point="branch", speed="3_5_days")
    service(a, p[6], "0.5", transparent=False)
    service(a, p[2], "0.1", instrument="debit_card", status="pending", source="provider_report")
    service(b, p[2], "3.0")
    service(b, p[1], "4.0", instrument="account", access_point="internet", pickup="account")
    service(b, p[3], "5.0", speed="2_days")
    service(c, p[2], "6.0", speed="lt1h")
    service(c, p[5], "7.0", instrument="debit_card", access_point="internet", pickup="account")
    service(
        c,
        p[4],
        "8.0",
        instrument="mobile_money",
        access_point="mobile_phone",
        speed="same_day",
        **wallet,
    )
    service(c, p[3], "9.0", pickup="home_delivery", speed="3_5_days")
    service(
        d, p[1], "1.5", margin="1.0", instrument="account", access_point="branch", pickup="account"
    )
    service(d, p[2], "2.5")
    service(e, p[2], "3.0")
    service(f, p[3], "4.0")
    service(a, p[2], "1.8", price_point=500)
    service(a, p[2], "6.0", quarter=2)
    service(a, p[6], "3.0", quarter=1, transparent=False)
    for src, dst, year, usd in [
        ("FR", "SN", 2022, "1000"),
        ("FR", "MA", 2022, "3000"),
        ("US", "PH", 2022, "2000"),
        ("IT", "SN", 2017, "800"),
        ("FR", "SN", 2017, "500"),
        ("US", "MX", 2017, "9000"),
    ]:
        RemittanceFlow.objects.create(
            source_country=src, destination_country=dst, year=year, usd_millions=D(usd)
        )
    for src, dst, year, quarter, cost in [
        ("FR", "SN", 2011, 1, "10"),
        ("FR", "MA", 2011, 1, "8"),
        ("US", "PH", 2011, 1, "3"),
        ("FR", "SN", 2025, 4, "6"),
        ("US", "MX", 2025, 4, "5"),
        ("FR", "SN", 2026, 1, "7"),
        ("FR", "SN", 2026, 2, "9"),
    ]:
        CorridorHistory.objects.create(
            source_country=src,
            destination_country=dst,
            year=year,
            quarter=quarter,
            total_cost=D(cost),
        )
    return {"providers": p, "a": a, "b": b, "c": c, "d": d, "e": e, "f": f}


@pytest.fixture
def world(db) -> dict[str, Any]:
    return build_world()


def _rows(found: indices.Indices) -> dict[int, indices.CorridorRow]:
    return {r.corridor.pk: r for r in found.corridors}


def test_corridor_averages_are_simple_averages_of_the_counted_services(world):
    found = indices.compute(Selection(Q3))
    rows = _rows(found)
    w = world
    expected = {
        w["a"].pk: (D("5.0000"), 6, D("1.0000")),  # 30 / 6; a5's 1.0 is the cheapest
        w["b"].pk: (D("4.0000"), 3, D("3.0000")),  # 12 / 3
        w["c"].pk: (D("7.5000"), 4, D("6.0000")),  # 30 / 4
        w["d"].pk: (D("2.0000"), 2, D("1.5000")),  # (1.5 + 2.5) / 2, 1.5 with its FX margin
        w["e"].pk: (D("3.0000"), 1, D("3.0000")),
        w["f"].pk: (D("4.0000"), 1, D("4.0000")),
    }
    assert {pk: (r.average, r.services, r.cheapest) for pk, r in rows.items()} == expected
    # Cheapest first: D 2, E 3, B 4 and F 4 (by name: France (EUR) → Morocco before
    # France (USD) → Senegal), A 5, C 7.5.
    order = [w[k].pk for k in "debfac"]
    assert [r.corridor.pk for r in found.corridors] == order


def test_the_global_average_is_over_all_services_not_over_corridors(world):
    found = indices.compute(Selection(Q3))
    # (30 + 12 + 30 + 4 + 3 + 4) / (6 + 3 + 4 + 2 + 1 + 1) = 83 / 17 = 4.882352.. -> 4.8824
    # (the mean of the six corridor averages would be 25.5 / 6 = 4.25).
    assert found.global_average.average == D("4.8824")
    assert found.global_average.services == 17
    assert found.global_average.corridors == 6


def test_regional_averages_group_services_by_the_receiving_countrys_region(world):
    found = indices.compute(Selection(Q3))
    got = {(a.key, a.label): (a.average, a.services, a.corridors) for a in found.regions}
    assert got == {
        # B alone: 12 / 3
        ("015", "Northern Africa"): (D("4.0000"), 3, 1),
        # A, E, F into Senegal: (30 + 3 + 4) / (6 + 1 + 1) = 37 / 8 = 4.625
        ("011", "Western Africa"): (D("4.6250"), 8, 3),
        ("013", "Central America"): (D("7.5000"), 4, 1),
        ("035", "South-eastern Asia"): (D("2.0000"), 2, 1),
    }
    # In M49 order, as regions.labels() lists them.
    assert [a.key for a in found.regions] == ["015", "011", "013", "035"]


def test_the_weighted_average_uses_the_latest_flow_year_and_leaves_out_corridors_without(world):
    found = indices.compute(Selection(Q3))
    # 2022 is the latest year held: C (US→MX) and E (IT→SN) have flows of 2017 only and are
    # left out. A and F share FR→SN's 1000: 500 each.
    # (500 x 5.0 + 500 x 4.0 + 3000 x 4.0 + 2000 x 2.0) / (500 + 500 + 3000 + 2000)
    # = (2500 + 2000 + 12000 + 4000) / 6000 = 20500 / 6000 = 3.41666.. -> 3.4167
    assert found.weighted.flow_year == 2022
    assert found.weighted.average == D("3.4167")
    assert found.weighted.corridors == 4
    assert {c.pk for c in found.weighted.without_flow} == {world["c"].pk, world["e"].pk}
    rows = _rows(found)
    assert rows[world["a"].pk].flow == rows[world["f"].pk].flow == D(500)
    assert rows[world["b"].pk].flow == D(3000)
    assert rows[world["c"].pk].flow is None


def test_smart_averages_the_three_cheapest_qualifying_services_or_gives_none(world):
    found = indices.compute(Selection(Q3))
    rows = _rows(found)
    w = world
    # A: a5 (1.0, six days), a6 (0.5, not transparent) and a4 (8.0, needs an account) do not
    # qualify; of a1 2, a2 4, a3 6 and a7 9 the three cheapest: (2 + 4 + 6) / 3 = 4.
    assert rows[w["a"].pk].smart == D("4.0000")
    assert rows[w["a"].pk].smart_services == 4
    # C: (6 + 8 + 9) / 3 = 7.666.. -> 7.6667
    assert rows[w["c"].pk].smart == D("7.6667")
    # B has only two qualifying services (b1, b3): no SmaRT. D, E and F have one each.
    assert rows[w["b"].pk].smart is None and rows[w["b"].pk].smart_services == 2
    too_few = {c.pk: n for c, n in found.smart.too_few}
    assert too_few == {w["b"].pk: 2, w["d"].pk: 1, w["e"].pk: 1, w["f"].pk: 1}
    # The SmaRT average over the two corridors with one: (4 + 23/3) / 2 = 35/6 = 5.8333..
    # (from the exact SmaRTs: averaging the rounded 4.0000 and 7.6667 would give 5.8334).
    assert found.smart.average == D("5.8333")
    assert found.smart.corridors == 2


def test_the_smart_filter_is_the_models_smart_property(world):
    qualifying = set(Observation.objects.smart().values_list("pk", flat=True))
    assert qualifying == {o.pk for o in Observation.objects.all() if o.smart}
    assert len(qualifying) > 5 and Observation.objects.count() > len(qualifying)


def test_averages_by_provider_type_and_by_payment_instrument(world):
    found = indices.compute(Selection(Q3))
    kinds = {a.key: (a.average, a.services, a.corridors) for a in found.by_kind}
    assert kinds == {
        # P1: a4 8, a7 9, b2 4, d1 1.5 = 22.5 / 4 = 5.625 in A, B, D
        "bank": (D("5.6250"), 4, 3),
        # P2, P3: a1 2, a2 4, b1 3, b3 5, c1 6, c4 9, d2 2.5, e1 3, f1 4 = 38.5 / 9 = 4.2777..
        "mto": (D("4.2778"), 9, 6),
        "mobile_operator": (D("4.5000"), 2, 2),  # a5 1, c3 8
        "fintech": (D("6.5000"), 2, 2),  # a3 6, c2 7
    }
    assert [a.key for a in found.by_kind] == ["bank", "mto", "mobile_operator", "fintech"]
    assert [a.label for a in found.by_kind][:2] == ["Bank", "Money transfer operator"]
    instruments = {a.key: (a.average, a.services) for a in found.by_instrument}
    assert instruments == {
        # a1 2, a7 9, b1 3, b3 5, c1 6, c4 9, d2 2.5, e1 3, f1 4 = 43.5 / 9 = 4.8333..
        "cash": (D("4.8333"), 9),
        "account": (D("4.5000"), 3),  # a4 8, b2 4, d1 1.5 = 13.5 / 3
        "debit_card": (D("5.5000"), 2),  # a2 4, c2 7
        "mobile_money": (D("5.0000"), 3),  # a3 6, a5 1, c3 8
    }
    # Both add up to the global figures: 83 over 17 services.
    assert sum(a.services for a in found.by_kind) == 17


def test_sdg_progress_counts_corridors_at_or_below_five_and_the_distance_to_three(world):
    found = indices.compute(Selection(Q3))
    # D 2, E 3, B 4, F 4 and A exactly 5 are at or below 5%; C (7.5) is above: 5 of 6.
    assert (found.sdg.at_or_below, found.sdg.corridors) == (5, 6)
    assert found.sdg.share == D("83.3333")  # 500 / 6 = 83.333..
    assert found.sdg.global_distance == D("1.8824")  # 4.8824 - 3
    assert found.sdg.target_met is False
    # The table's SDG line falls before C, the sixth row.
    assert found.first_above == 5
    assert [r.above_ceiling for r in found.corridors] == [False] * 5 + [True]


def test_the_toggle_counts_providers_not_transparent_about_their_rate(world):
    default = indices.compute(Selection(Q3))
    shown = indices.compute(Selection(Q3, opaque=True))
    assert default.opaque_services == shown.opaque_services == 1  # a6
    a = world["a"].pk
    # A with a6: (30 + 0.5) / 7 = 4.357142.. -> 4.3571
    assert _rows(shown)[a].average == D("4.3571") and _rows(shown)[a].services == 7
    assert _rows(shown)[a].cheapest == D("0.5000")
    # Global: 83.5 / 18 = 4.63888.. -> 4.6389; banks: (22.5 + 0.5) / 5 = 4.6; cash:
    # (43.5 + 0.5) / 10 = 4.4; Western Africa: 37.5 / 9 = 4.1666.. -> 4.1667
    assert shown.global_average.average == D("4.6389")
    assert {a.key: a.average for a in shown.by_kind}["bank"] == D("4.6000")
    assert {a.key: a.average for a in shown.by_instrument}["cash"] == D("4.4000")
    assert {a.key: a.average for a in shown.regions}["011"] == D("4.1667")
    # Weighted: (500 x 30.5/7 + 500 x 4 + 3000 x 4 + 2000 x 2) / 6000
    # = (15250/7 + 18000) / 6000 = 141250 / 42000 = 3.363095.. -> 3.3631
    assert shown.weighted.average == D("3.3631")
    # SmaRT needs transparency: a6 (0.5, cash, next day) stays out, A's SmaRT is still 4.
    assert _rows(shown)[a].smart == D("4.0000")
    assert shown.smart.average == default.smart.average == D("5.8333")


def test_the_usd_500_price_point_has_its_own_services_and_smart_stays_at_usd_200(world):
    found = indices.compute(Selection(Q3, price_point=500))
    assert [(r.corridor.pk, r.average, r.services) for r in found.corridors] == [
        (world["a"].pk, D("1.8000"), 1)
    ]
    assert found.global_average.average == D("1.8000")
    assert found.corridors[0].smart == D("4.0000")  # A's SmaRT, always at USD 200
    assert found.opaque_services == 0


def test_the_trend_mixes_history_and_observations_and_names_each_source(world):
    points = indices.trend()
    got = [(p.period.key, p.average, p.source, p.corridors, p.services) for p in points]
    assert got == [
        ("2011Q1", D("7.0000"), HISTORY, 3, None),  # (10 + 8 + 3) / 3
        ("2025Q4", D("5.5000"), HISTORY, 2, None),  # (6 + 5) / 2
        # 2026 Q1 holds only a non-transparent observation: not counted, so history (7).
        ("2026Q1", D("7.0000"), HISTORY, 1, None),
        # 2026 Q2 has its own observation (6): DataBank's 9 is not used.
        ("2026Q2", D("6.0000"), OBSERVATIONS, 1, 1),
        ("2026Q3", D("4.8824"), OBSERVATIONS, 6, 17),  # 83 / 17
    ]
    assert "DataBank" in points[0].source_label and "simple average" in points[0].source_label


def test_the_toggle_and_the_price_point_change_the_trend(world):
    shown = {p.period.key: (p.average, p.source) for p in indices.trend(opaque=True)}
    # The non-transparent 3.0 now counts in 2026 Q1; 2026 Q3 is 83.5 / 18 = 4.6389.
    assert shown["2026Q1"] == (D("3.0000"), OBSERVATIONS)
    assert shown["2026Q3"] == (D("4.6389"), OBSERVATIONS)
    assert shown["2011Q1"] == (D("7.0000"), HISTORY)
    # DataBank's history is at USD 200 only.
    assert [(p.period.key, p.average, p.source) for p in indices.trend(price_point=500)] == [
        ("2026Q3", D("1.8000"), OBSERVATIONS)
    ]


def test_an_empty_quarter_gives_no_figure_rather_than_zero(world):
    found = indices.compute(Selection(Period(2024, 1)))
    assert found.empty and found.corridors == []
    assert found.global_average.average is None
    assert found.weighted.average is None and found.smart.average is None
    assert found.sdg.share is None and found.sdg.global_distance is None
    assert found.regions == [] and found.by_kind == []


def test_the_number_of_queries_does_not_grow_with_the_corridors(world):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            indices.compute(Selection(Q3))
            indices.trend()
        return len(ctx.captured_queries)

    before = queries()
    provider = world["providers"][2]
    for code, currency in [("KE", "KES"), ("GH", "GHS"), ("NG", "NGN"), ("IN", "INR")]:
        corridor = CorridorFactory(destination_country=code, destination_currency=currency)
        service(corridor, provider, "3.0")
        service(corridor, world["providers"][3], "3.5")
    assert queries() == before


def test_the_form_reads_the_parameters_and_defaults_to_the_latest_quarter(world):
    assert indices.available_periods() == [Period(2026, 3), Period(2026, 2), Period(2026, 1)]
    assert IndicesForm().selection() == Selection(Q3, 200, False)
    form = IndicesForm({"period": "2026_2Q", "price_point": "500", "opaque": "true"})
    assert form.is_valid()
    assert form.selection() == Selection(Period(2026, 2), 500, True)


def test_the_form_names_what_it_refuses_and_keeps_the_rest(world):
    form = IndicesForm({"period": "2026Q5", "price_point": "500", "opaque": "maybe"})
    assert not form.is_valid()
    assert "is not a quarter" in form.errors["period"][0]
    assert "“maybe” is not an answer here" in form.errors["opaque"][0]
    # The quarter and the toggle fall back to their defaults; the price point holds.
    assert form.selection() == Selection(Q3, 500, False)
    refused = IndicesForm({"price_point": "300"})
    assert refused.errors["price_point"] == ["“300” is not a price point: choose 200 or 500 (USD)."]
