"""The functions of questionnaire expressions: XPath 1.0's and ODK's, each as a Python function
of the evaluation's ``Env`` and its arguments' values (``FUNCTIONS``)."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Context, Decimal

from django.utils.translation import gettext as _

from liaison.surveys.xpath.values import (
    DOCUMENT,
    NAN,
    Env,
    EvaluationError,
    Value,
    days,
    flat_numbers,
    flat_strings,
    format_date,
    node_set,
    string_value,
    text_number,
    to_boolean,
    to_date,
    to_number,
    to_string,
)


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
    nodes = node_set(args[0], "position()")
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


# Room for any float to 30 decimal places (a float has at most 309 digits before the point).
ROUNDING = Context(prec=400)


def _round(env: Env, args: list[Value]) -> Value:
    """round(number, decimals?) as JavaRosa computes it: the number as written (its shortest
    decimal form, so that 1.005 is 1.005, not the float just below it) rounded to ``decimals``
    places (0 when absent or not a number, truncated when not whole, tens or hundreds when
    negative), a half towards positive infinity as XPath 1.0's round() (2.5 gives 3, -2.5 gives
    -2); NaN beyond 30 places either way. (JavaRosa truncates a negative number rounded to tens:
    round(-33.33, -1) is -20 there, -30 here, as in Enketo.)"""
    x = to_number(args[0])
    if not math.isfinite(x):
        return x
    places = to_number(args[1]) if len(args) > 1 else 0.0
    if math.isnan(places):
        places = 0.0  # as Java's (int) NaN
    if math.isinf(places) or abs(math.trunc(places)) > 30:
        return NAN
    step = Decimal(1).scaleb(-math.trunc(places))
    mode = ROUND_HALF_UP if x >= 0 else ROUND_HALF_DOWN
    return float(Decimal(repr(x)).quantize(step, rounding=mode, context=ROUNDING))


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
        numbers = flat_numbers(args)
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
    return float(sum(1 for n in node_set(args[0], "count-non-empty()") if string_value(n)))


def _sum(env: Env, args: list[Value]) -> Value:
    return math.fsum(text_number(string_value(n)) for n in node_set(args[0], "sum()"))


def _around(args: list[Value], side: int) -> str:
    text, mark = to_string(args[0]), to_string(args[1])
    return text.partition(mark)[side] if mark in text else ""


def _local_name(env: Env, args: list[Value]) -> Value:
    nodes = node_set(args[0], "name()") if args else [env.ctx]
    return nodes[0].name if nodes and nodes[0].name != DOCUMENT else ""


FUNCTIONS: dict[str, Impl] = {
    # XPath 1.0
    "last": lambda env, a: float(env.size),
    "position": _position,
    "count": lambda env, a: float(len(node_set(a[0], "count()"))),
    "local-name": _local_name,
    "name": _local_name,
    "string": lambda env, a: to_string(_context(env, a)),
    "concat": lambda env, a: "".join(flat_strings(a)),
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
    "join": lambda env, a: to_string(a[0]).join(flat_strings(a[1:])),
    "boolean-from-string": lambda env, a: to_string(a[0]).strip().lower() in ("true", "1"),
}
LAZY = {"if", "coalesce", "once"}  # compiled apart: they evaluate only the arguments they need
