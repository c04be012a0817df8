"""The World Bank's own files: DataBank's corridor averages (CSV) and the bilateral remittance
estimates (XLSX), imported from the real downloads in ../shared/data (a test needing one fails,
not skips, when it is missing), and bad copies of them written in tmp_path."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from liaison.audit.models import AuditEvent
from liaison.remittances.models import CorridorHistory, RemittanceFlow

pytestmark = pytest.mark.django_db

DATA = settings.BASE_DIR.parent / "shared" / "data" / "worldbank"
HISTORY = DATA / "RPW_corridor_average_total_cost_2011-2020.csv"
FLOWS = DATA / "WB_Bilateral_Remittance_Estimates_2017.xlsx"


def history(source: str, destination: str, year: int, quarter: int) -> Decimal:
    return CorridorHistory.objects.get(
        source_country=source, destination_country=destination, year=year, quarter=quarter
    ).total_cost


# --- DataBank's corridor averages ------------------------------------------------------------


def test_the_real_databank_export_imports_and_again_replaces_the_same_figures():
    assert HISTORY.is_file(), f"missing {HISTORY}"
    out = io.StringIO()

    call_command("import_rpw_history", str(HISTORY), stdout=out)

    stored = CorridorHistory.objects.count()
    assert stored > 10_000
    # Read in the file by hand: "France,FRA,...,Senegal,SEN,8.21263122558594,..." (2011Q1)
    # and 4.23894739151001 in its last column (2020Q3).
    assert history("FR", "SN", 2011, 1) == Decimal("8.2126")
    assert history("FR", "SN", 2020, 3) == Decimal("4.2389")
    # "United States of America,USA,...,Yemen,YEM": no figure ("..") before 2014Q1's
    # 5.52199983596802.
    assert history("US", "YE", 2014, 1) == Decimal("5.5220")
    assert not CorridorHistory.objects.filter(
        source_country="US", destination_country="YE", year__lt=2014
    ).exists()
    # DataBank's code for Kosovo (KSV) is read as XK: Germany to Kosovo, 2015Q4: 5.77333354949951.
    assert history("DE", "XK", 2015, 4) == Decimal("5.7733")
    # The Netherlands Antilles (ANT), dissolved in 2010, is left out and said so.
    first = out.getvalue()
    assert f"{stored} quarterly corridor averages stored" in first
    assert f"{stored} new, 0 replacing" in first
    assert "Left out: ANT (Netherlands Antilles)." in first
    # Again: the same corridors and quarters, replaced, not added.
    CorridorHistory.objects.filter(source_country="FR", destination_country="SN").update(
        total_cost=1
    )
    out = io.StringIO()
    call_command("import_rpw_history", str(HISTORY), stdout=out)
    assert CorridorHistory.objects.count() == stored
    assert history("FR", "SN", 2011, 1) == Decimal("8.2126")
    assert f"0 new, {stored} replacing" in out.getvalue()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).count() == 2


HEADER = (
    '\ufeff"Sending Countries Name","Sending Countries Code","Series Name","Series Code",'
    '"Receiving Countries  Name","Receiving Countries  Code","2019Q4 [YR2019Q4]",'
    '"2020Q1 [YR2020Q1]"\n'
)
SERIES = "Average Total Cost to remit in corridor,ATCR.CORR"
FOOTER = ",,,,,,,\n,,,,,,,\nData from database: Remittance Prices Worldwide (Corridors),,,,,,,\n"


def test_a_small_export_with_footer_and_empty_rows_imports(tmp_path):
    path = tmp_path / "databank.csv"
    path.write_text(
        HEADER
        + f"France,FRA,{SERIES},Senegal,SEN,6.5,..\n"
        + f"France,FRA,{SERIES},France,FRA,..,..\n"  # the diagonal DataBank lists, empty
        + f"Spain,ESP,{SERIES},Morocco,MAR,..,..\n"
        + f"Spain,ESP,{SERIES},Colombia,COL,4.25,3.99\n"
        + FOOTER
        + "Last Updated: 12/07/2020,,,,,,,\n",
        encoding="utf-8",
    )
    out = io.StringIO()

    call_command("import_rpw_history", str(path), stdout=out)

    assert sorted(
        CorridorHistory.objects.values_list(
            "source_country", "destination_country", "year", "quarter", "total_cost"
        )
    ) == [
        ("ES", "CO", 2019, 4, Decimal("4.2500")),
        ("ES", "CO", 2020, 1, Decimal("3.9900")),
        ("FR", "SN", 2019, 4, Decimal("6.5000")),
    ]
    assert "3 quarterly corridor averages stored from databank.csv" in out.getvalue()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            HEADER + f"France,FRA,{SERIES},Senegal,SEN,6.5,cheap\n",
            "Row 2, column “2020Q1 [YR2020Q1]”: “cheap” is not an average cost in percent.",
        ),
        (
            HEADER + f"France,FRA,{SERIES},Atlantis,ATL,6.5,..\n",
            "Row 2, column “Receiving Countries  Code”: “ATL” is not an ISO 3166 country code.",
        ),
        (
            HEADER
            + f"France,FRA,{SERIES},Senegal,SEN,6.5,..\n"
            + f"France,FRA,{SERIES},Senegal,SEN,7.5,..\n",
            "Row 3, column “2019Q4 [YR2019Q4]”: row 2 already gives this corridor's average "
            "in 2019 Q4.",
        ),
        (
            '"Country","Code","2019 [YR2019]"\nFrance,FRA,3\n',
            "The file is not DataBank's export of corridor averages: it lacks the columns "
            "“Sending Countries Code”, “Receiving Countries  Code”.",
        ),
        (
            "PK\x03\x04 an XLSX workbook",
            "This is a spreadsheet workbook; DataBank's export is wanted as CSV",
        ),
    ],
)
def test_a_bad_export_is_refused_row_and_column_named_and_changes_nothing(tmp_path, body, message):
    CorridorHistory.objects.create(
        source_country="FR", destination_country="SN", year=2019, quarter=4, total_cost=5
    )
    path = tmp_path / "databank.csv"
    path.write_text(body, encoding="utf-8")

    with pytest.raises(CommandError) as refused:
        call_command("import_rpw_history", str(path), stdout=io.StringIO())

    assert message in str(refused.value)
    assert "nothing was stored" in str(refused.value)
    assert list(CorridorHistory.objects.values_list("total_cost", flat=True)) == [Decimal(5)]


# --- bilateral remittance estimates ----------------------------------------------------------


def test_the_real_remittance_estimates_import_and_again_replace_the_year():
    assert FLOWS.is_file(), f"missing {FLOWS}"
    out = io.StringIO()

    call_command("import_remittance_flows", str(FLOWS), stdout=out)

    pairs = RemittanceFlow.objects.count()
    assert pairs > 10_000

    def flow(source: str, destination: str) -> Decimal:
        return RemittanceFlow.objects.get(
            source_country=source, destination_country=destination, year=2017
        ).usd_millions

    # Cells read in the workbook by hand: DW206 (United States down, Mexico across)
    # 30019.1870256556; FI69 (France, Senegal) 646.8935425756965; EW104 ("Korea, Rep.",
    # Philippines) 247.59623419689817; CZ74 (Germany, Kosovo) 388.60712983346. Thousandths.
    assert flow("US", "MX") == Decimal("30019.187")
    assert flow("FR", "SN") == Decimal("646.894")
    assert flow("KR", "PH") == Decimal("247.596")
    assert flow("DE", "XK") == Decimal("388.607")
    # The other way is another flow: GW128 (Mexico down, United States across) 1774.017...
    assert flow("MX", "US") == Decimal("1774.017")
    text = out.getvalue()
    assert f"{pairs} remittance flow estimates for 2017 stored" in text
    # The WORLD totals (row and column) and the Channel Islands are no country; the workbook's
    # one figure on its diagonal (Vanuatu to Vanuatu) is no corridor.
    assert "not one country: Channel Islands, WORLD" in text
    assert "flows within one country (VU)" in text
    RemittanceFlow.objects.filter(source_country="US", destination_country="MX").delete()
    call_command("import_remittance_flows", str(FLOWS), stdout=io.StringIO())
    assert RemittanceFlow.objects.count() == pairs
    assert flow("US", "MX") == Decimal("30019.187")
    # One audit event per import, which says how many figures it replaced (flows are
    # reference figures, not logged row by row: not even the test's own deletion above).
    events = AuditEvent.objects.order_by("pk")
    assert [e.action for e in events] == ["import", "import"]
    assert events.last().changes["replaced"] == pairs - 1


def _matrix(tmp_path, rows, title="Bilateral Remittance Estimates for 2019 (millions of US$)"):
    book = Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.append(["receiving (across) / sending (down)", "Senegal", "Mexico", "WORLD"])
    for row in rows:
        sheet.append(row)
    path = tmp_path / "flows.xlsx"
    book.save(path)
    return path


def test_a_small_matrix_keeps_decimals_and_the_year_can_be_given(tmp_path):
    path = _matrix(
        tmp_path,
        [["France", 646.8935, "-", "=SUM(B3:C3)"], ["United States", 0, 30019.18749, None]],
        title="Bilateral Remittance Estimates (millions of US$)",
    )
    with pytest.raises(CommandError, match="give it with --year"):
        call_command("import_remittance_flows", str(path), stdout=io.StringIO())

    call_command("import_remittance_flows", str(path), "--year", "2019", stdout=io.StringIO())

    # 646.8935 to thousandths, half to even: 646.894 (the 5 is followed by nothing: even 4);
    # 30019.18749: 30019.187. "-" and 0 are no flow.
    assert sorted(
        RemittanceFlow.objects.values_list(
            "source_country", "destination_country", "year", "usd_millions"
        )
    ) == [("FR", "SN", 2019, Decimal("646.894")), ("US", "MX", 2019, Decimal("30019.187"))]


def test_a_bad_matrix_changes_nothing(tmp_path):
    RemittanceFlow.objects.create(
        source_country="FR", destination_country="SN", year=2019, usd_millions=1
    )
    path = _matrix(tmp_path, [["France", -3, "plenty", None], ["Narnia", 1, 2, None]])

    with pytest.raises(CommandError) as refused:
        call_command("import_remittance_flows", str(path), stdout=io.StringIO())

    message = str(refused.value)
    assert "Cell B3: “-3” is not an amount." in message
    assert "Cell C3: “plenty” is not an amount." in message
    assert "Cell A4: “Narnia” is not a country name Liaison knows." in message
    assert list(RemittanceFlow.objects.values_list("usd_millions", flat=True)) == [Decimal(1)]
