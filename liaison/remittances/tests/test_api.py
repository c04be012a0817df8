"""The remittances API: the indices and the trend with the page's parameters (figures from
test_indices.py), the providers, corridors and observations behind them, and who may call."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken

from liaison.accounts.roles import Role
from liaison.remittances.tests.test_indices import build_world, service
from tests.factories import CorridorFactory, user_with_role

API = "/api/v1/remittances"
ENDPOINTS = ["indices/", "trend/", "providers/", "corridors/", "observations/"]


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def analyst(client, world):
    client.force_login(user_with_role(Role.ANALYST))
    return client


def _get(client, path, params=None):
    return client.get(f"{API}/{path}", params or {}, HTTP_ACCEPT="application/json")


def test_analysts_officers_and_administrators_may_call_others_may_not(client, world):
    for role in (Role.ANALYST, Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR):
        client.force_login(user_with_role(role))
        for path in ENDPOINTS:
            assert _get(client, path).status_code == 200, (role, path)
    for role in (Role.MEMBER, Role.HOST_FOCAL_POINT, Role.REVIEWER, Role.CONSULAR_OFFICER):
        client.force_login(user_with_role(role))
        for path in ENDPOINTS:
            assert _get(client, path).status_code == 403, (role, path)
    client.logout()
    for path in ENDPOINTS:
        assert _get(client, path).status_code in (401, 403), path


def test_an_analysts_token_opens_the_indices(client, world):
    _instance, token = AuthToken.objects.create(user=user_with_role(Role.ANALYST))
    response = client.get(f"{API}/indices/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert response.json()["global_average"]["average"] == "4.8824"


def test_the_indices_give_every_figure_of_the_quarter(analyst, world):
    data = _get(analyst, "indices/").json()
    assert (data["period"], data["price_point"], data["opaque"]) == ("2026Q3", 200, False)
    assert data["providers_counted"].startswith("Only providers transparent")
    assert data["opaque_services"] == 1  # a6
    # 83 / 17
    assert data["global_average"] == {
        "key": "global",
        "label": "Global average",
        "average": "4.8824",
        "services": 17,
        "corridors": 6,
    }
    # 20500 / 6000, C and E without a 2022 flow
    assert data["weighted_average"] == {
        "average": "3.4167",
        "flow_year": 2022,
        "corridors": 4,
        "corridors_without_flow": [world["e"].pk, world["c"].pk],  # in the table's order
    }
    # (4 + 23/3) / 2 = 35/6; B, D, E, F have fewer than three qualifying services
    assert data["smart"]["average"] == "5.8333"
    assert data["smart"]["price_point"] == 200 and data["smart"]["corridors"] == 2
    assert sorted(data["smart"]["corridors_too_few"]) == sorted(world[k].pk for k in "bdef")
    assert data["sdg"] == {
        "corridor_ceiling": "5.00",
        "global_target": "3.00",
        "corridors": 6,
        "corridors_at_or_below": 5,
        "share": "83.3333",
        "global_distance": "1.8824",
    }
    assert {r["key"]: r["average"] for r in data["regions"]} == {
        "015": "4.0000",
        "011": "4.6250",  # 37 / 8
        "013": "7.5000",
        "035": "2.0000",
    }
    assert {r["key"]: r["average"] for r in data["provider_kinds"]} == {
        "bank": "5.6250",
        "mto": "4.2778",
        "mobile_operator": "4.5000",
        "fintech": "6.5000",
    }
    assert {r["key"]: r["average"] for r in data["instruments"]} == {
        "cash": "4.8333",
        "account": "4.5000",
        "debit_card": "5.5000",
        "mobile_money": "5.0000",
    }
    corridors = data["corridors"]
    assert [c["corridor"]["id"] for c in corridors] == [world[k].pk for k in "debfac"]
    a = corridors[4]
    assert a["corridor"] == {
        "id": world["a"].pk,
        "label": "France (EUR) → Senegal (XOF)",
        "source_country": "FR",
        "source_currency": "EUR",
        "destination_country": "SN",
        "destination_currency": "XOF",
    }
    assert (a["average"], a["services"], a["cheapest"], a["smart"], a["smart_services"]) == (
        "5.0000",
        6,
        "1.0000",
        "4.0000",
        4,
    )
    assert (a["region"], a["flow"], a["above_ceiling"]) == ("011", "500.000", False)
    assert corridors[5]["above_ceiling"] is True and corridors[5]["flow"] is None


def test_the_toggle_and_the_price_point_change_the_indices(analyst, world):
    shown = _get(analyst, "indices/", {"opaque": "true"}).json()
    assert shown["opaque"] is True
    assert shown["global_average"]["average"] == "4.6389"  # 83.5 / 18
    assert shown["weighted_average"]["average"] == "3.3631"  # 141250 / 42000
    assert shown["smart"]["average"] == "5.8333"  # unchanged: SmaRT needs transparency
    at_500 = _get(analyst, "indices/", {"price_point": "500", "period": "2026_3Q"}).json()
    assert [(c["corridor"]["id"], c["average"]) for c in at_500["corridors"]] == [
        (world["a"].pk, "1.8000")
    ]


def test_refused_parameters_answer_400_with_a_message_per_parameter(analyst):
    response = _get(analyst, "indices/", {"period": "2026Q5", "price_point": "300"})
    assert response.status_code == 400
    errors = response.json()
    assert "is not a quarter" in errors["period"][0]["message"]
    assert errors["price_point"][0]["message"] == (
        "“300” is not a price point: choose 200 or 500 (USD)."
    )
    refused = _get(analyst, "trend/", {"opaque": "perhaps"})
    assert refused.status_code == 400
    assert "“perhaps” is not an answer here" in refused.json()["opaque"][0]["message"]


def test_the_trend_names_each_points_source(analyst):
    points = _get(analyst, "trend/").json()
    assert [(p["period"], p["average"], p["source"], p["services"]) for p in points] == [
        ("2011Q1", "7.0000", "history", None),
        ("2025Q4", "5.5000", "history", None),
        ("2026Q1", "7.0000", "history", None),
        ("2026Q2", "6.0000", "observations", 1),
        ("2026Q3", "4.8824", "observations", 17),
    ]
    shown = _get(analyst, "trend/", {"opaque": "true"}).json()
    assert shown[2] == {
        "period": "2026Q1",
        "average": "3.0000",
        "source": "observations",
        "source_label": "Liaison's price observations (simple average of the services)",
        "corridors": 1,
        "services": 1,
    }


def test_providers_never_show_their_reporting_link(analyst, world):
    data = _get(analyst, "providers/").json()
    assert data["count"] == 6
    assert data["results"][0] == {
        "id": world["providers"][1].pk,
        "name": "P1",
        "kind": "bank",
        "website": "",
    }
    assert world["providers"][1].report_token not in str(data)
    banks = _get(analyst, "providers/", {"kind": "bank"}).json()
    assert [p["name"] for p in banks["results"]] == ["P1", "P6"]
    refused = _get(analyst, "providers/", {"kind": "shop"})
    assert refused.status_code == 400
    assert refused.json() == {"kind": ["“shop” is not a provider type."]}
    detail = _get(analyst, f"providers/{world['providers'][2].pk}/").json()
    assert detail["name"] == "P2" and "report_token" not in detail


def test_corridors_are_listed(analyst, world):
    data = _get(analyst, "corridors/").json()
    assert data["count"] == 6
    assert {c["id"] for c in data["results"]} == {world[k].pk for k in "abcdef"}
    assert _get(analyst, "corridors/999999/").status_code == 404


def test_observations_filter_by_corridor_period_provider_and_status(analyst, world):
    everything = _get(analyst, "observations/").json()
    # 19 at 2026 Q3 USD 200 (17 counted, a6, a8), one at USD 500, one in Q2, one in Q1.
    assert everything["count"] == 22
    a = world["a"].pk
    in_a = _get(analyst, "observations/", {"corridor": a, "period": "2026Q3"}).json()
    # a1-a8 at USD 200 and the USD 500 one
    assert in_a["count"] == 9
    first = in_a["results"][0]
    assert first["period"] == "2026Q3" and first["corridor"] == a
    assert {"entered_by", "verified_by", "note"}.isdisjoint(first)
    p2 = world["providers"][2].pk
    found = _get(
        analyst, "observations/", {"corridor": a, "provider": p2, "price_point": "200"}
    ).json()
    # a1 (Q3), a8 (Q3, pending), Q2's 6.0
    assert sorted((o["period"], o["total_cost"], o["status"]) for o in found["results"]) == [
        ("2026Q2", "6.0000", "verified"),
        ("2026Q3", "0.1000", "pending"),
        ("2026Q3", "2.0000", "verified"),
    ]
    pending = _get(analyst, "observations/", {"status": "pending"}).json()
    assert [o["total_cost"] for o in pending["results"]] == ["0.1000"]
    smart = [o["smart"] for o in in_a["results"] if o["price_point"] == 200]
    # a1, a2, a3, a7, and the pending a8: the conditions hold whatever the status.
    assert smart.count(True) == 5


def test_observations_refuse_bad_filters_by_name(analyst):
    for params, key, message in [
        ({"corridor": "abc"}, "corridor", "“abc” is not an id (a number)."),
        ({"provider": "-1"}, "provider", "“-1” is not an id (a number)."),
        ({"price_point": "250"}, "price_point", "“250” is not a price point"),
        ({"status": "lost"}, "status", "“lost” is not a status"),
        ({"period": "Q3"}, "period", "“Q3” is not a quarter"),
    ]:
        response = _get(analyst, "observations/", params)
        assert response.status_code == 400, params
        assert response.json()[key][0].startswith(message), params


def test_observations_are_paginated_in_a_fixed_number_of_queries(analyst, world):
    page = _get(analyst, "observations/", {"page_size": 5}).json()
    assert page["count"] == 22 and len(page["results"]) == 5 and page["next"]

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert _get(analyst, "observations/", {"page_size": 100}).status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    corridor = CorridorFactory(destination_country="KE", destination_currency="KES")
    for n, provider in world["providers"].items():
        service(corridor, provider, f"{n}.0")
    assert queries() == before
