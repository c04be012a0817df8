"""Reading the World Bank's bilateral workbooks (migrant stocks, remittance estimates): a
row-by-column matrix of country names, the names written the World Bank's way ("Korea, Rep.")."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import IO, Any, Generic, TypeVar

import pycountry
from django.utils.translation import gettext as _
from django_countries import countries
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

# World Bank names that neither django-countries nor pycountry know as written.
WORLD_BANK_NAMES = {
    "Bahamas, The": "BS",
    "Congo, Dem. Rep.": "CD",
    "Congo, Rep.": "CG",
    "Cote d'Ivoire": "CI",
    "Curacao": "CW",
    "Egypt, Arab Rep.": "EG",
    "Faeroe Islands": "FO",
    "Gambia, The": "GM",
    "Hong Kong SAR, China": "HK",
    "Iran, Islamic Rep.": "IR",
    "Korea, Dem. Rep.": "KP",
    "Korea, Rep.": "KR",
    "Kosovo": "XK",
    "Lao PDR": "LA",
    "Macao SAR, China": "MO",
    "Macedonia, FYR": "MK",
    "Micronesia, Fed. Sts.": "FM",
    "St. Kitts and Nevis": "KN",
    "St. Lucia": "LC",
    "St. Martin (French part)": "MF",
    "St. Vincent and the Grenadines": "VC",
    "Venezuela, RB": "VE",
    "West Bank and Gaza": "PS",
    "Yemen, Rep.": "YE",
}
# Rows and columns that are not one country (compared case-insensitively: the remittance
# workbook writes "WORLD"): left out, and said so.
NOT_A_COUNTRY = {"channel islands", "other north", "other south", "world"}
# Cells that say "no figure" rather than a figure.
NO_FIGURE = {"", "-", ".."}
# The remittance estimates are USD millions; kept to the thousand dollars.
THOUSANDTHS = Decimal("0.001")

T = TypeVar("T", int, Decimal)


class WorldBankFileError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:3]))
        self.problems = problems


def country_code(name: str) -> str | None:
    """ISO 3166 alpha-2 code for a country named the World Bank's way, or None."""
    name = name.strip()
    if name in WORLD_BANK_NAMES:
        return WORLD_BANK_NAMES[name]
    code = countries.by_name(name)
    if code:
        return str(code)
    try:
        return str(pycountry.countries.lookup(name).alpha_2)
    except LookupError:
        return None


@dataclass
class Matrix(Generic[T]):
    year: int
    cells: dict[tuple[str, str], T]  # (row country, column country) -> figure, non-zero only
    left_out: list[str] = field(default_factory=list)


def _not_a_country(name: object) -> bool:
    return str(name).strip().casefold() in NOT_A_COUNTRY


def read_matrix(handle: IO[bytes], year: int | None = None) -> Matrix[int]:
    """The origin (rows) by destination (columns) matrix of the first sheet, in people. Every
    name that is not a country and every cell that is not a count is reported; totals are
    ignored."""
    return _read(handle, year, round, _("Cell %(cell)s: “%(value)s” is not a number of people."))


def read_amounts(handle: IO[bytes], year: int | None = None) -> Matrix[Decimal]:
    """The same matrix of amounts (the remittance estimates: sending country down, receiving
    country across, USD millions), kept as decimals to three places rather than rounded."""
    return _read(
        handle,
        year,
        lambda value: Decimal(str(value)).quantize(THOUSANDTHS, ROUND_HALF_EVEN),
        _("Cell %(cell)s: “%(value)s” is not an amount."),
    )


def _read(
    handle: IO[bytes], year: int | None, convert: Callable[[float], T], not_a_figure: str
) -> Matrix[T]:
    try:
        workbook = load_workbook(handle, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise WorldBankFileError([_("The file is not a readable XLSX workbook.")]) from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    title = next(rows, ()) or ()
    found = re.search(r"\b(19|20)\d{2}\b", str(title[0] if title else ""))
    year = year or (int(found.group(0)) if found else None)
    if year is None:
        raise WorldBankFileError([_("The year is not in the sheet's title; give it with --year.")])
    header = next(rows, ()) or ()
    problems: list[str] = []
    left_out: set[str] = set()
    columns: dict[int, str] = {}
    for i, name in enumerate(header[1:], start=1):
        if name is None or _not_a_country(name):
            if name is not None:
                left_out.add(str(name).strip())
            continue
        code = country_code(str(name))
        if code is None:
            problems.append(
                _("Cell %(cell)s: “%(name)s” is not a country name Liaison knows.")
                % {"cell": f"{get_column_letter(i + 1)}2", "name": name}
            )
        else:
            columns[i] = code
    if not columns:
        problems.append(_("Row 2 should name the countries of destination; it does not."))
    cells: dict[tuple[str, str], T] = {}
    for number, row in enumerate(rows, start=3):
        if not row or row[0] is None:
            continue
        name = str(row[0]).strip()
        if _not_a_country(name):
            left_out.add(name)
            continue
        if not any(isinstance(v, (int, float)) for v in row[1:]):
            continue  # notes under the table
        origin = country_code(name)
        if origin is None:
            problems.append(
                _("Cell A%(row)s: “%(name)s” is not a country name Liaison knows.")
                % {"row": number, "name": name}
            )
            continue
        for i, destination in columns.items():
            value: Any = row[i] if i < len(row) else None
            if (
                value is None
                or value == 0
                or (isinstance(value, str) and value.strip() in NO_FIGURE)
            ):
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                problems.append(
                    not_a_figure
                    % {"cell": f"{get_column_letter(i + 1)}{number}", "value": str(value)[:40]}
                )
                continue
            figure = convert(value)
            if figure:
                key = (origin, destination)
                cells[key] = cells[key] + figure if key in cells else figure
    workbook.close()
    if problems:
        raise WorldBankFileError(problems)
    return Matrix(year, cells, sorted(left_out))
