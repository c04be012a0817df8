"""Writing exports: a wave's submissions in KoboToolbox's and ODK Central's layouts.

Answers are the respondents' words and must not act when an officer opens the file: every
XLSX cell is written as text (so "=HYPERLINK(…)" is not a formula), and a CSV cell that a
spreadsheet would run is guarded with an apostrophe (``layout.guard``), which reading takes
off again."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

from liaison.surveys.exchange.layout import (
    GEO_PARTS,
    KOBO_TRAILER,
    ODK_TRAILER,
    Field,
    Layout,
    as_text,
    guard,
)


@dataclass
class Outgoing:
    """One submission to write: its answers in the engine's shape (text values)."""

    pk: int
    instance_id: str
    submitted_at: datetime.datetime | None
    answers: dict[str, Any]


Table = tuple[str, list[str], list[list[str]]]  # (sheet or file name, headers, rows)


def kobo_tables(layout: Layout, title: str, version: str, items: Iterable[Outgoing]) -> list[Table]:
    """The tables of a KoboToolbox export ("XML values and headers", group names included, both
    the choice names and the 0/1 column of each choice): the main one first, named ``title``,
    then one per repeat."""
    main_name = _sheet_name(title or "submissions", set())
    names = {"": main_name}
    for table in layout.repeats:
        names[table] = _sheet_name(table, set(names.values()))
    children = {t: [r for r in layout.repeats if layout.parent[r] == t] for t in layout.tables}
    headers: dict[str, list[str]] = {}
    for table in layout.tables:
        columns = [h for f in _written(layout, table) for h in _kobo_headers(f)]
        if table == "":
            columns += ["meta/instanceID", *KOBO_TRAILER]
        if children[table]:
            columns.append("_index")
        if table:
            columns += ["_parent_table_name", "_parent_index"]
            columns += [f"_submission_{c}" for c in KOBO_TRAILER]
        headers[table] = columns
    rows: dict[str, list[list[str]]] = {t: [] for t in layout.tables}
    indexes = dict.fromkeys(layout.tables, 0)

    def emit(table: str, answers: dict[str, Any], parent_index: int, meta: list[str]) -> None:
        indexes[table] += 1
        index = indexes[table]
        row = [v for f in _written(layout, table) for v in _kobo_values(f, answers.get(f.name))]
        if table == "":
            row += meta  # meta/instanceID, then Kobo's columns
        if children[table]:
            row.append(str(index))
        if table:
            row += [names[layout.parent[table]], str(parent_index), *meta[1:]]
        rows[table].append(row)
        for child in children[table]:
            for entry in answers.get(child) or []:
                emit(child, entry, index, meta)

    for item in items:
        moment = item.submitted_at.astimezone(datetime.UTC) if item.submitted_at else None
        meta = [
            item.instance_id,
            str(item.pk),
            item.instance_id.removeprefix("uuid:"),
            moment.strftime("%Y-%m-%dT%H:%M:%S") if moment else "",
            "",
            "",
            "submitted_via_web",
            "",
            version,
            "",
        ]
        emit("", item.answers, 0, meta)
    return [(names[t], headers[t], rows[t]) for t in layout.tables]


def _written(layout: Layout, table: str) -> list[Field]:
    """The columns exports write: answers and calculations (notes and the server's own
    start/end/today are left out)."""
    return [f for f in layout.tables[table] if f.is_input or f.kind == "calculate"]


def _kobo_headers(item: Field) -> list[str]:
    full = "/".join(item.path)
    if item.kind == "select_multiple":
        return [full, *(f"{full}/{c}" for c in item.choices)]
    if item.kind == "geopoint":
        prefix = "/".join(item.path[:-1])
        lead = f"{prefix}/" if prefix else ""
        return [full, *(f"{lead}_{item.name}_{kobo}" for kobo, _odk in GEO_PARTS)]
    return [full]


def _kobo_values(item: Field, value: Any) -> list[str]:
    text = as_text(value) if not isinstance(value, list) else " ".join(map(str, value))
    if item.kind == "select_multiple":
        chosen = set(text.split())
        marks = [("1" if c in chosen else "0") if text else "" for c in item.choices]
        return [text, *marks]
    if item.kind == "geopoint":
        parts = [*text.split(), "", "", "", ""][:4]
        return [text, *parts]
    return [text]


def write_kobo_xlsx(layout: Layout, title: str, version: str, items: Iterable[Outgoing]) -> bytes:
    workbook = Workbook(write_only=True)
    for name, headers, rows in kobo_tables(layout, title, version, items):
        sheet = workbook.create_sheet(name)
        sheet.append(headers)
        for row in rows:
            sheet.append(_text_cells(sheet, row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _text_cells(sheet: Any, row: list[str]) -> list[Cell]:
    """Cells holding text whatever it looks like: openpyxl would make "=…" a formula. Control
    characters, which XML cannot hold (openpyxl refuses them), are shown as �."""
    cells = []
    for value in row:
        cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
        cell.data_type = "s"
        cells.append(cell)
    return cells


def write_kobo_csv(layout: Layout, title: str, version: str, items: Iterable[Outgoing]) -> bytes:
    """The main table as KoboToolbox writes it: ";" between fields, every field quoted."""
    _name, headers, rows = kobo_tables(layout, title, version, items)[0]
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([guard(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8")


def odk_tables(
    layout: Layout, form_id: str, version: str, items: Iterable[Outgoing]
) -> list[Table]:
    """The tables of an ODK Central "All data and media" zip: ``<form_id>.csv`` and one
    ``<form_id>-<repeat>.csv`` per repeat, whose rows carry ``PARENT_KEY`` and ``KEY``."""
    headers: dict[str, list[str]] = {}
    for table in layout.tables:
        columns = [h for f in _written(layout, table) for h in _odk_headers(layout, f)]
        if table == "":
            headers[table] = ["SubmissionDate", *columns, "meta-instanceID", *ODK_TRAILER]
        else:
            headers[table] = [*columns, "PARENT_KEY", "KEY"]
    rows: dict[str, list[list[str]]] = {t: [] for t in layout.tables}
    children = {t: [r for r in layout.repeats if layout.parent[r] == t] for t in layout.tables}

    def values(table: str, answers: dict[str, Any]) -> list[str]:
        return [v for f in _written(layout, table) for v in _odk_values(f, answers.get(f.name))]

    def entries(table: str, answers: dict[str, Any], key: str) -> None:
        for child in children[table]:
            for position, entry in enumerate(answers.get(child) or [], start=1):
                own = f"{key}/{_key_path(layout, child, table)}[{position}]"
                rows[child].append([*values(child, entry), key, own])
                entries(child, entry, own)

    for item in items:
        stamp = ""
        if item.submitted_at:
            moment = item.submitted_at.astimezone(datetime.UTC)
            stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
        key = item.instance_id
        trailer = [key, key, "", "", "0", "0", "", "", "", "0", version]  # meta-instanceID ...
        rows[""].append([stamp, *values("", item.answers), *trailer])
        entries("", item.answers, key)
    return [
        (f"{form_id}.csv" if not t else f"{form_id}-{t}.csv", headers[t], rows[t])
        for t in layout.tables
    ]


def _key_path(layout: Layout, repeat: str, parent: str) -> str:
    """The groups between a repeat and the table around it, then the repeat: the steps ODK
    Central writes into a KEY (``household/person``)."""
    start = len(layout.repeats[parent]) if parent else 0
    return "/".join(layout.repeats[repeat][start:])


def _odk_headers(layout: Layout, item: Field) -> list[str]:
    base = "-".join(layout.relative(item))
    if item.kind == "geopoint":
        return [f"{base}-{odk}" for _kobo, odk in GEO_PARTS]
    return [base]


def _odk_values(item: Field, value: Any) -> list[str]:
    text = as_text(value) if not isinstance(value, list) else " ".join(map(str, value))
    if item.kind == "geopoint":
        return [*text.split(), "", "", "", ""][:4]
    return [text]


def write_odk_zip(layout: Layout, form_id: str, version: str, items: Iterable[Outgoing]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, headers, rows in odk_tables(layout, form_id, version, items):
            text = io.StringIO(newline="")
            writer = csv.writer(text, lineterminator="\n")
            writer.writerow(headers)
            writer.writerows([guard(v) for v in row] for row in rows)
            archive.writestr(name, text.getvalue())
    return out.getvalue()


def _sheet_name(name: str, taken: set[str]) -> str:
    """An Excel sheet name: no []:*?/\\ and at most 31 characters, unique in the workbook."""
    clean = re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31] or "submissions"
    candidate, n = clean, 1
    while candidate in taken:
        n += 1
        suffix = f" ({n})"
        candidate = clean[: 31 - len(suffix)] + suffix
    return candidate
