"""The corridor table and the trend as CSV and XLSX, read back: the figures worked out in
test_indices.py, the selection on every row, and no cell a spreadsheet would run."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from liaison.accounts.roles import Role
from liaison.remittances.models import Corridor
from liaison.remittances.tests.test_indices import build_world, service
from tests.factories import user_with_role

TRANSPARENT = "Only providers transparent about the exchange rate (RPW's rule)"


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def analyst(client, world):
    client.force_login(user_with_role(Role.ANALYST))
    return client


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def _xlsx(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    return list(book["data"].iter_rows(values_only=True))


def test_the_corridor_csv_holds_the_table_cheapest_first(analyst):
    response = analyst.get("/remittances/indices/corridors.csv")
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="remittance-corridors-2026Q3-usd200-transparent.csv"'
    )
    rows = _csv(response)
    assert rows[0] == [
        "Quarter",
        "Price point (USD)",
        "Providers counted",
        "Sending country",
        "Sending currency",
        "Receiving country",
        "Receiving currency",
        "Region",
        "Average total cost (%)",
        "Services",
        "Cheapest service (%)",
        "SmaRT (%)",
        "Services qualifying for SmaRT",
        "Weight: remittance flow (USD millions)",
        "Above the SDG ceiling of 5%",
    ]
    assert {tuple(r[:3]) for r in rows[1:]} == {("2026Q3", "200", TRANSPARENT)}
    body = [r[3:] for r in rows[1:]]
    assert body == [
        # D: (1.5 + 2.5) / 2; one qualifying; US→PH 2000
        [
            "US",
            "USD",
            "PH",
            "PHP",
            "South-eastern Asia",
            "2.0",
            "2",
            "1.5",
            "",
            "1",
            "2000.0",
            "no",
        ],
        # E: IT→SN has no 2022 flow
        ["IT", "EUR", "SN", "XOF", "Western Africa", "3.0", "1", "3.0", "", "1", "", "no"],
        # B: 12 / 3, two qualifying, FR→MA 3000
        ["FR", "EUR", "MA", "MAD", "Northern Africa", "4.0", "3", "3.0", "", "2", "3000.0", "no"],
        # F: shares FR→SN's 1000 with A
        ["FR", "USD", "SN", "XOF", "Western Africa", "4.0", "1", "4.0", "", "1", "500.0", "no"],
        # A: 30 / 6, SmaRT (2 + 4 + 6) / 3 of four qualifying
        ["FR", "EUR", "SN", "XOF", "Western Africa", "5.0", "6", "1.0", "4.0", "4", "500.0", "no"],
        # C: 30 / 4 above 5%, SmaRT 23 / 3
        ["US", "USD", "MX", "MXN", "Central America", "7.5", "4", "6.0", "7.6667", "3", "", "yes"],
    ]


def test_the_corridor_xlsx_has_the_same_rows_with_numbers_as_numbers(analyst):
    response = analyst.get(
        "/remittances/indices/corridors.xlsx", {"opaque": "true", "period": "2026Q3"}
    )
    assert (
        'filename="remittance-corridors-2026Q3-usd200-all.xlsx"'
        in (response["Content-Disposition"])
    )
    rows = _xlsx(response)
    assert rows[0][8] == "Average total cost (%)"
    by_pair = {(r[3], r[4], r[5]): r for r in rows[1:]}
    a = by_pair[("FR", "EUR", "SN")]
    # With the toggle: A is (30 + 0.5) / 7 = 4.3571, its cheapest a6's 0.5; SmaRT still 4.
    assert a[:3] == (
        "2026Q3",
        200,
        "All verified services, including providers not transparent about the rate",
    )
    assert (a[8], a[9], a[10], a[11]) == (4.3571, 7, 0.5, 4.0)
    assert isinstance(a[8], float)
    assert [r[8] for r in rows[1:]] == [2.0, 3.0, 4.0, 4.0, 4.3571, 7.5]


def test_the_trend_exports_name_the_source_of_each_quarter(analyst):
    rows = _csv(analyst.get("/remittances/indices/trend.csv"))
    assert rows[0] == [
        "Quarter",
        "Global average total cost (%)",
        "Source",
        "Corridors",
        "Services",
        "Price point (USD)",
        "Providers counted",
    ]
    databank = "World Bank DataBank corridor averages (simple average of the corridors)"
    ours = "Liaison's price observations (simple average of the services)"
    assert rows[1:] == [
        ["2011Q1", "7.0", databank, "3", "", "200", ""],  # (10 + 8 + 3) / 3
        ["2025Q4", "5.5", databank, "2", "", "200", ""],
        ["2026Q1", "7.0", databank, "1", "", "200", ""],
        ["2026Q2", "6.0", ours, "1", "1", "200", TRANSPARENT],
        ["2026Q3", "4.8824", ours, "6", "17", "200", TRANSPARENT],  # 83 / 17
    ]
    sheet = _xlsx(analyst.get("/remittances/indices/trend.xlsx", {"price_point": "500"}))
    assert sheet[1:] == [("2026Q3", 1.8, ours, 1, 1, 500, TRANSPARENT)]


def test_text_a_spreadsheet_would_run_is_written_as_text_and_negative_costs_stay_numbers(
    analyst, world
):
    # A currency code written past validation (a hostile import, a direct database write).
    hostile = Corridor.objects.create(
        source_country="FR",
        source_currency="=A1",
        destination_country="SN",
        destination_currency="@X",
    )
    # A rate better than the interbank one: fee 0.5 and a margin of -1.0 -> -0.5%.
    service(hostile, world["providers"][2], "-0.5", margin="-1.0")
    rows = _csv(analyst.get("/remittances/indices/corridors.csv"))
    first = rows[1]
    assert (first[4], first[6], first[8]) == ("'=A1", "'@X", "-0.5")
    sheet = _xlsx(analyst.get("/remittances/indices/corridors.xlsx"))
    assert (sheet[1][4], sheet[1][6], sheet[1][8]) == ("'=A1", "'@X", -0.5)


def test_an_unknown_format_is_not_found_and_members_get_no_download(client, world):
    client.force_login(user_with_role(Role.ANALYST))
    assert client.get("/remittances/indices/corridors.pdf").status_code == 404
    assert client.get("/remittances/indices/trend.json").status_code == 404
    client.force_login(user_with_role(Role.MEMBER))
    assert client.get("/remittances/indices/corridors.csv").status_code == 403
    client.logout()
    assert client.get("/remittances/indices/trend.csv").status_code == 302
