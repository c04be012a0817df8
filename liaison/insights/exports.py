"""The dashboard's and the survey results' tables as CSV, XLSX and a printable PDF: the same
filters, the same suppressed figures as on screen."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from liaison.core import tabular
from liaison.insights.aggregates import Table, threshold

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": tabular.XLSX_TYPE,
    "pdf": "application/pdf",
}


@dataclass
class Report:
    """What an export holds: a title, the filters in force and the tables."""

    title: str
    filters: list[tuple[str, str]]
    tables: list[Table]
    total: int | None
    unit: str
    empty_message: str = ""


def hidden_mark() -> str:
    return _("hidden")


def explanation() -> str:
    return _(
        "Counts from 1 to %(n)s are hidden, and so are the next smallest when the hidden cells "
        "could otherwise be worked out from the total; every hidden cell reads “hidden”. "
        "Filters show nothing when their figures, compared with those of a wider selection, "
        "would tell something about fewer than %(k)s people."
    ) % {"n": threshold() - 1, "k": threshold()}


def _cell(value: Any) -> Any:
    return hidden_mark() if value is None else value


def _header(t: Table) -> list[str]:
    return [_("Code"), t.title, t.unit or _("Count"), _("Share (%)"), *t.columns]


def _body(t: Table) -> list[list[Any]]:
    return [
        [r.key, r.label, _cell(r.count), "" if r.share is None else r.share, *_extras(r.extra)]
        for r in t.rows
    ]


def _extras(values: Sequence[Any]) -> list[Any]:
    return ["" if v is None else v for v in values]


def to_csv(report: Report) -> bytes:
    """One long table: each row names its panel, so that it filters and pivots as it is."""
    width = max((len(t.columns) for t in report.tables), default=0)
    header = [_("Table"), _("Code"), _("Category"), _("Count"), _("Share (%)")]
    header += [f"{_('Column')} {i + 1}" for i in range(width)]
    rows: list[list[Any]] = []
    if report.empty_message:
        rows.append(["", "", report.empty_message, "", ""])
    for t in report.tables:
        if t.withheld:
            rows.append([t.title, "", t.note, "", ""])
        if t.columns:
            rows.append([t.title, "", _("(columns)"), "", "", *t.columns])
        for r in t.rows:
            rows.append(
                [
                    t.title,
                    r.key,
                    r.label,
                    _cell(r.count),
                    "" if r.share is None else r.share,
                    *_extras(r.extra),
                ]
            )
        if t.total is not None:
            rows.append([t.title, "", _("Total"), t.total, "", *([""] * len(t.columns))])
        for label, value in t.summary:
            rows.append([t.title, "", label, value, ""])
    return tabular.to_csv(header, rows).encode("utf-8")


def to_xlsx(report: Report) -> bytes:
    """A sheet about the export (filters, suppression), then one sheet per table."""
    workbook = Workbook()
    about = workbook.active
    assert about is not None
    about.title = _("About")[:31]
    about.append([report.title])
    about["A1"].font = Font(bold=True, size=14)
    about.append([_("Produced"), date_format(timezone.localtime(), "DATETIME_FORMAT")])
    about.append([_("Filters"), "; ".join(f"{n}: {v}" for n, v in report.filters) or _("none")])
    about.append([_("Total"), _cell(report.total) if report.total is not None else ""])
    about.append([_("Confidentiality"), explanation()])
    if report.empty_message:
        about.append([report.empty_message])
    used: set[str] = set()
    for t in report.tables:
        name = _sheet_name(t.title, used)
        sheet = workbook.create_sheet(name)
        sheet.append([tabular.safe_cell(t.title)])
        sheet["A1"].font = Font(bold=True)
        if t.note:
            sheet.append([tabular.safe_cell(t.note)])
        sheet.append([tabular.safe_cell(v) for v in _header(t)])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for row in _body(t):
            sheet.append([tabular.safe_cell(v) for v in row])
        if t.total is not None:
            sheet.append(["", _("Total"), t.total])
        for label, value in t.summary:
            sheet.append(["", tabular.safe_cell(label), tabular.safe_cell(value)])
        sheet.column_dimensions["B"].width = 48
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\, unique."""
    base = "".join(" " if c in "[]:*?/\\" else c for c in title).strip()[:28] or "table"
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:26]} {n}"
        n += 1
    used.add(name.lower())
    return name


def to_pdf(report: Report) -> bytes:
    """A printable A4 summary: title, filters, the confidentiality rule, then every table."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        TableStyle,
    )
    from reportlab.platypus import Table as PdfTable

    styles = getSampleStyleSheet()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=report.title,
        author=str(settings.SITE_NAME),
    )

    def para(text: str, style: str = "BodyText") -> Paragraph:
        return Paragraph(escape(str(text)), styles[style])

    story: list[Any] = [para(report.title, "Title")]
    produced = date_format(timezone.localtime(), "DATETIME_FORMAT")
    story.append(para(f"{_('Produced')}: {produced}"))
    filters = "; ".join(f"{n}: {v}" for n, v in report.filters) or _("none")
    story.append(para(f"{_('Filters')}: {filters}"))
    if report.total is not None:
        story.append(para(f"{_('Total')}: {report.total} {report.unit}"))
    story.append(para(explanation(), "Italic"))
    if report.empty_message:
        story.append(Spacer(1, 6 * mm))
        story.append(para(report.empty_message, "Heading3"))
    for t in report.tables:
        head = [_("Category"), t.unit or _("Count"), _("Share (%)"), *t.columns]
        data: list[list[Any]] = [[para(h, "BodyText") for h in head]]
        for r in t.rows:
            data.append(
                [
                    para(r.label),
                    _cell(r.count),
                    "" if r.share is None else r.share,
                    *_extras(r.extra),
                ]
            )
        if t.total is not None:
            data.append([para(_("Total")), t.total, "", *([""] * len(t.columns))])
        grid = PdfTable(
            data, repeatRows=1, hAlign="LEFT", colWidths=[80 * mm] + [None] * (len(head) - 1)
        )
        grid.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#adb5bd")),
                    ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("FONTSIZE", (0, 0), (-1, -1), 9),
                ]
            )
        )
        block: list[Any] = [Spacer(1, 5 * mm), para(t.title, "Heading3")]
        if t.note:
            block.append(para(t.note, "Italic"))
        for label, value in t.summary:
            block.append(para(f"{label}: {value}"))
        story.append(KeepTogether([*block, grid]) if len(data) < 25 else block[0])
        if len(data) >= 25:
            story.extend([*block[1:], grid])
    doc.build(story)
    return out.getvalue()


def render(report: Report, fmt: str) -> bytes:
    if fmt == "csv":
        return to_csv(report)
    if fmt == "xlsx":
        return to_xlsx(report)
    if fmt == "pdf":
        return to_pdf(report)
    raise ValueError(fmt)
