"""The indices page: who may open it, what it shows by default, the toggle, the SDG line and
refused parameters. The figures are those worked out in test_indices.py."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from liaison.accounts.roles import Role
from liaison.remittances.tests.test_indices import build_world, service
from tests.factories import CorridorFactory, user_with_role

URL = "/remittances/indices/"


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def analyst(client: Client, world) -> Client:
    client.force_login(user_with_role(Role.ANALYST))
    return client


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _figure(html: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">(.*?)</dd>', html)
    assert found, name
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_analysts_and_officers_open_the_page_members_and_visitors_do_not(client, world):
    for role in (Role.ANALYST, Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR):
        client.force_login(user_with_role(role))
        assert client.get(URL).status_code == 200, role
    for role in (Role.MEMBER, Role.HOST_FOCAL_POINT, Role.CONSULAR_OFFICER):
        client.force_login(user_with_role(role))
        assert client.get(URL).status_code == 403, role
    client.logout()
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_page_shows_the_latest_quarter_at_usd_200_with_transparent_providers_only(analyst):
    html = _text(analyst.get(URL))
    assert '<option value="2026Q3" selected>2026 Q3</option>' in html
    assert re.search(r'id="f-pp-200" value="200" checked', html)
    assert re.search(r'id="f-opaque-false" value="false" checked', html)
    # The page says which services are shown, and how many it leaves out (a6).
    assert "Shown: 2026 Q3, USD 200." in html
    assert (
        "Only providers transparent about their exchange rate are counted, as in RPW: 1 "
        "verified service of a provider that is not is left out." in html
    )
    assert _figure(html, "global").startswith("4.88%")  # 83 / 17
    assert "17 services in 6 corridors" in _figure(html, "global")
    assert _figure(html, "weighted").startswith("3.42%")  # 20500 / 6000
    assert "2 corridors without an estimate are left out." in _figure(html, "weighted")
    assert _figure(html, "smart").startswith("5.83%")  # 35 / 6
    assert _figure(html, "sdg-share").startswith("83.33% (5 / 6)")
    assert _figure(html, "sdg-distance") == "1.88 points above the target."


def test_the_corridor_table_is_cheapest_first_with_the_sdg_line_before_the_first_above(
    analyst, world
):
    html = _text(analyst.get(URL))
    table = html[
        html.index("data-corridors") : html.index("</table>", html.index("data-corridors"))
    ]
    order = re.findall(r'data-corridor="(\d+)"|(data-sdg-line)', table)
    marks = [pk or "LINE" for pk, line in order]
    w = world
    assert marks == [str(w[k].pk) for k in "debfa"] + ["LINE", str(w["c"].pk)]
    assert "SDG 10.c ceiling: 5% (corridors below this line are above it)" in table
    # B has two qualifying services, no SmaRT; the corridors without a SmaRT are listed.
    assert "none (2 qualify)" in table
    assert "data-smart-too-few" in html and "data-without-flow" in html


def test_the_toggle_counts_non_transparent_providers_and_says_so(analyst):
    html = _text(analyst.get(URL, {"opaque": "true"}))
    assert re.search(r'id="f-opaque-true" value="true" checked', html)
    assert (
        "Every verified service is counted, including 1 service of a provider not transparent "
        "about its exchange rate (RPW leaves these out)." in html
    )
    assert _figure(html, "global").startswith("4.64%")  # 83.5 / 18
    assert _figure(html, "weighted").startswith("3.36%")  # 141250 / 42000
    # The download links carry the selection.
    assert (
        "/remittances/indices/corridors.csv?period=2026Q3&amp;price_point=200&amp;opaque=true"
        in html
    )


def test_the_trend_table_names_its_sources_and_feeds_the_chart(analyst):
    response = analyst.get(URL)
    html = _text(response)
    rows = re.findall(r'<tr data-period="(\w+)" data-source="(\w+)">', html)
    assert rows == [
        ("2011Q1", "history"),
        ("2025Q4", "history"),
        ("2026Q1", "history"),
        ("2026Q2", "observations"),
        ("2026Q3", "observations"),
    ]
    assert "World Bank DataBank corridor averages (simple average of the corridors)" in html
    chart = response.context["chart"]
    assert chart["target"] == 3.0
    assert [(p["key"], p["average"], p["source"]) for p in chart["points"]][-2:] == [
        ("2026Q2", 6.0, "observations"),
        ("2026Q3", 4.8824, "observations"),
    ]
    # Quarters on a time axis: 2025 Q4 and 2026 Q1 are one step apart.
    assert chart["points"][2]["t"] - chart["points"][1]["t"] == 1
    assert 'id="remittance-trend" type="application/json"' in html
    assert "dist/remittance_charts.js" in html


def test_another_quarter_and_price_point_can_be_picked(analyst):
    html = _text(analyst.get(URL, {"period": "2026Q3", "price_point": "500"}))
    assert re.search(r'id="f-pp-500" value="500" checked', html)
    assert _figure(html, "global").startswith("1.80%")
    assert "The World Bank's DataBank history is at USD 200 only" in html
    empty = _text(analyst.get(URL, {"period": "2024Q1"}))
    assert "No verified price counted for 2024 Q1 at USD 200." in empty
    assert '<option value="2024Q1" selected>2024 Q1</option>' in empty


def test_refused_parameters_are_named_and_the_page_still_opens(analyst):
    response = analyst.get(URL, {"period": "2026Q9", "price_point": "250", "opaque": "yes"})
    assert response.status_code == 200
    html = _text(response)
    assert "Part of the request was refused" in html
    assert "Quarter: “2026Q9” is not a quarter" in html
    assert "Price point: “250” is not a price point: choose 200 or 500 (USD)." in html
    assert "Providers counted: “yes” is not an answer here" in html
    assert "Shown: 2026 Q3, USD 200." in html


def test_the_page_opens_without_any_data(client, db):
    client.force_login(user_with_role(Role.ANALYST))
    response = client.get(URL)
    assert response.status_code == 200
    assert "No verified price counted for" in _text(response)
    assert "No quarter to show yet." in _text(response)


def test_the_page_needs_as_many_queries_for_ten_corridors_as_for_six(analyst, world):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert analyst.get(URL).status_code == 200
        return len(ctx.captured_queries)

    queries()  # translations and sessions warmed up
    before = queries()
    for code, currency in [("KE", "KES"), ("GH", "GHS"), ("NG", "NGN"), ("IN", "INR")]:
        corridor = CorridorFactory(destination_country=code, destination_currency=currency)
        service(corridor, world["providers"][2], "3.0")
        service(corridor, world["providers"][3], "7.0", speed="6_days")
    assert queries() == before
    assert before <= 20  # the user, the grants, the quarters, and about a dozen for the figures
