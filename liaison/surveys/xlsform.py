"""Reading questionnaires written in XLSForm, the standard of ODK and KoboToolbox.

``read`` checks a workbook row by row and column by column, then has ``pyxform`` (the reference
implementation) build the form. Everything Liaison does not support, every unknown type, every
duplicate name, every expression that cannot be read or refers to a question that does not exist,
and every cycle between ``relevant`` and ``calculate`` expressions is reported with its sheet,
row and column; a workbook with any problem is refused as a whole.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from pyxform import xls2xform
from pyxform.errors import PyXFormError

from liaison.surveys import xpath

SUPPORTED_TYPES = {
    "text",
    "integer",
    "decimal",
    "date",
    "select_one",
    "select_multiple",
    "geopoint",
    "note",
    "calculate",
    "begin_group",
    "end_group",
    "begin_repeat",
    "end_repeat",
    # Metadata the server records itself.
    "start",
    "end",
    "today",
}
# XLSForm types Liaison does not collect (yet): named, so that the message says so.
KNOWN_UNSUPPORTED = {
    "time",
    "datetime",
    "image",
    "audio",
    "video",
    "file",
    "barcode",
    "range",
    "rank",
    "geotrace",
    "geoshape",
    "acknowledge",
    "trigger",
    "hidden",
    "username",
    "deviceid",
    "phonenumber",
    "email",
    "audit",
    "background-audio",
    "select_one_from_file",
    "select_multiple_from_file",
    "xml-external",
    "csv-external",
    "start-geopoint",
    "begin_loop",
    "end_loop",
}
# Survey columns Liaison reads; "label", "hint", "constraint_message" and "required_message" may
# carry a language ("label::French (fr)").
SURVEY_COLUMNS = {
    "type",
    "name",
    "label",
    "hint",
    "required",
    "required_message",
    "relevant",
    "constraint",
    "constraint_message",
    "calculation",
    "calculate",
    "default",
    "choice_filter",
    "appearance",
    "read_only",
    "guidance_hint",
}
EXPRESSION_COLUMNS = ("relevant", "constraint", "calculation", "calculate", "choice_filter")
TRANSLATED = ("label", "hint", "constraint_message", "required_message", "guidance_hint")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
LANGUAGE = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[a-zA-Z]{2,3}(?:-[A-Za-z0-9]+)?)\)\s*$")
YES_NO = {"", "yes", "no", "true", "false", "true()", "false()"}


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int  # 0 when the problem is the workbook's, not a row's
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "reason": self.message}


class XLSFormError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems[:3]))
        self.problems = problems


@dataclass
class Form:
    form_id: str
    title: str
    version: str
    languages: list[tuple[str, str]]  # (name as written, code), e.g. ("French (fr)", "fr")
    definition: dict[str, Any]  # pyxform's JSON form of the questionnaire
    questions: int


@dataclass
class _Sheet:
    name: str
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (row number, cells)

    def letter(self, column: str) -> str:
        try:
            return get_column_letter(self.headers.index(column) + 1)
        except ValueError:
            return column


def read(handle: IO[bytes], file_name: str = "form.xlsx") -> Form:
    """The questionnaire in an XLSForm workbook, or ``XLSFormError`` listing every problem."""
    content = handle.read()
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise XLSFormError(
            [Problem("", 0, "", _("The file is not a readable XLSX workbook."))]
        ) from exc
    sheets = {ws.title.strip().lower(): _read_sheet(ws) for ws in workbook.worksheets}
    workbook.close()
    survey = sheets.get("survey")
    if survey is None:
        raise XLSFormError([Problem("survey", 0, "", _("The workbook has no “survey” sheet."))])
    if not survey.rows:
        raise XLSFormError([Problem("survey", 0, "", _("The “survey” sheet has no questions."))])
    problems: list[Problem] = []
    choices = _choice_lists(sheets.get("choices"), problems)
    names = _check_survey(survey, choices, problems)
    _check_expressions(survey, names, problems)
    if problems:
        raise XLSFormError(problems)
    settings_sheet = sheets.get("settings")
    settings = dict(settings_sheet.rows[0][1]) if settings_sheet and settings_sheet.rows else {}
    form_id = settings.get("form_id") or re.sub(r"\W+", "_", file_name.rsplit(".", 1)[0])
    try:
        converted = xls2xform.convert(io.BytesIO(content), form_name="data", file_type=".xlsx")
    except PyXFormError as exc:
        raise XLSFormError([_from_pyxform(str(exc))]) from exc
    except Exception as exc:  # pyxform on input it did not expect: still the file's fault
        message = _("pyxform could not read the workbook: %(why)s") % {"why": exc}
        raise XLSFormError([Problem("", 0, "", message)]) from exc
    definition = converted._pyxform
    assert definition is not None
    return Form(
        form_id=form_id,
        title=settings.get("form_title") or form_id,
        version=settings.get("version") or "",
        languages=_languages(survey.headers),
        definition=definition,
        questions=sum(1 for _n, row in survey.rows if _base_type(row) not in _STRUCTURE),
    )


_STRUCTURE = {"begin_group", "end_group", "begin_repeat", "end_repeat", "start", "end", "today"}


def _read_sheet(ws: Any) -> _Sheet:
    rows = ws.iter_rows(values_only=True)
    header_row = next(rows, None) or ()
    headers = [str(h).strip() if h is not None else "" for h in header_row]
    sheet = _Sheet(ws.title.strip().lower(), headers)
    for number, values in enumerate(rows, start=2):
        cells = {
            headers[i]: str(v).strip()
            for i, v in enumerate(values)
            if i < len(headers) and headers[i] and v is not None and str(v).strip()
        }
        if cells:
            sheet.rows.append((number, cells))
    return sheet


def _base_type(row: dict[str, str]) -> str:
    kind = re.sub(r"\s+", " ", row.get("type", "").strip().lower())
    for prefix in ("begin", "end"):
        if kind in (f"{prefix} group", f"{prefix} repeat"):
            return kind.replace(" ", "_")
    return kind.split(" ")[0]


def _choice_lists(sheet: _Sheet | None, problems: list[Problem]) -> dict[str, set[str]]:
    lists: dict[str, dict[str, int]] = {}
    if sheet is None:
        return {}
    for number, row in sheet.rows:
        list_name, name = row.get("list_name", ""), row.get("name", "")
        if not list_name:
            continue
        if not name:
            where = sheet.letter("name")
            problems.append(Problem("choices", number, where, _("A choice needs a name.")))
            continue
        seen = lists.setdefault(list_name, {})
        if name in seen:
            problems.append(
                Problem(
                    "choices",
                    number,
                    sheet.letter("name"),
                    _("The choice “%(c)s” is already in the list “%(l)s” (row %(r)s).")
                    % {"c": name, "l": list_name, "r": seen[name]},
                )
            )
        seen.setdefault(name, number)
    return {k: set(v) for k, v in lists.items()}


def _check_survey(
    sheet: _Sheet, choices: dict[str, set[str]], problems: list[Problem]
) -> dict[str, int]:
    """Types, names, choice lists and the nesting of groups; returns name -> row."""
    for header in sheet.headers:
        column = header.split("::")[0].strip().lower()
        if header and column not in SURVEY_COLUMNS and any(header in r for _n, r in sheet.rows):
            problems.append(
                Problem(
                    "survey",
                    1,
                    sheet.letter(header),
                    _("The column “%(c)s” is not supported.") % {"c": header},
                )
            )
    names: dict[str, int] = {}
    open_blocks: list[tuple[str, int]] = []
    for number, row in sheet.rows:
        kind = _base_type(row)
        where = sheet.letter("type")
        if not kind:
            problems.append(Problem("survey", number, where, _("The row has no type.")))
            continue
        if kind in KNOWN_UNSUPPORTED:
            problems.append(
                Problem(
                    "survey",
                    number,
                    where,
                    _("“%(t)s” questions are not supported.") % {"t": row["type"]},
                )
            )
            continue
        if kind not in SUPPORTED_TYPES:
            problems.append(
                Problem(
                    "survey",
                    number,
                    where,
                    _("“%(t)s” is not an XLSForm question type.") % {"t": row["type"]},
                )
            )
            continue
        if kind in ("select_one", "select_multiple"):
            parts = row["type"].split()
            if len(parts) != 2:
                problems.append(
                    Problem(
                        "survey",
                        number,
                        where,
                        _("Write the choice list after the type: “%(t)s list_name”.") % {"t": kind},
                    )
                )
            elif parts[1] not in choices:
                problems.append(
                    Problem(
                        "survey",
                        number,
                        where,
                        _("There is no choice list “%(l)s” on the choices sheet.")
                        % {"l": parts[1]},
                    )
                )
        if kind.startswith("end_"):
            block = kind.removeprefix("end_")
            if not open_blocks or open_blocks[-1][0] != block:
                problems.append(
                    Problem(
                        "survey",
                        number,
                        where,
                        _("This “end %(b)s” closes nothing that is open.") % {"b": block},
                    )
                )
            else:
                open_blocks.pop()
            continue
        if kind.startswith("begin_"):
            open_blocks.append((kind.removeprefix("begin_"), number))
        if kind == "calculate" and not (row.get("calculation") or row.get("calculate")):
            problems.append(
                Problem(
                    "survey",
                    number,
                    sheet.letter("calculation"),
                    _("A calculate row needs a calculation."),
                )
            )
        _check_name(sheet, number, row, names, problems)
    for block, number in open_blocks:
        problems.append(
            Problem(
                "survey",
                number,
                sheet.letter("type"),
                _("This “begin %(b)s” is never closed with “end %(b)s”.") % {"b": block},
            )
        )
    return names


def _check_name(
    sheet: _Sheet, number: int, row: dict[str, str], names: dict[str, int], problems: list[Problem]
) -> None:
    name = row.get("name", "")
    where = sheet.letter("name")
    if not name:
        problems.append(Problem("survey", number, where, _("The row needs a name.")))
    elif not NAME.match(name):
        problems.append(
            Problem(
                "survey",
                number,
                where,
                _("“%(n)s” is not a valid name: use letters, digits, _ . - from a letter on.")
                % {"n": name},
            )
        )
    elif name in names:
        problems.append(
            Problem(
                "survey",
                number,
                where,
                _("The name “%(n)s” is already used on row %(r)s.") % {"n": name, "r": names[name]},
            )
        )
    else:
        names[name] = number


def _check_expressions(sheet: _Sheet, names: dict[str, int], problems: list[Problem]) -> None:
    """Each expression reads, refers to questions that exist, and relevance or calculation never
    goes round in a circle."""
    depends: dict[str, set[str]] = {}
    for number, row in sheet.rows:
        for column in (*EXPRESSION_COLUMNS, "required", "read_only", "default"):
            text = row.get(column, "")
            if column in ("required", "read_only") and text.lower() in YES_NO:
                continue
            if column == "default" and "${" not in text:
                continue  # a default is a value unless it refers to an answer
            if not text:
                continue
            missing = [n for n in xpath.references(text) if n not in names]
            reason = (
                _("It refers to ${%(n)s}, which is not a question of this form.")
                % {"n": missing[0]}
                if missing
                else xpath.check(text)
            )
            if reason:
                problems.append(Problem("survey", number, sheet.letter(column), reason))
            elif column in ("relevant", "calculation", "calculate") and row.get("name"):
                depends.setdefault(row["name"], set()).update(xpath.references(text))
    for cycle in _cycles(depends):
        path = " → ".join(f"${{{n}}}" for n in [*cycle, cycle[0]])
        for name in cycle:
            problems.append(
                Problem(
                    "survey",
                    names[name],
                    sheet.letter("relevant"),
                    _("Relevance or calculation goes round in a circle: %(p)s.") % {"p": path},
                )
            )


def _cycles(depends: dict[str, set[str]]) -> list[list[str]]:
    """The cycles of the dependency graph (each once), by depth-first search."""
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(depends.get(node, ())):
            if state.get(nxt) == 1:
                found.append(path[path.index(nxt) :])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(depends):
        if node not in state:
            visit(node)
    return found


def _languages(headers: list[str]) -> list[tuple[str, str]]:
    found: dict[str, str] = {}
    for header in headers:
        column, _sep, language = header.partition("::")
        if column.strip().lower() == "label" and language.strip():
            match = LANGUAGE.match(language.strip())
            found[language.strip()] = match.group("code").lower() if match else language.strip()
    return list(found.items())


def _from_pyxform(message: str) -> Problem:
    match = re.search(r"\[row\s*:\s*(\d+)\]", message)
    text = re.sub(r"\[row\s*:\s*\d+\]\s*", "", message).strip()
    return Problem("survey", int(match.group(1)) if match else 0, "", text)
