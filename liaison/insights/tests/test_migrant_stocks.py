"""The World Bank's bilateral migrant stock estimates, imported from the real 2017 workbook in
../shared/data (a test needing it fails, not skips, when it is missing)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from liaison.insights.models import MigrantStock

WORKBOOK = (
    Path(__file__).resolve().parents[3].parent
    / "shared/data/worldbank/WB_Bilateral_Estimates_Migrant_Stocks_2017.xlsx"
)


def _cell(origin: str, destination: str) -> float:
    """The figure as the workbook itself holds it, read without Liaison's code."""
    rows = list(load_workbook(WORKBOOK, read_only=True).worksheets[0].iter_rows(values_only=True))
    column = list(rows[1]).index(destination)
    row = next(r for r in rows if r[0] == origin)
    return float(row[column])


@pytest.mark.django_db
def test_the_real_workbook_imports_with_world_bank_names_and_again_changes_nothing():
    assert WORKBOOK.is_file(), f"missing {WORKBOOK}"
    out = io.StringIO()
    call_command("import_migrant_stocks", str(WORKBOOK), stdout=out)
    assert "left out (not one country): Channel Islands, Other North, Other South, World" in (
        out.getvalue()
    )
    pairs = MigrantStock.objects.count()
    assert pairs > 10_000
    philippines_us = MigrantStock.objects.get(origin="PH", destination="US", year=2017)
    assert philippines_us.stock == round(_cell("Philippines", "United States"))
    # Names written the World Bank's way ("Korea, Rep.", "Egypt, Arab Rep.") are countries.
    korea_japan = MigrantStock.objects.get(origin="KR", destination="JP")
    assert korea_japan.stock == round(_cell("Korea, Rep.", "Japan"))
    assert MigrantStock.objects.filter(origin="EG").exists()
    call_command("import_migrant_stocks", str(WORKBOOK), stdout=io.StringIO())
    assert MigrantStock.objects.count() == pairs


def _matrix(tmp_path, header, rows, title="Bilateral Estimates of Migrant Stocks in 2017"):
    wb = Workbook()
    ws = wb.active
    ws.append([title])
    ws.append([None, *header])
    for row in rows:
        ws.append(row)
    path = tmp_path / "stocks.xlsx"
    wb.save(path)
    return path


@pytest.mark.django_db
def test_a_bad_workbook_names_every_bad_cell_and_changes_nothing(tmp_path):
    MigrantStock.objects.create(origin="PH", destination="US", year=2017, stock=5, source="x")
    path = _matrix(
        tmp_path,
        ["United States", "Atlantis", "World"],
        [
            ["Philippines", 2000000, 3, "=SUM(B3:C3)"],
            ["Narnia", 1, 2, 3],
            ["Senegal", "many", -4, 0],
        ],
    )
    with pytest.raises(CommandError) as refused:
        call_command("import_migrant_stocks", str(path), stdout=io.StringIO())
    message = str(refused.value)
    assert "Cell C2: “Atlantis” is not a country name" in message
    assert "Cell A4: “Narnia” is not a country name" in message
    assert "Cell B5: “many” is not a number of people" in message
    assert "nothing imported" in message
    assert list(MigrantStock.objects.values_list("stock", flat=True)) == [5]


@pytest.mark.django_db
def test_the_year_comes_from_the_title_or_the_command(tmp_path):
    path = _matrix(tmp_path, ["France"], [["Senegal", 120000]], title="Migrant stocks")
    with pytest.raises(CommandError, match="give it with --year"):
        call_command("import_migrant_stocks", str(path), stdout=io.StringIO())
    call_command("import_migrant_stocks", str(path), "--year", "2020", stdout=io.StringIO())
    assert MigrantStock.objects.get().year == 2020
    not_xlsx = tmp_path / "notes.xlsx"
    not_xlsx.write_bytes(b"plain text")
    with pytest.raises(CommandError, match="not a readable XLSX"):
        call_command("import_migrant_stocks", str(not_xlsx), stdout=io.StringIO())
