"""The answers as XPath reads them (a tree of ``Node``) and the values expressions compute, with
JavaRosa's conversions between them: numbers are floats, a date read as a number is its count of
days since 1970-01-01 (also a text "YYYY-MM-DD"), a number becomes text the way ODK writes it
("3", "2.5", "NaN"); comparisons, arithmetic and dates as ODK Collect does them."""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.utils.translation import gettext as _


class EvaluationError(ValueError):
    """The expression cannot be computed on these answers (a regular expression that does not
    compile, a text that is not a date...): the message says why, for the respondent or the
    officer."""


# --- the answers as XPath reads them -------------------------------------------------------

DOCUMENT = "#document"


class Node:
    """A node of the answers' tree: the document, a group, a repeat's entry, an answer (``text``
    is its value as ODK writes it, "" when empty or not relevant)."""

    __slots__ = ("children", "gone", "index", "kids", "name", "order", "parent", "text")

    def __init__(self, name: str, parent: Node | None, order: int, text: str = "") -> None:
        self.name = name
        self.parent = parent
        self.order = order  # document order
        self.text = text
        self.children: list[Node] = []
        self.kids: dict[str, list[Node]] = {}
        self.gone = False  # a repeat entry that is not relevant: no longer in node-sets
        self.index = 1  # position among the parent's children of the same name
        if parent is not None:
            parent.children.append(self)
            same = parent.kids.setdefault(name, [])
            same.append(self)
            self.index = len(same)


def string_value(node: Node) -> str:
    if node.children:
        return "".join(string_value(c) for c in node.children if not c.gone)
    return node.text


class Env:
    """Where an expression runs: the tree, the question it belongs to (``here``: ``${name}``
    references and once() start from it), the context node (``.``; a choice while a
    choice_filter runs), and the clock."""

    __slots__ = ("ctx", "document", "here", "named", "now", "position", "size", "today")

    def __init__(
        self,
        document: Node,
        today: datetime.date,
        now: datetime.datetime,
        named: dict[str, Node] | None = None,
    ) -> None:
        self.document = document
        self.here = document
        self.ctx = document
        self.position = 1
        self.size = 1
        self.today = today
        self.now = now
        self.named = named if named is not None else {}  # nodes outside repeats, by name


Value = list[Node] | str | float | bool | datetime.date
Fn = Callable[[Env], Value]
Step = Callable[[Env, Node], list[Node]]


# --- conversions, as JavaRosa does them ----------------------------------------------------

EPOCH = datetime.date(1970, 1, 1)
EPOCH_TIME = datetime.datetime(1970, 1, 1)
NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)")
DATE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?"
)
NAN = math.nan


def parse_date(text: str) -> datetime.date | None:
    """A date ("2020-01-31") or a date and time ("2020-01-31T10:30:00.000+01:00", read at its
    wall-clock time) written the ISO way, or None."""
    match = DATE.fullmatch(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, _zone = match.groups()
    try:
        if hour is None:
            return datetime.date(int(year), int(month), int(day))
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        return datetime.datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro
        )
    except ValueError:
        return None


def days(value: datetime.date) -> float:
    """Days since 1970-01-01; with a fraction for a time of day."""
    if isinstance(value, datetime.datetime):
        return (value.replace(tzinfo=None) - EPOCH_TIME).total_seconds() / 86400
    return float((value - EPOCH).days)


def number_text(number: float) -> str:
    """A number as ODK writes it: "3" rather than "3.0", "NaN" for no number."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    whole = math.trunc(number)
    if abs(number - whole) < 1e-12:
        return str(int(whole))
    text = repr(number)
    if "e" in text:
        text = format(Decimal(text), "f")
    return text


def to_string(value: Value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return string_value(value[0]) if value else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        return number_text(float(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="milliseconds")
    return value.isoformat()


def text_number(text: str) -> float:
    text = text.strip()
    if NUMBER.fullmatch(text):
        return float(text)
    if text and text[0].isdigit():
        moment = parse_date(text)
        if moment is not None:
            return days(moment)
    return NAN


def to_number(value: Value) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float | int):
        return float(value)
    if isinstance(value, str):
        return text_number(value)
    if isinstance(value, list):
        return text_number(string_value(value[0])) if value else NAN
    return days(value)


def to_boolean(value: Value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, list | str):
        return len(value) > 0
    if isinstance(value, float | int):
        return abs(value) > 1e-12 and not math.isnan(value)
    return True


def node_set(value: Value, what: str) -> list[Node]:
    if not isinstance(value, list):
        raise EvaluationError(
            _("%(f)s needs questions or repeats, not the value “%(v)s”.")
            % {"f": what, "v": to_string(value)}
        )
    return value


def flat_strings(values: Iterable[Value]) -> list[str]:
    out: list[str] = []
    for value in values:
        if isinstance(value, list):
            out.extend(string_value(n) for n in value)
        else:
            out.append(to_string(value))
    return out


def flat_numbers(values: Iterable[Value]) -> list[float]:
    out: list[float] = []
    for value in values:
        if isinstance(value, list):
            out.extend(text_number(string_value(n)) for n in value)
        else:
            out.append(to_number(value))
    return out


# --- comparisons and arithmetic ------------------------------------------------------------


def _atoms_equal(a: Value, b: Value) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return to_boolean(a) == to_boolean(b)
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    # a number or a date on either side: compared as numbers (a date as its days)
    return to_number(a) == to_number(b)


def equals(a: Value, b: Value, negate: bool = False) -> bool:
    """``=`` (or ``!=``) with XPath 1.0's rules for node-sets: true when some node matches."""
    if isinstance(a, list) and isinstance(b, list):
        left = [string_value(n) for n in a]
        right = [string_value(n) for n in b]
        return any((x != y) if negate else (x == y) for x in left for y in right)
    if isinstance(b, list):
        a, b = b, a
    if isinstance(a, list):
        if isinstance(b, bool):
            return (bool(a) != b) if negate else (bool(a) == b)
        return any(_atoms_equal(string_value(n), b) != negate for n in a)
    return _atoms_equal(a, b) != negate


def _numbers(value: Value) -> list[float]:
    if isinstance(value, list):
        return [text_number(string_value(n)) for n in value]
    return [to_number(value)]


def relation(a: Value, b: Value, test: Callable[[float, float], bool]) -> bool:
    if not isinstance(a, list) and not isinstance(b, list):
        return test(to_number(a), to_number(b))
    return any(test(x, y) for x in _numbers(a) for y in _numbers(b))


def _divide(a: float, b: float) -> float:
    if b == 0:
        if a == 0 or math.isnan(a):
            return NAN
        return math.inf if (a > 0) == (math.copysign(1, b) > 0) else -math.inf
    return a / b


def _modulo(a: float, b: float) -> float:
    try:
        return math.fmod(a, b)
    except ValueError:
        return NAN


def _multiply(a: float, b: float) -> float:
    return a * b


def _add(a: float, b: float) -> float:
    return a + b


def _subtract(a: float, b: float) -> float:
    return a - b


ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": _add,
    "-": _subtract,
    "*": _multiply,
    "div": _divide,
    "mod": _modulo,
}
RELATIONS: dict[str, Callable[[float, float], bool]] = {
    "<": lambda x, y: x < y,
    "<=": lambda x, y: x <= y,
    ">": lambda x, y: x > y,
    ">=": lambda x, y: x >= y,
}


# --- dates -----------------------------------------------------------------------------------


def to_date(value: Value, keep_time: bool = False) -> datetime.date | None:
    """ODK's date(): a date from a date, a text "YYYY-MM-DD[THH:MM...]" or a number of days;
    None for no value ("" or NaN); EvaluationError for anything else."""
    if isinstance(value, list):
        value = string_value(value[0]) if value else ""
    if isinstance(value, datetime.datetime):
        return value if keep_time else value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise EvaluationError(_("A true/false value is not a date."))
    if isinstance(value, float | int):
        if math.isnan(value):
            return None
        try:
            if keep_time and value != math.trunc(value):
                return EPOCH_TIME + datetime.timedelta(days=value)
            return EPOCH + datetime.timedelta(days=math.trunc(value))
        except (OverflowError, ValueError) as exc:
            raise EvaluationError(_("%(v)s days is not a date.") % {"v": value}) from exc
    if not value.strip():
        return None
    moment = parse_date(value)
    if moment is None:
        if NUMBER.fullmatch(value.strip()):
            return to_date(float(value), keep_time)
        raise EvaluationError(_("“%(v)s” is not a date.") % {"v": value})
    if isinstance(moment, datetime.datetime) and not keep_time:
        return moment.date()
    return moment


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def format_date(moment: datetime.date, pattern: str) -> str:
    """format-date() as in JavaRosa: %Y %y %m %n %b %d %e %a %H %h %M %S %3."""
    hour = minute = second = micro = 0
    if isinstance(moment, datetime.datetime):
        hour, minute, second, micro = moment.hour, moment.minute, moment.second, moment.microsecond
    codes = {
        "Y": f"{moment.year:04d}",
        "y": f"{moment.year % 100:02d}",
        "m": f"{moment.month:02d}",
        "n": str(moment.month),
        "b": MONTHS[moment.month - 1],
        "d": f"{moment.day:02d}",
        "e": str(moment.day),
        "a": WEEKDAYS[moment.weekday()],
        "H": f"{hour:02d}",
        "h": str(hour),
        "M": f"{minute:02d}",
        "S": f"{second:02d}",
        "3": f"{micro // 1000:03d}",
    }
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "%" and i + 1 < len(pattern):
            code = pattern[i + 1]
            out.append(codes.get(code, "%" + code if code != "%" else "%"))
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)
