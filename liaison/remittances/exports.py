"""The indices' corridor table and trend as CSV and XLSX, through ``core.tabular`` (text cells
a spreadsheet would run as formulas are neutralised there).

Every row repeats the selection (quarter, price point, providers counted), so that a file read
alone, or several files pasted together, still say what they hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from liaison.core import tabular
from liaison.remittances.indices import OBSERVATIONS, Indices, Selection, TrendPoint

FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": tabular.XLSX_TYPE}

Table = tuple[list[str], list[list[Any]]]


def _number(value: Decimal | None) -> Any:
    """Figures as numbers in both formats: a negative cost (a rate better than the interbank
    one) must stay a number, not become text behind the formula guard."""
    return "" if value is None else float(value)


def _selection(selection: Selection) -> list[Any]:
    return [selection.period.key, selection.price_point, selection.providers_counted]


def _selection_header() -> list[str]:
    return [_("Quarter"), _("Price point (USD)"), _("Providers counted")]


def corridor_table(indices: Indices) -> Table:
    """The corridors, cheapest first, as on the page."""
    header = [
        *_selection_header(),
        _("Sending country"),
        _("Sending currency"),
        _("Receiving country"),
        _("Receiving currency"),
        _("Region"),
        _("Average total cost (%)"),
        _("Services"),
        _("Cheapest service (%)"),
        _("SmaRT (%)"),
        _("Services qualifying for SmaRT"),
        _("Weight: remittance flow (USD millions)"),
        _("Above the SDG ceiling of 5%"),
    ]
    rows = [
        [
            *_selection(indices.selection),
            r.corridor.source_country.code,
            r.corridor.source_currency,
            r.corridor.destination_country.code,
            r.corridor.destination_currency,
            r.region_label,
            _number(r.average),
            r.services,
            _number(r.cheapest),
            _number(r.smart),
            r.smart_services,
            _number(r.flow),
            _("yes") if r.above_ceiling else _("no"),
        ]
        for r in indices.corridors
    ]
    return header, rows


def trend_table(selection: Selection, points: Sequence[TrendPoint]) -> Table:
    """The global average by quarter, each point with its source."""
    header = [
        _("Quarter"),
        _("Global average total cost (%)"),
        _("Source"),
        _("Corridors"),
        _("Services"),
        _("Price point (USD)"),
        _("Providers counted"),
    ]
    rows = [
        [
            p.period.key,
            _number(p.average),
            p.source_label,
            p.corridors,
            "" if p.services is None else p.services,
            selection.price_point,
            # DataBank's averages are the World Bank's, not counted by Liaison's rule.
            selection.providers_counted if p.source == OBSERVATIONS else "",
        ]
        for p in points
    ]
    return header, rows


def render(table: Table, fmt: str) -> bytes:
    header, rows = table
    if fmt == "csv":
        return tabular.to_csv(header, rows).encode("utf-8")
    if fmt == "xlsx":
        return tabular.to_xlsx(header, rows)
    raise ValueError(fmt)
