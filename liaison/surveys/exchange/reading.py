"""Reading exports: an XLSX workbook, a CSV or a zip of CSVs into records of answers."""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from liaison.surveys.exchange.layout import (
    INSTANCE_COLUMNS,
    MAX_PROBLEMS,
    MAX_UNZIPPED,
    SUBMITTED_COLUMNS,
    VERSION_COLUMNS,
    Field,
    Layout,
    as_text,
    is_meta,
    unguard,
)

# What PostgreSQL cannot hold in text or jsonb: the NUL character, and halves of surrogate pairs
# (a CSV's cells can hold NUL bytes; an XLSX's XML cannot, but the names of a zip's files can).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters but tab, LF, CR

# --- what reading finds ----------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    sheet: str  # the sheet, or the file inside a zip, or the file
    row: int  # 0 when the problem is the file's, not a row's
    column: str  # the header as written in the file, when there is one
    message: str
    question: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "question": self.question,
            "reason": self.message,
        }


class ExchangeError(Exception):
    """The file cannot be read as an export at all; nothing was stored."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems[:3]))
        self.problems = problems


@dataclass
class Record:
    """One submission read from a file."""

    sheet: str
    row: int
    instance_id: str
    version: str
    submitted_at: datetime.datetime | None
    started_at: datetime.datetime | None
    answers: dict[str, Any]
    # Where each entry came from: () the main row, (2,) the second entry of a repeat ...
    places: dict[tuple[int, ...], tuple[str, int]] = field(default_factory=dict)


@dataclass
class Parsed:
    source: str  # "kobo", "odk" or "file" (Submission.Source values)
    records: list[Record]
    problems: list[Problem]
    notices: list[str]
    # (sheet, question) -> the header that holds it, to name the column of a problem.
    headers: dict[tuple[str, str], str] = field(default_factory=dict)
    instance_column: str = ""  # the main table's header holding the instance ids
    version_column: str = ""  # ... and the one holding the form version, if any

    def place(self, record: Record, question: str, instance: tuple[int, ...]) -> Problem:
        """An empty problem pointing at the cell of ``question`` in ``record``."""
        while instance and instance not in record.places:
            instance = instance[:-1]
        sheet, row = record.places.get(instance, (record.sheet, record.row))
        return Problem(sheet, row, self.headers.get((sheet, question), ""), "", question)


@dataclass
class Sheet:
    name: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (row number in the file, cells)
    problems: list[Problem] = field(default_factory=list)  # cells that cannot be stored


# --- reading -------------------------------------------------------------------------------


def read(handle: IO[bytes], file_name: str, layout: Layout) -> Parsed:
    """The submissions in an export of ``layout``'s form; ``ExchangeError`` when the file is
    not a readable XLSX workbook, CSV or zip of CSVs. Problems of columns, links between tables
    and cells are in ``Parsed.problems``; the rules of the form are the engine's to check."""
    content = handle.read()
    if not content.strip():
        raise _file_error(file_name, _("The file is empty."))
    sheets: list[Sheet]
    if content[:4] == b"PK\x03\x04":
        try:
            archive = zipfile.ZipFile(io.BytesIO(content))
            names = archive.namelist()
        except zipfile.BadZipFile as exc:
            raise _file_error(file_name, _("The file is a damaged zip or XLSX file.")) from exc
        if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED:
            raise _file_error(
                file_name,
                _(
                    "The file unpacks to more than %(n)s MB: it is too large to read, or not a "
                    "real export. Split it into smaller files."
                )
                % {"n": MAX_UNZIPPED >> 20},
            )
        if "[Content_Types].xml" in names:
            sheets = _xlsx_sheets(content, file_name)
        else:
            sheets = _zip_sheets(archive, file_name)
    elif content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _file_error(
            file_name,
            _(
                "This is an old Excel (.xls) workbook. Export again as XLSX, or open it in a "
                "spreadsheet and save it as .xlsx."
            ),
        )
    else:
        sheets = [_csv_sheet(content, file_name)]
    parsed = _parse(sheets, layout)
    parsed.problems[:0] = [p for sheet in sheets for p in sheet.problems]
    return parsed


def _file_error(file_name: str, message: str) -> ExchangeError:
    return ExchangeError([Problem(_storable(file_name), 0, "", message)])


def _xlsx_sheets(content: bytes, file_name: str) -> list[Sheet]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise _file_error(file_name, _("The file is not a readable XLSX workbook.")) from exc
    try:
        return [
            _sheet(ws.title, ws.iter_rows(values_only=True), file_name)
            for ws in workbook.worksheets
        ]
    finally:
        workbook.close()


def _zip_sheets(archive: zipfile.ZipFile, file_name: str) -> list[Sheet]:
    members = [
        info
        for info in archive.infolist()
        if info.filename.lower().endswith(".csv") and not info.filename.startswith("__MACOSX")
    ]
    if not members:
        raise _file_error(
            file_name,
            _("The zip holds no CSV file: it is not an ODK Central export of submissions."),
        )
    return [_csv_sheet(archive.read(info), info.filename.rsplit("/", 1)[-1]) for info in members]


def _csv_sheet(content: bytes, name: str) -> Sheet:
    try:
        text = codecs.decode(content, "utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise _file_error(
            name,
            _(
                "The file is neither an XLSX workbook, a zip nor UTF-8 text (byte 0x%(byte)02x "
                "on line %(line)s). Export it again, or save it as “CSV UTF-8”."
            )
            % {"byte": content[exc.start], "line": line},
        ) from exc
    first = text.split("\n", 1)[0]
    if CONTROL.search(first):  # no export's header holds them; binary files soon do
        raise _file_error(name, _("The file is not a CSV, XLSX or zip file."))
    # Kobo writes ";" by default and "," on request, ODK Central ",": the header decides.
    delimiter = max((",", ";", "\t"), key=lambda d: len(next(csv.reader([first], delimiter=d), [])))
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _sheet(name, rows, name, guarded=True)


def _sheet(
    name: str, rows: Iterable[Iterable[Any]], file_name: str, guarded: bool = False
) -> Sheet:
    """A table's rows, with every cell that cannot be stored (a NUL character ...) noted as a
    problem of its row and column and made storable, so that the messages quoting it can be
    kept too. ``guarded``: a CSV, whose cells ``writing`` guarded against spreadsheets."""
    sheet = Sheet(_storable(name), [], [])
    iterator = iter(rows)
    reading = 1  # the row being read, for the message when it cannot be
    try:
        header = next(iterator, None)
        headers = [str(h).strip() if h is not None else "" for h in header or ()]
        headers = [_checked(sheet, 1, str(n + 1), h) for n, h in enumerate(headers)]
        while headers and not headers[-1]:
            headers.pop()
        sheet.headers = headers
        reading = 2
        for number, cells in enumerate(iterator, start=2):
            values = [
                _checked(sheet, number, _header(headers, n), unguard(v) if guarded else v)
                if isinstance(v, str)
                else v
                for n, v in enumerate(cells)
            ]
            if any(v is not None and str(v).strip() for v in values):
                sheet.rows.append((number, values))
            reading = number + 1
    except (ValueError, SyntaxError, csv.Error) as exc:
        # openpyxl reading a number of thousands of digits or broken XML, the csv module a
        # field beyond its 131,072 characters ...
        raise _file_error(
            file_name,
            _(
                "Row %(r)s of “%(s)s” cannot be read: it holds a cell that no export writes (a "
                "number thousands of digits long, a text of more than 131,072 characters)."
            )
            % {"r": reading, "s": sheet.name},
        ) from exc
    return sheet


def _header(headers: list[str], index: int) -> str:
    return headers[index] if index < len(headers) and headers[index] else str(index + 1)


def _storable(text: str) -> str:
    return UNSTORABLE.sub("\ufffd", text)


def _checked(sheet: Sheet, row: int, column: str, value: str) -> str:
    """``value``, made storable; a problem of its cell when it had to be."""
    if not UNSTORABLE.search(value):
        return value
    if len(sheet.problems) < MAX_PROBLEMS:
        sheet.problems.append(
            Problem(
                sheet.name,
                row,
                column,
                _(
                    "The cell holds a NUL character or a broken one (shown as �), which cannot "
                    "be stored: remove it, or export the file again."
                ),
            )
        )
    return _storable(value)


# --- from tables to records ------------------------------------------------------------------


@dataclass
class _Reader:
    """How one table's columns become answers."""

    table: str
    sheet: Sheet
    values: list[tuple[Field, int]]  # plain questions: (field, cell index)
    selects: list[tuple[Field, int | None, list[tuple[str, int]]]]
    geopoints: list[tuple[Field, int | None, list[tuple[int, int]]]]
    meta: dict[str, int]  # meta header -> cell index


def _parse(sheets: list[Sheet], layout: Layout) -> Parsed:
    parsed = Parsed("file", [], [], [])
    main, repeats = _arrange(sheets, layout, parsed)
    if main is None:
        return parsed
    headers = set(main.headers)
    if headers & {"KEY", "SubmissionDate", "FormVersion"}:
        parsed.source = "odk"
    elif headers & {"_uuid", "_id", "_submission_time", "__version__", "_index"}:
        parsed.source = "kobo"
    readers = [_reader("", main, layout, parsed)]
    readers += [_reader(table, sheet, layout, parsed) for table, sheet in repeats]
    if not any(h in main.headers for h in INSTANCE_COLUMNS):
        parsed.problems.append(
            Problem(
                main.name,
                1,
                "",
                _(
                    "No column holds the submissions' instance ids (meta/instanceID, _uuid or "
                    "KEY): without them a submission imported twice cannot be recognised."
                ),
            )
        )
    if not main.rows:
        parsed.problems.append(Problem(main.name, 0, "", _("The file holds no submissions.")))
    if parsed.problems:
        return parsed
    missing = [t for t in layout.repeats if t not in dict(repeats)]
    if missing and any(any(f.is_input for f in layout.tables[t]) for t in missing):
        parsed.notices.append(
            _(
                "The file has no table for the repeat(s) %(r)s: their answers are not in it. "
                "Kobo's CSV export holds the main table only; its XLSX export holds them all."
            )
            % {"r": ", ".join(f"“{t}”" for t in missing)}
        )
    _records(readers, layout, parsed)
    return parsed


def _arrange(
    sheets: list[Sheet], layout: Layout, parsed: Parsed
) -> tuple[Sheet | None, list[tuple[str, Sheet]]]:
    """The main table and each repeat's, in the form's order (parents before children)."""
    main: Sheet | None = None
    found: dict[str, Sheet] = {}
    for sheet in sheets:
        if not sheet.headers and not sheet.rows:
            continue  # an empty sheet (a repeat nobody answered, a blank tab)
        if not sheet.headers:
            parsed.problems.append(
                Problem(sheet.name, 1, "", _("The first row must name the columns; it is empty."))
            )
            continue
        table = _table_of(sheet, layout, main is None)
        if table is None:
            parsed.problems.append(
                Problem(
                    sheet.name,
                    0,
                    "",
                    _("The sheet “%(s)s” is not the table of a repeat of this form version.")
                    % {"s": sheet.name},
                )
            )
        elif table == "":
            if main is None:
                main = sheet
            else:
                parsed.problems.append(
                    Problem(
                        sheet.name,
                        0,
                        "",
                        _("The file holds two main tables, “%(a)s” and “%(b)s”.")
                        % {"a": main.name, "b": sheet.name},
                    )
                )
        elif table in found:
            parsed.problems.append(
                Problem(
                    sheet.name,
                    0,
                    "",
                    _("“%(a)s” and “%(b)s” both hold the repeat “%(r)s”.")
                    % {"a": found[table].name, "b": sheet.name, "r": table},
                )
            )
        else:
            found[table] = sheet
    if main is None and not parsed.problems:
        parsed.problems.append(Problem("", 0, "", _("The file holds no table of submissions.")))
    return main, [(t, found[t]) for t in layout.repeats if t in found]


def _table_of(sheet: Sheet, layout: Layout, first: bool) -> str | None:
    """Which table a sheet holds: the main one has no parent column; a repeat's sheet (Kobo)
    or file (ODK: ``<form_id>-<repeat>.csv``, ``~2`` for a second repeat of the same name)
    is named after the repeat, which its columns confirm."""
    linked = "PARENT_KEY" in sheet.headers or "_parent_index" in sheet.headers
    if not linked:
        return "" if first or "KEY" in sheet.headers or "_uuid" in sheet.headers else None
    stem = re.sub(r"(~\d+)?\.csv$", "", sheet.name, flags=re.IGNORECASE)
    named = [
        t
        for t in layout.repeats
        if stem == t or stem == t[:31] or stem.endswith(f"-{t}") or stem.endswith(f"-{t[:31]}")
    ]
    if len(named) == 1:
        return named[0]
    # Otherwise by its columns: the repeat whose questions it names most.
    counts = {t: sum(1 for h in sheet.headers if h in layout.columns(t)) for t in layout.repeats}
    counts = {t: n for t, n in counts.items() if n and (not named or t in named)}
    if not counts:
        return None
    return max(counts, key=lambda t: counts[t])


def _reader(table: str, sheet: Sheet, layout: Layout, parsed: Parsed) -> _Reader:
    columns = layout.columns(table)
    reader = _Reader(table, sheet, [], [], [], {})
    selects: dict[str, tuple[Field, int | None, list[tuple[str, int]]]] = {}
    geos: dict[str, tuple[Field, int | None, list[tuple[int, int]]]] = {}
    seen: dict[str, int] = {}
    for index, header in enumerate(sheet.headers):
        if not header:
            if any(index < len(c) and as_text(c[index]) for _n, c in sheet.rows):
                parsed.problems.append(
                    Problem(
                        sheet.name,
                        1,
                        "",
                        _("Column %(n)s has values but no name in the first row.")
                        % {"n": index + 1},
                    )
                )
            continue
        if header in seen:
            parsed.problems.append(
                Problem(
                    sheet.name,
                    1,
                    header,
                    _("Columns %(a)s and %(b)s have the same name “%(h)s”.")
                    % {"a": seen[header] + 1, "b": index + 1, "h": header},
                )
            )
            continue
        seen[header] = index
        column = columns.get(header)
        if column is None:
            if is_meta(header):
                reader.meta[header] = index
            else:
                parsed.problems.append(_unknown_column(sheet.name, header, layout, table))
            continue
        item = column.field
        if item.kind == "meta":  # start, end, meta/instanceID: the server's own columns
            reader.meta[header] = index
            continue
        parsed.headers.setdefault((sheet.name, item.name), header)
        if item.kind == "select_multiple":
            summary, details = selects.get(item.name, (item, None, []))[1:]
            if column.part:
                details.append((column.part.removeprefix("choice:"), index))
            else:
                summary = index
            selects[item.name] = (item, summary, details)
        elif item.kind == "geopoint":
            whole, parts = geos.get(item.name, (item, None, []))[1:]
            if column.part:
                parts.append((int(column.part.removeprefix("geo:")), index))
            else:
                whole = index
            geos[item.name] = (item, whole, parts)
        elif item.is_input:
            reader.values.append((item, index))
        # calculations, notes and start/end/today: recognised, not read (the engine computes
        # calculations again; the server records the others)
    reader.selects = list(selects.values())
    reader.geopoints = list(geos.values())
    return reader


def _unknown_column(sheet: str, header: str, layout: Layout, table: str) -> Problem:
    owner = layout.owner(header)
    if owner is not None and owner != table:
        message = (
            _(
                "Column “%(c)s” (row 1) belongs to the repeat “%(r)s”; its answers go in that "
                "repeat's own table."
            )
            % {"c": header, "r": owner}
            if owner
            else _("Column “%(c)s” (row 1) belongs to the main table, not to a repeat's.")
            % {"c": header}
        )
    elif header in layout.labels:
        message = _(
            "Column “%(c)s” (row 1) is the label of the question “%(n)s”, not its name: export "
            "with “XML values and headers”."
        ) % {"c": header, "n": layout.labels[header]}
    else:
        message = _("Column “%(c)s” (row 1) is not a question of this form version.") % {
            "c": header
        }
    return Problem(sheet, 1, header, message)


def _records(readers: list[_Reader], layout: Layout, parsed: Parsed) -> None:
    """Read the main table's rows into records, then each repeat's rows into the entries of
    their parents (found by ``_parent_index`` -> ``_index`` in Kobo's layout, ``PARENT_KEY`` ->
    ``KEY`` in ODK Central's)."""
    main = readers[0]
    parsed.instance_column = next((c for c in INSTANCE_COLUMNS if c in main.meta), "")
    parsed.version_column = next((c for c in VERSION_COLUMNS if c in main.meta), "")
    # table -> link value -> (record, the entry's answers, its instance)
    links: dict[str, dict[str, tuple[Record, dict[str, Any], tuple[int, ...]]]] = {"": {}}
    by_uuid: dict[str, tuple[Record, dict[str, Any], tuple[int, ...]]] = {}
    for number, cells in main.sheet.rows:
        answers = _answers(main, number, cells, parsed)
        meta = {h: as_text(_cell(cells, i)) for h, i in main.meta.items()}
        record = Record(
            sheet=main.sheet.name,
            row=number,
            instance_id=_instance_id(meta),
            version=next((meta[c] for c in VERSION_COLUMNS if meta.get(c)), ""),
            submitted_at=_moment(meta, SUBMITTED_COLUMNS, main.sheet.name, number, parsed),
            started_at=_moment(meta, ("start",), main.sheet.name, number, parsed),
            answers=answers,
            places={(): (main.sheet.name, number)},
        )
        if not record.instance_id:
            parsed.problems.append(
                Problem(main.sheet.name, number, "", _("The row has no instance id."))
            )
        parsed.records.append(record)
        entry = (record, answers, ())
        for column in ("_index", "KEY"):
            if meta.get(column):
                links[""][meta[column]] = entry
                break
        if meta.get("_uuid"):
            by_uuid[meta["_uuid"]] = entry
        if len(parsed.problems) >= MAX_PROBLEMS:
            return
    counts: dict[tuple[int, str, tuple[int, ...]], int] = {}
    for reader in readers[1:]:
        parent_table = layout.parent[reader.table]
        links[reader.table] = {}
        own = "_index" if "_index" in reader.meta else "KEY"
        for number, cells in reader.sheet.rows:
            meta = {h: as_text(_cell(cells, i)) for h, i in reader.meta.items()}
            pointer = meta.get("_parent_index") or meta.get("PARENT_KEY") or ""
            parent = links[parent_table].get(pointer) if pointer else None
            if parent is None and not parent_table and meta.get("_submission__uuid"):
                parent = by_uuid.get(meta["_submission__uuid"])
            if parent is None:
                parsed.problems.append(_orphan(reader, number, pointer, parsed))
                continue
            record, holder, instance = parent
            key = (id(record), reader.table, instance)
            counts[key] = counts.get(key, 0) + 1
            here = (*instance, counts[key])
            answers = _answers(reader, number, cells, parsed)
            holder.setdefault(reader.table, []).append(answers)
            record.places[here] = (reader.sheet.name, number)
            if meta.get(own):
                links[reader.table][meta[own]] = (record, answers, here)
            if len(parsed.problems) >= MAX_PROBLEMS:
                return


def _orphan(reader: _Reader, number: int, pointer: str, parsed: Parsed) -> Problem:
    column = "_parent_index" if "_parent_index" in reader.meta else "PARENT_KEY"
    message = (
        _("“%(p)s” is not the %(c)s of any row of the table this repeat belongs to.")
        % {"p": pointer, "c": "_index" if column == "_parent_index" else "KEY"}
        if pointer
        else _("The row does not say which submission it belongs to (%(c)s is empty).")
        % {"c": column}
    )
    return Problem(reader.sheet.name, number, column, message)


def _answers(reader: _Reader, number: int, cells: list[Any], parsed: Parsed) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for item, index in reader.values:
        value = as_text(_cell(cells, index))
        if value:
            answers[item.name] = value
    for item, summary, details in reader.selects:
        chosen = as_text(_cell(cells, summary)).split() if summary is not None else None
        ticked: list[str] = []
        filled = False
        for choice, index in details:
            raw = as_text(_cell(cells, index)).lower()
            if raw in ("1", "true", "yes"):
                ticked.append(choice)
                filled = True
            elif raw in ("0", "false", "no"):
                filled = True
            elif raw:
                parsed.problems.append(
                    Problem(
                        reader.sheet.name,
                        number,
                        reader.sheet.headers[index],
                        _("Write 1 (chosen) or 0 (not chosen), not “%(v)s”.") % {"v": raw[:40]},
                        item.name,
                    )
                )
        if chosen is None:
            chosen = ticked
        elif filled and details and set(chosen) & {c for c, _i in details} != set(ticked):
            parsed.problems.append(
                Problem(
                    reader.sheet.name,
                    number,
                    reader.sheet.headers[summary] if summary is not None else "",
                    _("The choices “%(a)s” differ from the 0/1 columns, which say “%(b)s”.")
                    % {"a": " ".join(chosen), "b": " ".join(ticked)},
                    item.name,
                )
            )
        if chosen:
            answers[item.name] = " ".join(chosen)
    for item, whole, parts in reader.geopoints:
        value = as_text(_cell(cells, whole)) if whole is not None else ""
        if not value and parts:
            pieces = ["", "", "", ""]
            for n, index in parts:
                pieces[n] = as_text(_cell(cells, index))
            value = " ".join(pieces).strip()
        if value:
            answers[item.name] = " ".join(value.split())
    return answers


def _cell(cells: list[Any], index: int | None) -> Any:
    return cells[index] if index is not None and index < len(cells) else None


def _instance_id(meta: dict[str, str]) -> str:
    for column in INSTANCE_COLUMNS:
        value = meta.get(column, "")
        if value:
            return value if value.startswith("uuid:") or column != "_uuid" else f"uuid:{value}"
    return ""


def _moment(
    meta: dict[str, str], columns: tuple[str, ...], sheet: str, row: int, parsed: Parsed
) -> datetime.datetime | None:
    for column in columns:
        text = meta.get(column, "")
        if not text:
            continue
        try:
            moment = datetime.datetime.fromisoformat(text.replace(" ", "T", 1))
        except ValueError:
            parsed.problems.append(
                Problem(
                    sheet,
                    row,
                    column,
                    _("“%(v)s” is not a date and time (2026-03-31T14:05:00).") % {"v": text[:40]},
                )
            )
            return None
        if moment.tzinfo is None:  # Kobo writes its submission times in UTC, without a zone
            moment = moment.replace(tzinfo=datetime.UTC)
        return moment
    return None
