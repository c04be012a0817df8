"""The columns of a form version's exports: which header names which question, or which part
of one, in KoboToolbox's layout and in ODK Central's."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from liaison.core.tabular import FORMULA_STARTS

MAX_PROBLEMS = 1000  # a file that wrong is not read further: the first ones say enough
MAX_UNZIPPED = 1 << 30  # a zip (ODK's tables, an XLSX) unpacking beyond 1 GB is refused unread
# Only digits, signs, points and spaces: a number or a location, which a spreadsheet may compute
# but which calls nothing; left as they are.
FIGURES = re.compile(r"[\d.+\-\s]+")

INPUT_KINDS = ("text", "integer", "decimal", "date", "select_one", "select_multiple", "geopoint")
PYXFORM_KINDS = {
    "select one": "select_one",
    "select all that apply": "select_multiple",
    "text": "text",
    "integer": "integer",
    "decimal": "decimal",
    "date": "date",
    "geopoint": "geopoint",
    "calculate": "calculate",
    "note": "note",
    "start": "meta",
    "end": "meta",
    "today": "meta",
}
# Columns the servers add to every export: read for the instance id, version and dates, and
# otherwise left alone.
KOBO_META = frozenset(
    [
        "start",
        "end",
        "today",
        "deviceid",
        "username",
        "instanceID",
        "_id",
        "_uuid",
        "_submission_time",
        "_validation_status",
        "_notes",
        "_status",
        "_submitted_by",
        "__version__",
        "_tags",
        "_index",
        "_parent_index",
        "_parent_table_name",
        "_xform_id_string",
        "_attachments",
        "_geolocation",
        "_media_count",
        "_total_media",
        "_media_all_received",
    ]
)
ODK_META = frozenset(
    [
        "SubmissionDate",
        "KEY",
        "PARENT_KEY",
        "SubmitterID",
        "SubmitterName",
        "AttachmentsPresent",
        "AttachmentsExpected",
        "Status",
        "ReviewState",
        "DeviceID",
        "Edits",
        "FormVersion",
    ]
)
META_PREFIXES = ("meta/", "meta-", "_submission_", "_version_", "formhub/")
INSTANCE_COLUMNS = ("meta/instanceID", "meta-instanceID", "instanceID", "KEY", "_uuid")
VERSION_COLUMNS = ("__version__", "_version_", "FormVersion")
SUBMITTED_COLUMNS = ("_submission_time", "SubmissionDate")
# Kobo's names for a geopoint's parts, and ODK Central's.
GEO_PARTS = (
    ("latitude", "Latitude"),
    ("longitude", "Longitude"),
    ("altitude", "Altitude"),
    ("precision", "Accuracy"),
)
KOBO_TRAILER = [
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
]
ODK_TRAILER = [
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- the form's columns --------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One question as exports see it."""

    name: str
    kind: str  # one of INPUT_KINDS, "calculate", "note", "meta" (start/end/today) or "other"
    path: tuple[str, ...]  # names of the enclosing groups and repeats, then its own
    table: str  # the innermost enclosing repeat, "" for the main table
    choices: tuple[str, ...] = ()

    @property
    def is_input(self) -> bool:
        return self.kind in INPUT_KINDS


@dataclass(frozen=True)
class Column:
    field: Field
    part: str = ""  # "" the value; "choice:<name>" a 0/1 column; "geo:<n>" a geopoint's part


class Layout:
    """The questions of a form version (pyxform's JSON) arranged as exports arrange them: one
    table for the main part of the form and one per repeat."""

    def __init__(self, definition: dict[str, Any]) -> None:
        self.definition = definition
        self.fields: list[Field] = []
        self.repeats: dict[str, tuple[str, ...]] = {}  # repeat name -> its path
        self.parent: dict[str, str] = {}  # repeat -> the repeat around it, "" for none
        self.tables: dict[str, list[Field]] = {"": []}
        self.labels: dict[str, str] = {}  # a question's label (any language) -> its name
        self._walk(definition.get("children", []), (), "")
        self.by_name = {f.name: f for f in self.fields}
        self._columns: dict[str, dict[str, Column]] = {}

    def _walk(
        self, children: list[dict[str, Any]], path: tuple[str, ...], table: str, meta: bool = False
    ) -> None:
        lists = self.definition.get("choices", {})
        for child in children:
            kind, name = child.get("type", ""), child.get("name", "")
            here = (*path, name)
            if kind == "group":
                # pyxform's "meta" group (instanceID ...) is the server's, not a question's.
                bodyless = bool(child.get("control", {}).get("bodyless"))
                self._walk(child.get("children", []), here, table, meta or bodyless)
            elif kind == "repeat":
                self.repeats[name] = here
                self.parent[name] = table
                self.tables[name] = []
                self._walk(child.get("children", []), here, name)
            else:
                listed = child.get("choices") or lists.get(child.get("itemset") or "") or []
                item = Field(
                    name=name,
                    kind="meta" if meta else PYXFORM_KINDS.get(kind, "other"),
                    path=here,
                    table=table,
                    choices=tuple(str(c.get("name", "")) for c in listed),
                )
                self.fields.append(item)
                self.tables[table].append(item)
                label = child.get("label")
                for text in label.values() if isinstance(label, dict) else [label]:
                    if text and isinstance(text, str):
                        self.labels.setdefault(text.strip(), name)

    def relative(self, item: Field) -> tuple[str, ...]:
        """A question's path inside its table (ODK Central's headers)."""
        return item.path[len(self.repeats[item.table]) :] if item.table else item.path

    def columns(self, table: str) -> dict[str, Column]:
        """Every header that may name a question of ``table`` (or a part of one): its name
        alone, its path from the form's root joined by "/" (KoboToolbox), and its path inside
        the table joined by "-" (ODK Central)."""
        if table in self._columns:
            return self._columns[table]
        out: dict[str, Column] = {}
        for item in self.tables[table]:
            relative = self.relative(item)
            spellings = list(
                dict.fromkeys(
                    [item.name, "/".join(item.path), "/".join(relative), "-".join(relative)]
                )
            )
            for spelling in spellings:
                out.setdefault(spelling, Column(item))
            if item.kind == "select_multiple":
                for choice in item.choices:
                    for spelling in spellings:
                        out.setdefault(f"{spelling}/{choice}", Column(item, f"choice:{choice}"))
            if item.kind == "geopoint":
                prefixes = {"", "/".join(item.path[:-1]), "/".join(relative[:-1])}
                for n, (kobo, odk) in enumerate(GEO_PARTS):
                    for prefix in prefixes:
                        lead = f"{prefix}/" if prefix else ""
                        out.setdefault(f"{lead}_{item.name}_{kobo}", Column(item, f"geo:{n}"))
                    for spelling in spellings:
                        out.setdefault(f"{spelling}-{odk}", Column(item, f"geo:{n}"))
        self._columns[table] = out
        return out

    def owner(self, header: str) -> str | None:
        """The table whose questions ``header`` names, if any."""
        for table in self.tables:
            if header in self.columns(table):
                return table
        return None


def is_meta(header: str) -> bool:
    return header in KOBO_META or header in ODK_META or header.startswith(META_PREFIXES)


def guard(text: str) -> str:
    """A CSV cell that a spreadsheet would run as a formula (``=HYPERLINK(…)``, ``@SUM(…)``,
    ``-2+3+cmd|…``), with an apostrophe before it. Text that already starts with apostrophes
    before such a character gets one more, so that ``unguard`` can tell the two apart and an
    export imported again gives back exactly the answers."""
    core = text.lstrip("'")
    if core.startswith(FORMULA_STARTS) and not FIGURES.fullmatch(core):
        return "'" + text
    return text


def unguard(text: str) -> str:
    """A CSV cell as it was before ``guard``."""
    if text.startswith("'"):
        core = text.lstrip("'")
        if core.startswith(FORMULA_STARTS) and not FIGURES.fullmatch(core):
            return text[1:]
    return text


def as_text(value: Any) -> str:
    """A cell as an XForm instance writes it: numbers without a needless ".0", dates as
    2026-03-31, times of day with them only when there is one."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        if value.is_integer():
            return str(int(value))
        text = repr(value)  # 1e-05 as 0.00001: answers are never written with exponents
        return format(Decimal(text), "f") if "e" in text else text
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()  # int, Decimal
