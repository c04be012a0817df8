"""Importing Remittance Prices Worldwide workbooks: workbooks written with openpyxl in RPW's
layout, imported into the real database; every figure expected is worked out by hand."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from liaison.audit.models import AuditEvent
from liaison.remittances import imports
from liaison.remittances.models import Corridor, Observation, Provider
from tests.factories import ObservationFactory, ProviderFactory

pytestmark = pytest.mark.django_db

SHEET = "Dataset (from Q2 2016)"
# RPW's columns, in RPW's order, with columns Liaison does not use among them and two
# unlabelled ones at the end (RPW's sheet has such columns, holding stray notes).
HEADER: list[str | None] = [
    "period",
    "source_code",
    "source_name",
    "source_region",
    "destination_code",
    "destination_name",
    "firm",
    "firm_type",
    "product",
    "payment instrument",
    "access point",
    "speed actual",
    "cc1 denomination amount",
    "cc1 lcu amount",
    "cc1 lcu code",
    "cc1 lcu fee",
    "cc1 lcu fx rate",
    "cc1 fx margin",
    "cc1 total cost %",
    "cc2 denomination amount",
    "cc2 lcu amount",
    "cc2 lcu code",
    "cc2 lcu fee",
    "cc2 lcu fx rate",
    "cc2 fx margin",
    "cc2 total cost %",
    "inter lcu bank fx",
    "transparent",
    "corridor",
    None,
    None,
]
# Sending EUR 185 (USD 200) and EUR 462.50 (USD 500) from France to Senegal with Wari.
FRANCE_SENEGAL: dict[str, Any] = {
    "period": "2025_3Q",
    "source_code": "FRA",
    "source_name": "France",
    "source_region": "High income",
    "destination_code": "SEN",
    "destination_name": "Senegal",
    "firm": "Wari",
    "firm_type": "Money Transfer Operator",
    "product": "Wari cash",
    "payment instrument": "Cash",
    "access point": "Agent",
    "speed actual": "Less than one hour",
    "cc1 denomination amount": 200,
    "cc1 lcu amount": 185,
    "cc1 lcu code": "EUR",
    "cc1 lcu fee": 5,
    "cc1 lcu fx rate": 650,
    "cc1 fx margin": 0.91,
    "cc1 total cost %": 3.61,
    "cc2 denomination amount": 500,
    "cc2 lcu amount": 462.5,
    "cc2 lcu code": "EUR",
    "cc2 lcu fee": 8,
    "cc2 lcu fx rate": 650,
    "cc2 fx margin": 0.91,
    "cc2 total cost %": 2.64,
    "inter lcu bank fx": 655.957,
    "transparent": "yes",
    "corridor": "FRA_SEN",
}
# Sending USD 200 and USD 500 from the United States to Mexico through a bank, online.
US_MEXICO: dict[str, Any] = {
    **FRANCE_SENEGAL,
    "source_code": "USA",
    "source_name": "United States",
    "destination_code": "MEX",
    "destination_name": "Mexico",
    "firm": "Banco Azteca",
    "firm_type": "Bank",
    "payment instrument": "Bank Account",
    "access point": "Internet",
    "speed actual": "Next day",
    "cc1 lcu amount": 200,
    "cc1 lcu code": "USD",
    "cc1 lcu fee": 4,
    "cc1 lcu fx rate": 17.1,
    "cc2 lcu amount": 500,
    "cc2 lcu code": "USD",
    "cc2 lcu fee": 6,
    "cc2 lcu fx rate": 17.1,
    "inter lcu bank fx": 17.3,
    "corridor": "USA_MEX",
}


def workbook(
    tmp_path: Path,
    rows: list[dict[str, Any]],
    header: list[str | None] | None = None,
    sheet: str = SHEET,
    name: str = "rpw.xlsx",
) -> Path:
    """An RPW workbook: a notes sheet first (as RPW has), then the dataset. Row values are
    given by RPW's column names and written under ``header`` (RPW's, unless a test renames
    some); the unlabelled columns hold stray text."""
    header = header or HEADER
    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["Remittance Prices Worldwide, synthetic rows for a test"])
    data = book.create_sheet(sheet)
    data.append(header)
    names = [HEADER[i] if i < len(HEADER) and HEADER[i] else h for i, h in enumerate(header)]
    for row in rows:
        data.append([row.get(name) if name else "stray note" for name in names])
    path = tmp_path / name
    book.save(path)
    return path


def run(path: Path) -> imports.Report:
    with path.open("rb") as handle:
        return imports.import_rpw(None, handle, path.name)


def counts() -> tuple[int, int, int]:
    return Observation.objects.count(), Provider.objects.count(), Corridor.objects.count()


def test_a_workbook_in_rpw_layout_is_imported_with_its_words_mapped_and_costs_computed(
    tmp_path,
):
    # Headers in other cases and spacing; words as RPW editions write them.
    header = list(HEADER)
    header[0], header[1], header[9], header[11] = (
        "Period",
        " SOURCE_CODE ",
        "Payment  Instrument",
        "Speed Actual",
    )
    rows = [
        FRANCE_SENEGAL,
        # The same firm written otherwise; only the USD 200 block filled; alpha-2 codes.
        {
            **FRANCE_SENEGAL,
            "source_code": "fr",
            "destination_code": "SN",
            "firm": "WARI",
            "firm_type": "MTO",
            "payment instrument": "Mobile money",
            "access point": "Mobile phone",
            "speed actual": "3-5 days",
            "cc2 lcu amount": None,
            "cc2 lcu fee": None,
            "cc2 lcu fx rate": None,
            "transparent": "N",
        },
        {
            **US_MEXICO,
            "payment instrument": "BANK ACCOUNT",
            "access point": "a kiosk",  # unknown: other
            "speed actual": "",  # blank: not known
            "transparent": True,
        },
        {
            **US_MEXICO,
            "firm": "US Postal Service",
            "firm_type": "Post office",
            "payment instrument": "cheque",  # unknown: other
            "access point": "Branch",
            "speed actual": "whenever",  # unknown: not known
            "transparent": 0,
        },
        dict.fromkeys(FRANCE_SENEGAL),  # an empty row in the middle: skipped
    ]
    path = workbook(tmp_path, rows, header)

    report = run(path)

    assert report.problems == []
    assert (report.rows, report.stored) == (4, 7)  # 2 + 1 + 2 + 2 observations
    assert report.periods == ["2025 Q3"]
    assert (report.providers_created, report.corridors_created) == (3, 2)
    providers = dict(Provider.objects.values_list("name", "kind"))
    assert providers == {"Wari": "mto", "Banco Azteca": "bank", "US Postal Service": "post_office"}
    # The receiving currency is the destination country's: XOF for Senegal, MXN for Mexico.
    assert set(
        Corridor.objects.values_list(
            "source_country", "source_currency", "destination_country", "destination_currency"
        )
    ) == {("FR", "EUR", "SN", "XOF"), ("US", "USD", "MX", "MXN")}
    cash = Observation.objects.get(provider__name="Wari", price_point=200, instrument="cash")
    # EUR 5 on EUR 185: 2.7027027%. (655.957 - 650) / 655.957 = 0.9081388%. Total 3.6108%.
    # Received: 185 x 650 = 120,250 XOF.
    assert (cash.fee, cash.fx_margin, cash.total_cost) == (
        Decimal("5.00"),
        Decimal("0.9081"),
        Decimal("3.6108"),
    )
    assert cash.amount_received == Decimal("120250.00")
    assert (cash.speed, cash.access_point, cash.pickup, cash.transparent) == (
        "lt1h",
        "agent",
        "",
        True,
    )
    assert (cash.source, cash.status) == ("import", "verified")
    assert cash.collected_on == datetime.date(2025, 7, 1)  # the quarter's first day
    assert cash.note == "Imported from rpw.xlsx, row 2."
    # USD 500: EUR 8 on EUR 462.50 = 1.7297297% + 0.9081388% = 2.6378685%.
    large = Observation.objects.get(provider__name="Wari", price_point=500)
    assert large.total_cost == Decimal("2.6379")
    assert large.amount_received == Decimal("300625.00")  # 462.50 x 650
    mobile = Observation.objects.get(provider__name="Wari", instrument="mobile_money")
    assert (mobile.price_point, mobile.access_point, mobile.speed, mobile.transparent) == (
        200,
        "mobile_phone",
        "3_5_days",
        False,
    )
    bank = Observation.objects.get(provider__name="Banco Azteca", price_point=200)
    assert (bank.instrument, bank.access_point, bank.speed, bank.transparent) == (
        "account",
        "other",
        "",
        True,
    )
    # USD 4 on USD 200 = 2%; (17.3 - 17.1) / 17.3 = 1.1560694%; total 3.1560694%.
    assert (bank.fx_margin, bank.total_cost) == (Decimal("1.1561"), Decimal("3.1561"))
    post = Observation.objects.get(provider__name="US Postal Service", price_point=500)
    assert (post.instrument, post.speed, post.transparent) == ("other", "", False)
    # One audit event for the whole import; the providers and corridors it created are named
    # there, not logged one by one.
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert event.changes["observations"] == 7 and event.reason == "rpw.xlsx"
    assert sorted(event.changes["providers_created"]) == [
        "Banco Azteca",
        "US Postal Service",
        "Wari",
    ]
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CREATE).exists()


def test_a_receiving_currency_column_and_a_date_column_are_used_when_the_sheet_has_them(
    tmp_path,
):
    header = [*HEADER[:-2], "Receiving Currency", "date"]
    path = workbook(
        tmp_path,
        [
            # Panama's own currency (PAB) is not what the receiver gets: the file says USD.
            {
                **US_MEXICO,
                "destination_code": "PAN",
                "Receiving Currency": "usd",
                "date": datetime.datetime(2025, 8, 14),
                "cc1 lcu fx rate": 1,
                "cc2 lcu fx rate": 1,
                "inter lcu bank fx": 1,
            }
        ],
        header,
    )
    report = run(path)

    assert report.problems == [] and report.stored == 2
    corridor = Corridor.objects.get()
    assert (corridor.destination_country, corridor.destination_currency) == ("PA", "USD")
    observation = Observation.objects.get(price_point=200)
    assert observation.collected_on == datetime.date(2025, 8, 14)
    # USD 4 on USD 200, at par: 2% and no margin.
    assert (observation.fx_margin, observation.total_cost) == (Decimal("0"), Decimal("2"))


def test_a_provider_already_known_is_found_whatever_the_case_and_keeps_its_type(tmp_path):
    known = ProviderFactory(name="Wari", kind=Provider.Kind.FINTECH)

    report = run(workbook(tmp_path, [{**FRANCE_SENEGAL, "firm": "  wARI "}]))

    assert report.problems == [] and report.providers_created == 0
    stored = Provider.objects.get()
    assert (stored.pk, stored.name, stored.kind) == (known.pk, "Wari", "fintech")
    assert Observation.objects.filter(provider=known).count() == 2


def test_a_row_without_any_price_is_skipped_and_counted(tmp_path):
    unpriced = {
        **US_MEXICO,
        **{f"cc{n} lcu {what}": None for n in (1, 2) for what in ("amount", "fee", "fx rate")},
    }

    report = run(workbook(tmp_path, [FRANCE_SENEGAL, unpriced]))

    assert report.problems == [] and report.unpriced == 1 and report.stored == 2
    assert "1 row had no price at either price point and was skipped." in report.outcome()


# --- bad input: a clear message, and nothing stored --------------------------------------------


@pytest.fixture
def before():
    """Data already there (2026 Q3, France to Senegal), which a refused file leaves as it was."""
    ObservationFactory()
    return counts()


def assert_nothing_stored(before):
    assert counts() == before
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).exists()


@pytest.mark.parametrize(
    ("changes", "column", "message"),
    [
        ({"cc1 lcu fee": -1}, "cc1 lcu fee", "A fee cannot be negative (-1)."),
        ({"cc1 lcu amount": 0}, "cc1 lcu amount", "The amount sent must be above zero."),
        (
            {"cc1 lcu fee": 185},
            "cc1 lcu fee",
            "A fee of 185.00 for sending 185.00 is not a price: check both figures.",
        ),
        # EUR 100 on EUR 185 = 54.0540541%; (655.957 - 300) / 655.957 = 355.957 / 655.957 =
        # 54.2652948%: 108.3193489% in all.
        (
            {"cc1 lcu fee": 100, "cc1 lcu fx rate": 300},
            "cc1 lcu fee",
            "The total cost would be 108.3193% of the amount sent, above 100%.",
        ),
        ({"cc2 lcu fx rate": 0}, "cc2 lcu fx rate", "An exchange rate must be above zero, not 0."),
        # 1 / 655.957: a rate written the other way round (a margin of 99.85%).
        (
            {"cc1 lcu fx rate": 0.0015245, "cc1 lcu fee": 0},
            "cc1 lcu fx rate",
            "The rate applied (0.0015245) is too far from the interbank rate (655.957)",
        ),
        (
            {"cc1 lcu fx rate": -650},
            "cc1 lcu fx rate",
            "An exchange rate must be above zero, not -650.",
        ),
        (
            {"inter lcu bank fx": -655.957},
            "inter lcu bank fx",
            "An exchange rate must be above zero, not -655.957.",
        ),
        (
            {"inter lcu bank fx": 0},
            "inter lcu bank fx",
            "An exchange rate must be above zero, not 0.",
        ),
        (
            {"cc1 lcu code": "EUX"},
            "cc1 lcu code",
            "“EUX” is not an ISO 4217 currency code (e.g. EUR, USD, XOF).",
        ),
        (
            {"destination_code": "XYZ"},
            "destination_code",
            "“XYZ” is not an ISO 3166 country code (alpha-3 or alpha-2).",
        ),
        (
            {"source_code": "SEN"},
            "destination_code",
            "the receiving country is the sending country (SN).",
        ),
        ({"period": "2025_5Q"}, "period", "“2025_5Q” is not a quarter"),
        ({"period": "2025"}, "period", "“2025” is not a quarter"),
        ({"transparent": "maybe"}, "transparent", "“maybe” is not yes or no."),
        ({"cc1 lcu amount": "lots"}, "cc1 lcu amount", "“lots” is not a number."),
        ({"cc2 lcu fee": None}, "cc2 lcu fee", "the figure is missing."),
        ({"firm": "  "}, "firm", "the provider's name is empty."),
    ],
)
def test_a_bad_cell_is_named_by_row_and_column_and_nothing_is_stored(
    tmp_path, before, changes, column, message
):
    # Row 2 is right (a new provider in a new corridor); row 3 has the bad cell.
    path = workbook(tmp_path, [US_MEXICO, {**FRANCE_SENEGAL, **changes}])

    report = run(path)

    assert report.total_problems == 1
    assert str(report.problems[0]).startswith(f"Row 3, column “{column}”: {message}")
    assert report.stored == 0 and report.providers_created == 0
    assert_nothing_stored(before)


def test_the_column_named_is_the_header_as_the_file_writes_it(tmp_path):
    header = list(HEADER)
    header[15] = "CC1 LCU Fee"

    report = run(workbook(tmp_path, [{**FRANCE_SENEGAL, "cc1 lcu fee": -2}], header))

    assert str(report.problems[0]) == "Row 2, column “CC1 LCU Fee”: A fee cannot be negative (-2)."


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"period,source_code\n2025_3Q,FRA\n", "The file is not an XLSX workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200, "This is an old Excel (.xls)"),
        (b"PK\x03\x04 a damaged zip" + b"\x00" * 200, "The file is not an XLSX workbook"),
    ],
)
def test_a_file_that_is_no_workbook_is_refused(tmp_path, before, content, message):
    path = tmp_path / "rpw.xlsx"
    path.write_bytes(content)

    report = run(path)

    assert report.total_problems == 1 and message in str(report.problems[0])
    assert_nothing_stored(before)


def test_a_workbook_without_the_rpw_sheet_names_the_sheets_it_has(tmp_path, before):
    path = workbook(tmp_path, [FRANCE_SENEGAL], sheet="Dataset (until Q1 2016)")

    report = run(path)

    assert [str(p) for p in report.problems] == [
        "The workbook has no sheet “Dataset (from Q2 2016)”; its sheets are “Notes”, "
        "“Dataset (until Q1 2016)”."
    ]
    assert_nothing_stored(before)


def test_missing_or_renamed_columns_are_named(tmp_path, before):
    header = list(HEADER)
    header[15] = "cc1 fee"  # renamed
    header[27] = None  # "transparent" gone

    report = run(workbook(tmp_path, [FRANCE_SENEGAL], header))

    assert [str(p) for p in report.problems] == [
        "The sheet “Dataset (from Q2 2016)” lacks the columns “cc1 lcu fee”, “transparent” "
        "(header row 1). Columns it has that Liaison does not use: “source_name”, "
        "“source_region”, “destination_name”, “product”, “cc1 denomination amount”, "
        "“cc1 fee”, “cc1 fx margin”, “cc1 total cost %”, “cc2 denomination amount”, "
        "“cc2 fx margin”, “cc2 total cost %”, “corridor”."
    ]
    assert_nothing_stored(before)


def test_the_same_observation_twice_in_the_file_names_both_rows(tmp_path, before):
    # Row 3 differs from row 2 only by its instrument: another service, not a repeat.
    rows = [FRANCE_SENEGAL, {**FRANCE_SENEGAL, "payment instrument": "Debit card"}]
    rows.append({**FRANCE_SENEGAL, "firm": "WARI", "payment instrument": "CASH"})

    report = run(workbook(tmp_path, rows))

    assert [str(p) for p in report.problems] == [
        f"Row 4: at USD {point}, this is the same observation as row 2 (same corridor, provider, "
        "quarter, price point, payment instrument, access point and pickup)."
        for point in (200, 500)
    ]
    assert_nothing_stored(before)


def test_importing_a_file_again_names_the_observations_already_stored(tmp_path):
    path = workbook(tmp_path, [FRANCE_SENEGAL, US_MEXICO])
    assert run(path).stored == 4
    stored = counts()
    first = Observation.objects.get(provider__name="Wari", price_point=200)

    report = run(path)

    assert report.total_problems == 4 and report.stored == 0
    assert str(report.problems[0]) == (
        f"Row 2: this observation is already stored, as no. {first.pk}: {first} (Import (RPW "
        "workbook); Imported from rpw.xlsx, row 2)."
    )
    assert counts() == stored
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).count() == 1


def test_a_rejected_price_does_not_stand_in_the_way_of_the_workbooks(tmp_path):
    path = workbook(tmp_path, [FRANCE_SENEGAL, US_MEXICO])
    assert run(path).stored == 4
    Observation.objects.filter(provider__name="Wari").update(status="rejected")
    # The two rejected prices of Wari come in again; the others are repeats.
    report = run(path)
    assert report.total_problems == 2 and report.stored == 0
    assert all("Wari" not in str(problem) for problem in report.problems)


def test_repeats_are_found_across_batches_in_the_file_and_in_the_database(tmp_path, monkeypatch):
    run(workbook(tmp_path, [US_MEXICO], name="earlier.xlsx"))
    stored = counts()
    monkeypatch.setattr(imports, "BATCH", 2)  # write two observations at a time
    rows = [
        FRANCE_SENEGAL,
        {**FRANCE_SENEGAL, "access point": "Internet"},
        {**FRANCE_SENEGAL, "firm": "BNP Paribas"},
        US_MEXICO,  # stored by the earlier import; its corridor is first met in this batch
        {**FRANCE_SENEGAL, "access point": "internet"},  # row 3 again
    ]

    report = run(workbook(tmp_path, rows))

    messages = [str(p) for p in report.problems]
    assert [m.split(":")[0] for m in messages] == ["Row 5", "Row 5", "Row 6", "Row 6"]
    assert "already stored" in messages[0] and "earlier.xlsx, row 2" in messages[0]
    assert "the same observation as row 3" in messages[2]
    assert counts() == stored


def test_reading_stops_after_fifty_problems_and_says_so(tmp_path, before):
    rows = [{**FRANCE_SENEGAL, "period": "someday", "firm": f"Firm {i}"} for i in range(80)]

    report = run(workbook(tmp_path, rows))

    # One problem a row: rows 2 to 51, then reading stops.
    assert report.total_problems == 50 and report.stopped_at == 51
    assert report.refusal() == (
        "rpw.xlsx has 50 problems; nothing was stored. Reading stopped at row 51 after 50 "
        "problems: correct these and import the file again to see whether there are more."
    )
    assert_nothing_stored(before)


# --- the command -----------------------------------------------------------------------------


def test_the_command_prints_what_it_stored(tmp_path):
    path = workbook(tmp_path, [FRANCE_SENEGAL, US_MEXICO])
    out = io.StringIO()

    call_command("import_rpw", str(path), stdout=out)

    assert out.getvalue().splitlines() == [
        "4 price observations stored from rpw.xlsx (2 rows; 2025 Q3).",
        "New providers: 2; new corridors: 2.",
    ]
    assert Observation.objects.count() == 4


def test_the_command_fails_with_every_problem_and_stores_nothing(tmp_path, before):
    path = workbook(tmp_path, [US_MEXICO, {**FRANCE_SENEGAL, "cc1 lcu fee": -1, "period": "x"}])

    with pytest.raises(CommandError) as refused:
        call_command("import_rpw", str(path), stdout=io.StringIO())

    lines = str(refused.value).splitlines()
    assert lines[0] == "rpw.xlsx has 2 problems; nothing was stored."
    assert "Row 3, column “cc1 lcu fee”: A fee cannot be negative (-1)." in lines
    assert any(line.startswith("Row 3, column “period”: “x” is not a quarter") for line in lines)
    assert_nothing_stored(before)
    with pytest.raises(CommandError, match="No file at"):
        call_command("import_rpw", str(tmp_path / "missing.xlsx"))


def test_imported_prices_show_in_the_calculator_once_the_import_commits(
    tmp_path, client, django_capture_on_commit_callbacks
):
    page = "/remittances/?corridor=FR-EUR-SN-XOF&amount=300"
    with django_capture_on_commit_callbacks(execute=True):
        run(workbook(tmp_path, [FRANCE_SENEGAL]))
    assert 'data-provider="Wari"' in client.get(page).content.decode()  # list and prices kept
    # a second workbook, the same corridor and quarter: a new provider
    orange = {**FRANCE_SENEGAL, "firm": "Orange Money", "product": "Orange cash"}
    with django_capture_on_commit_callbacks(execute=True) as forgotten:
        report = run(workbook(tmp_path, [orange], name="more.xlsx"))
    assert report.stored == 2 and len(forgotten) == 1  # once per import, not per batch
    shown = client.get(page).content.decode()
    assert 'data-provider="Wari"' in shown and 'data-provider="Orange Money"' in shown


def test_a_refused_import_forgets_nothing(tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as forgotten:
        run(workbook(tmp_path, [{**FRANCE_SENEGAL, "cc1 lcu fee": -5}]))
    assert forgotten == []


def test_rpw_code_for_kosovo_makes_a_valid_corridor_with_its_name(tmp_path):
    kosovo = {
        **FRANCE_SENEGAL,
        "source_code": "DEU",
        "source_name": "Germany",
        "destination_code": "KSV",
        "destination_name": "Kosovo",
        "corridor": "DEU_KSV",
    }
    report = run(workbook(tmp_path, [kosovo]))
    assert report.total_problems == 0, report.problems
    corridor = Corridor.objects.get()
    corridor.full_clean()  # XK is a country the model accepts, not only what the import wrote
    assert (corridor.destination_country.code, corridor.destination_currency) == ("XK", "EUR")
    assert str(corridor) == "Germany (EUR) → Kosovo (EUR)"


def test_a_destination_without_a_known_currency_asks_for_the_column(tmp_path, before):
    antarctica = {**FRANCE_SENEGAL, "destination_code": "ATA", "destination_name": "Antarctica"}
    report = run(workbook(tmp_path, [antarctica]))
    assert [str(p) for p in report.problems] == [
        "Row 2, column “destination_code”: Liaison knows no currency of AQ; add a “receiving "
        "currency” column to the sheet."
    ]
    assert counts() == before


def test_an_empty_receiving_currency_cell_is_named(tmp_path, before):
    header = [*HEADER[:-2], "receiving currency", None]
    report = run(workbook(tmp_path, [{**FRANCE_SENEGAL, "receiving currency": ""}], header))
    assert [str(p) for p in report.problems] == [
        "Row 2, column “receiving currency”: the receiving currency is empty."
    ]
    assert counts() == before
