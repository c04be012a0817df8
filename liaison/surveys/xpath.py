"""The expressions of XLSForm questionnaires (``relevant``, ``constraint``, ``calculate``,
``choice_filter``): XPath 1.0 with the ODK functions, as ODK Collect and Enketo read them.

``check`` tells why an expression cannot be used, or None; an expression using any function
outside XPath 1.0 and ``ODK_FUNCTIONS`` is refused by name, so that a questionnaire never relies
on something Liaison would ignore.

``compile`` turns an expression into an ``Expression`` that runs on a tree of ``Node`` (the
answers, as ODK's instance): elementpath's XPath 1.0 parser (extended with the ODK functions)
reads the text once; the token tree then becomes plain Python closures, so that checking a
submission costs microseconds per expression. Values follow ODK (JavaRosa): numbers are floats,
a date read as a number is its count of days since 1970-01-01 (also a text "YYYY-MM-DD"), a
number becomes text the way ODK writes it ("3", "2.5", "NaN"). ``${name}`` references are
resolved by the caller (``engine``), which knows the form's repeats.
"""

from __future__ import annotations

import datetime
import functools
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from elementpath import XPath1Parser
from elementpath.exceptions import ElementPathError, MissingContextError

# ODK XPath functions beyond XPath 1.0's own, with how many arguments each takes.
ODK_FUNCTIONS: dict[str, int | tuple[int, int | None]] = {
    "selected": 2,
    "selected-at": 2,
    "count-selected": 1,
    "today": 0,
    "now": 0,
    "regex": 2,
    "if": 3,
    "coalesce": 2,
    "int": 1,
    "pow": 2,
    "abs": 1,
    "min": (1, None),
    "max": (1, None),
    "substr": (2, 3),
    "ends-with": 2,
    "once": 1,
    "date": 1,
    "decimal-date-time": 1,
    "format-date": 2,
    "string-length": (0, 1),
    "count-non-empty": 1,
    "join": (2, None),
    "boolean-from-string": 1,
}
REFERENCE = re.compile(r"\$\{([^}]*)\}")


class OdkXPathParser(XPath1Parser):
    symbol_table = {**XPath1Parser.symbol_table}


def evaluate_without_answers(self: Any, context: Any = None) -> Any:
    # Questionnaire expressions read the answers; there is nothing to compute at parse time.
    raise MissingContextError("an ODK function needs the answers")


# ODK's position(node) (``position(..)``: the entry of a repeat) takes an argument that XPath
# 1.0's position() does not: a token class of this parser's own, so that XPath1Parser is
# left as it is.
OdkXPathParser.unregister("position")
OdkXPathParser.method(OdkXPathParser.function("position", nargs=(0, 1)))(evaluate_without_answers)
for _name, _nargs in ODK_FUNCTIONS.items():
    if _name not in OdkXPathParser.symbol_table:
        token = OdkXPathParser.function(_name, nargs=_nargs)
        OdkXPathParser.method(token)(evaluate_without_answers)
OdkXPathParser.build()


def references(expression: str) -> list[str]:
    """The question names an expression refers to as ``${name}``."""
    return REFERENCE.findall(expression or "")


class Unsupported(ValueError):
    """The expression cannot be read, or uses something Liaison does not evaluate."""


class EvaluationError(ValueError):
    """The expression cannot be computed on these answers (a regular expression that does not
    compile, a text that is not a date...): the message says why, for the respondent or the
    officer."""


def check(expression: str) -> str | None:
    """Why ``expression`` is not a valid XLSForm expression, or None when it is."""
    if not expression.strip():
        return None
    try:
        compile(expression, lambda name: _nothing)
    except Unsupported as exc:
        return str(exc)
    return None


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


def _nothing(env: Env) -> Value:
    return []


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


def _nodes(value: Value, what: str) -> list[Node]:
    if not isinstance(value, list):
        raise EvaluationError(
            _("%(f)s needs questions or repeats, not the value “%(v)s”.")
            % {"f": what, "v": to_string(value)}
        )
    return value


def _flat_strings(values: Iterable[Value]) -> list[str]:
    out: list[str] = []
    for value in values:
        if isinstance(value, list):
            out.extend(string_value(n) for n in value)
        else:
            out.append(to_string(value))
    return out


def _flat_numbers(values: Iterable[Value]) -> list[float]:
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


@functools.lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise EvaluationError(
            _("The regular expression “%(p)s” is not valid: %(why)s") % {"p": pattern, "why": exc}
        ) from exc


# --- functions -------------------------------------------------------------------------------

Impl = Callable[[Env, list[Value]], Value]


def _context(env: Env, args: list[Value]) -> Value:
    return args[0] if args else [env.ctx]


def _position(env: Env, args: list[Value]) -> Value:
    if not args:
        return float(env.position)
    nodes = _nodes(args[0], "position()")
    if not nodes:
        raise EvaluationError(_("position() was given nothing to count."))
    return float(nodes[0].index)


def _substring(env: Env, args: list[Value]) -> Value:
    text = to_string(args[0])

    def rounded(x: float) -> float:
        return math.floor(x + 0.5) if math.isfinite(x) else x

    start = rounded(to_number(args[1]))
    end = start + rounded(to_number(args[2])) if len(args) > 2 else math.inf
    return "".join(c for i, c in enumerate(text, start=1) if start <= i < end)


def _translate(env: Env, args: list[Value]) -> Value:
    text, source, target = (to_string(a) for a in args)
    table: dict[int, int | None] = {}
    for i, char in enumerate(source):
        table.setdefault(ord(char), ord(target[i]) if i < len(target) else None)
    return text.translate(table)


def _whole(rounding: Callable[[float], int], args: list[Value]) -> Value:
    x = to_number(args[0])
    return float(rounding(x)) if math.isfinite(x) else x


def _round(env: Env, args: list[Value]) -> Value:
    return _whole(lambda x: math.floor(x + 0.5), args)


def _int(env: Env, args: list[Value]) -> Value:
    x = to_number(args[0])
    return x if not math.isfinite(x) else float(math.trunc(x))


def _pow(env: Env, args: list[Value]) -> Value:
    try:
        return math.pow(to_number(args[0]), to_number(args[1]))
    except OverflowError:
        return math.inf
    except ValueError:
        return NAN


def _extreme(pick: Callable[[list[float]], float]) -> Impl:
    def run(env: Env, args: list[Value]) -> Value:
        numbers = _flat_numbers(args)
        if not numbers or any(math.isnan(n) for n in numbers):
            return NAN
        return pick(numbers)

    return run


def _substr(env: Env, args: list[Value]) -> Value:
    text = to_string(args[0])
    length = len(text)

    def whole(value: Value, default: int) -> int:
        x = to_number(value)
        return math.trunc(x) if math.isfinite(x) else default

    start = whole(args[1], 0)
    end = whole(args[2], length) if len(args) > 2 else length
    start = start + length if start < 0 else start
    end = end + length if end < 0 else end
    start, end = max(0, start), min(max(0, end), length)
    return text[start:end] if start < end else ""


def _selected_at(env: Env, args: list[Value]) -> Value:
    chosen = to_string(args[0]).split()
    x = to_number(args[1])
    if not math.isfinite(x):
        return ""
    i = math.trunc(x)
    return chosen[i] if 0 <= i < len(chosen) else ""


def _regex_match(env: Env, args: list[Value]) -> Value:
    return _regex(to_string(args[1])).search(to_string(args[0])) is not None


def _date(env: Env, args: list[Value]) -> Value:
    moment = to_date(args[0])
    if moment is None:
        return "" if not isinstance(args[0], float) else NAN
    return moment


def _decimal_date_time(env: Env, args: list[Value]) -> Value:
    if isinstance(args[0], float | int) and not isinstance(args[0], bool):
        return float(args[0])
    moment = to_date(args[0], keep_time=True)
    return NAN if moment is None else days(moment)


def _format_date(env: Env, args: list[Value]) -> Value:
    moment = to_date(args[0], keep_time=True)
    return "" if moment is None else format_date(moment, to_string(args[1]))


def _count_non_empty(env: Env, args: list[Value]) -> Value:
    return float(sum(1 for n in _nodes(args[0], "count-non-empty()") if string_value(n)))


def _sum(env: Env, args: list[Value]) -> Value:
    return math.fsum(text_number(string_value(n)) for n in _nodes(args[0], "sum()"))


def _around(args: list[Value], side: int) -> str:
    text, mark = to_string(args[0]), to_string(args[1])
    return text.partition(mark)[side] if mark in text else ""


def _local_name(env: Env, args: list[Value]) -> Value:
    nodes = _nodes(args[0], "name()") if args else [env.ctx]
    return nodes[0].name if nodes and nodes[0].name != DOCUMENT else ""


FUNCTIONS: dict[str, Impl] = {
    # XPath 1.0
    "last": lambda env, a: float(env.size),
    "position": _position,
    "count": lambda env, a: float(len(_nodes(a[0], "count()"))),
    "local-name": _local_name,
    "name": _local_name,
    "string": lambda env, a: to_string(_context(env, a)),
    "concat": lambda env, a: "".join(_flat_strings(a)),
    "starts-with": lambda env, a: to_string(a[0]).startswith(to_string(a[1])),
    "contains": lambda env, a: to_string(a[1]) in to_string(a[0]),
    "substring-before": lambda env, a: _around(a, 0),
    "substring-after": lambda env, a: _around(a, 2),
    "substring": _substring,
    "string-length": lambda env, a: float(len(to_string(_context(env, a)))),
    "normalize-space": lambda env, a: " ".join(to_string(_context(env, a)).split()),
    "translate": _translate,
    "boolean": lambda env, a: to_boolean(a[0]),
    "not": lambda env, a: not to_boolean(a[0]),
    "true": lambda env, a: True,
    "false": lambda env, a: False,
    "number": lambda env, a: to_number(_context(env, a)),
    "sum": _sum,
    "floor": lambda env, a: _whole(math.floor, a),
    "ceiling": lambda env, a: _whole(math.ceil, a),
    "round": _round,
    # ODK
    "selected": lambda env, a: to_string(a[1]).strip() in to_string(a[0]).split(),
    "selected-at": _selected_at,
    "count-selected": lambda env, a: float(len(to_string(a[0]).split())),
    "today": lambda env, a: env.today,
    "now": lambda env, a: env.now,
    "regex": _regex_match,
    "int": _int,
    "pow": _pow,
    "abs": lambda env, a: abs(to_number(a[0])),
    "min": _extreme(min),
    "max": _extreme(max),
    "substr": _substr,
    "ends-with": lambda env, a: to_string(a[0]).endswith(to_string(a[1])),
    "date": _date,
    "decimal-date-time": _decimal_date_time,
    "format-date": _format_date,
    "count-non-empty": _count_non_empty,
    "join": lambda env, a: to_string(a[0]).join(_flat_strings(a[1:])),
    "boolean-from-string": lambda env, a: to_string(a[0]).strip().lower() in ("true", "1"),
}
LAZY = {"if", "coalesce", "once"}  # compiled apart: they evaluate only the arguments they need


# --- compiling -------------------------------------------------------------------------------

AXES = {
    "child",
    "parent",
    "self",
    "ancestor",
    "ancestor-or-self",
    "descendant",
    "descendant-or-self",
    "following-sibling",
    "preceding-sibling",
}
REVERSE_AXES = {"parent", "ancestor", "ancestor-or-self", "preceding-sibling"}


@dataclass
class Expression:
    """A compiled expression. ``references`` are its ``${name}`` names, ``steps`` the names its
    paths walk through, ``relative`` whether it reads the context node (``.``, ``..``)."""

    source: str
    run: Fn
    references: frozenset[str] = frozenset()
    steps: frozenset[str] = frozenset()
    relative: bool = False
    names: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.names = self.references | self.steps

    def value(self, env: Env) -> Value:
        try:
            return self.run(env)
        except EvaluationError:
            raise
        except (ArithmeticError, LookupError, ValueError, TypeError, RecursionError) as exc:
            raise EvaluationError(
                _("“%(e)s” cannot be computed: %(why)s") % {"e": self.source, "why": exc}
            ) from exc

    def boolean(self, env: Env) -> bool:
        return to_boolean(self.value(env))

    def string(self, env: Env) -> str:
        return to_string(self.value(env))


@functools.lru_cache(maxsize=4096)
def _parse(source: str) -> Any:
    return OdkXPathParser().parse(source)


def compile(expression: str, resolve: Callable[[str], Fn]) -> Expression:
    """The expression, ready to run; ``resolve(name)`` gives what ``${name}`` reads. Raises
    ``Unsupported`` with the reason when it cannot be read or uses what Liaison does not
    evaluate."""
    prefixed = re.search(r"\b(jr|odk):([\w-]+)\s*\(", expression)
    if prefixed:
        raise Unsupported(
            _("The function %(f)s() is not supported.") % {"f": prefixed.group(0)[:-1].strip()}
        )
    bare = REFERENCE.sub("", re.sub(r"'[^']*'|\"[^\"]*\"", "", expression))
    if "$" in bare:
        raise Unsupported(_("Refer to a question as ${name}; XPath variables are not supported."))
    # ${name} becomes the variable $name, in brackets so that "${a}-1" stays a subtraction.
    source = REFERENCE.sub(lambda m: "($" + (m.group(1).strip() or "_") + ")", expression)
    try:
        tree = _parse(source)
    except ElementPathError as exc:  # before TypeError: some are both
        message = str(exc.message) if hasattr(exc, "message") else str(exc)
        function = re.search(r"unknown function '([^']+)'", message)
        if function:
            raise Unsupported(
                _("The function %(f)s() is not supported.") % {"f": function.group(1)}
            ) from exc
        raise Unsupported(_("This expression cannot be read: %(why)s") % {"why": message}) from exc
    except (ArithmeticError, LookupError, TypeError, RecursionError) as exc:
        raise Unsupported(_("This expression cannot be read: %(why)s") % {"why": exc}) from exc
    compiler = _Compiler(resolve)
    run = compiler.expr(tree)
    return Expression(
        expression,
        run,
        frozenset(compiler.references),
        frozenset(compiler.steps),
        compiler.relative,
    )


def broken(expression: str, reason: str) -> Expression:
    """An expression that could not be compiled: running it reports why."""

    def run(env: Env) -> Value:
        raise EvaluationError(reason)

    return Expression(expression, run)


class _Compiler:
    def __init__(self, resolve: Callable[[str], Fn]) -> None:
        self.resolve = resolve
        self.references: set[str] = set()
        self.steps: set[str] = set()
        self.relative = False

    def unsupported(self, token: Any) -> Unsupported:
        return Unsupported(
            _("“%(t)s” is not supported in questionnaire expressions.") % {"t": token.source}
        )

    def expr(self, t: Any) -> Fn:
        symbol = t.symbol
        if symbol in ("(integer)", "(decimal)", "(float)"):
            number = float(t.value)
            return lambda env: number
        if symbol == "(string)":
            text = str(t.value)
            return lambda env: text
        if symbol == "$":
            name = str(t.value)
            self.references.add(name)
            return self.resolve(name)
        if symbol == "(" and len(t) == 1:
            return self.expr(t[0])
        if symbol in ("or", "and"):
            return self.logic(symbol, self.expr(t[0]), self.expr(t[1]))
        if symbol in ("=", "!="):
            left, right, negate = self.expr(t[0]), self.expr(t[1]), symbol == "!="
            return lambda env: equals(left(env), right(env), negate)
        if symbol in RELATIONS:
            left, right, test = self.expr(t[0]), self.expr(t[1]), RELATIONS[symbol]
            return lambda env: relation(left(env), right(env), test)
        if symbol in ARITHMETIC and len(t) == 2:
            left, right, op = self.expr(t[0]), self.expr(t[1]), ARITHMETIC[symbol]
            return lambda env: op(to_number(left(env)), to_number(right(env)))
        if symbol in ("-", "+") and len(t) == 1:
            operand, sign = self.expr(t[0]), -1.0 if symbol == "-" else 1.0
            return lambda env: sign * to_number(operand(env))
        if symbol == "|":
            return self.union(self.expr(t[0]), self.expr(t[1]))
        if symbol in ("/", "//"):
            return self.path(t)
        if self.is_step(t):
            step, reverse = self.step(t)
            self.relative = True
            return lambda env: _ordered(step(env, env.ctx), reverse)
        if symbol == "[":
            base, predicate = self.expr(t[0]), self.predicate(t[1])
            return lambda env: _filter(env, _nodes(base(env), _("A filter in [ ]")), predicate)
        if symbol in LAZY:
            return self.lazy(symbol, [self.expr(a) for a in t])
        if symbol in FUNCTIONS and "function" in str(t.label):
            impl, args = FUNCTIONS[symbol], [self.expr(a) for a in t]
            if symbol in ("string", "string-length", "normalize-space", "number") and not args:
                self.relative = True
            if symbol in ("name", "local-name") and not args:
                self.relative = True
            return lambda env: impl(env, [a(env) for a in args])
        raise self.unsupported(t)

    @staticmethod
    def logic(symbol: str, left: Fn, right: Fn) -> Fn:
        if symbol == "or":
            return lambda env: to_boolean(left(env)) or to_boolean(right(env))
        return lambda env: to_boolean(left(env)) and to_boolean(right(env))

    @staticmethod
    def union(left: Fn, right: Fn) -> Fn:
        def run(env: Env) -> Value:
            what = _("The operator |")
            nodes = _nodes(left(env), what) + _nodes(right(env), what)
            return _ordered(nodes, True)

        return run

    @staticmethod
    def lazy(symbol: str, args: list[Fn]) -> Fn:
        if symbol == "if":
            test, yes, no = args
            return lambda env: yes(env) if to_boolean(test(env)) else no(env)
        if symbol == "coalesce":
            first, second = args

            def coalesce(env: Env) -> Value:
                value = first(env)
                if isinstance(value, list):
                    value = to_string(value)
                if value == "" or (isinstance(value, float) and math.isnan(value)):
                    value = second(env)
                    return to_string(value) if isinstance(value, list) else value
                return value

            return coalesce
        (then,) = args

        def once(env: Env) -> Value:
            current = string_value(env.here)
            return current if current else then(env)

        return once

    def predicate(self, t: Any) -> Fn:
        relative = self.relative
        run = self.expr(t)
        self.relative = relative  # a predicate reads its own candidates, not the context
        return run

    def is_step(self, t: Any) -> bool:
        symbol = t.symbol
        if symbol in ("(name)", ".", "..") or (symbol == "*" and len(t) == 0):
            return True
        if symbol in AXES and str(t.label) == "axis":
            return True
        return symbol == "[" and self.is_step(t[0])

    def step(self, t: Any) -> tuple[Step, bool]:
        """One step of a path, from a node: (how to walk, whether it walks backwards)."""
        symbol = t.symbol
        if symbol == "[":
            base, reverse = self.step(t[0])
            predicate = self.predicate(t[1])
            return (lambda env, n: _filter(env, base(env, n), predicate)), reverse
        if symbol == ".":
            return (lambda env, n: [n]), False
        if symbol == "..":
            return (lambda env, n: [n.parent] if n.parent is not None else []), True
        if symbol in ("(name)", "*"):
            return self.axis("child", t), False
        if symbol in AXES and len(t) == 1:
            return self.axis(symbol, t[0]), symbol in REVERSE_AXES
        raise self.unsupported(t)

    def axis(self, axis: str, test: Any) -> Step:
        if test.symbol == "(name)":
            name: str | None = str(test.value)
            self.steps.add(str(test.value))
        elif test.symbol == "*" and len(test) == 0:
            name = None
        else:
            raise self.unsupported(test)

        def match(n: Node) -> bool:
            return (n.name == name) if name is not None else n.name != DOCUMENT

        if axis == "child":
            if name is not None:
                wanted = name
                return lambda env, n: [c for c in n.kids.get(wanted, ()) if not c.gone]
            return lambda env, n: [c for c in n.children if not c.gone]
        if axis == "self":
            return lambda env, n: [n] if match(n) else []
        if axis == "parent":
            return lambda env, n: [n.parent] if n.parent is not None and match(n.parent) else []
        if axis in ("ancestor", "ancestor-or-self"):
            with_self = axis == "ancestor-or-self"

            def ancestors(env: Env, n: Node) -> list[Node]:
                out = [n] if with_self and match(n) else []
                p = n.parent
                while p is not None:
                    if match(p):
                        out.append(p)
                    p = p.parent
                return out

            return ancestors
        if axis in ("descendant", "descendant-or-self"):
            with_self = axis == "descendant-or-self"
            return lambda env, n: [d for d in _descendants(n, with_self) if match(d)]
        following = axis == "following-sibling"

        def siblings(env: Env, n: Node) -> list[Node]:
            if n.parent is None:
                return []
            row = [c for c in n.parent.children if not c.gone]
            i = row.index(n) if n in row else -1
            if i < 0:
                return []
            chosen = row[i + 1 :] if following else row[:i][::-1]
            return [c for c in chosen if match(c)]

        return siblings

    def path(self, t: Any) -> Fn:
        symbol = t.symbol
        if symbol == "/" and len(t) == 0:
            return lambda env: [env.document]
        if len(t) == 1:
            step, reverse = self.step(t[0])
            if symbol == "/":
                return lambda env: _ordered(step(env, env.document), reverse)
            return lambda env: _walk(env, _descendants(env.document, True), step, reverse)
        left = self.expr(t[0])
        if not self.is_step(t[1]):
            raise self.unsupported(t[1])
        step, reverse = self.step(t[1])
        if symbol == "/":
            return lambda env: _walk(env, _nodes(left(env), _("A path")), step, reverse)

        def deep(env: Env) -> Value:
            nodes: list[Node] = []
            for n in _nodes(left(env), _("A path")):
                nodes.extend(_descendants(n, True))
            return _walk(env, _ordered(nodes, True), step, reverse)

        return deep


def _descendants(node: Node, with_self: bool) -> list[Node]:
    out = [node] if with_self else []
    for child in node.children:
        if not child.gone:
            out.extend(_descendants(child, True))
    return out


def _ordered(nodes: list[Node], unsorted: bool) -> list[Node]:
    if not unsorted or len(nodes) < 2:
        return nodes
    seen: dict[int, Node] = {}
    for n in nodes:
        seen.setdefault(id(n), n)
    return sorted(seen.values(), key=lambda n: n.order)


def _walk(env: Env, nodes: list[Node], step: Step, reverse: bool) -> list[Node]:
    if len(nodes) == 1:
        return _ordered(step(env, nodes[0]), reverse)
    out: list[Node] = []
    for n in nodes:
        out.extend(step(env, n))
    return _ordered(out, True)


def _filter(env: Env, nodes: list[Node], predicate: Fn) -> list[Node]:
    saved = env.ctx, env.position, env.size
    size = len(nodes)
    out: list[Node] = []
    try:
        for i, n in enumerate(nodes, start=1):
            env.ctx, env.position, env.size = n, i, size
            keep = predicate(env)
            if isinstance(keep, float | int) and not isinstance(keep, bool):
                if keep == i:
                    out.append(n)
            elif to_boolean(keep):
                out.append(n)
    finally:
        env.ctx, env.position, env.size = saved
    return out
