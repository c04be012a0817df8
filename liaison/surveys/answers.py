"""Typing raw answers: one question's answer as it arrives (a web form's field, a cell or a field
of an imported export: text, number, date, list) becomes the typed value Liaison stores and the
text ODK would write in its instance, or is refused with the reason, for the respondent or the
officer. The engine (``engine.Form.check``) types every answer here before applying the rules."""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from liaison.surveys.xpath import number_text, text_number

LARGEST = 10**20  # what an Answer's number (30 digits, 10 decimal places) can hold
WHOLE_DIGITS = 20  # digits before the point of a number below LARGEST
FRACTION_DIGITS = 20  # digits after it worth reading (an Answer keeps 10)
SHOWN = 40  # characters of a refused answer quoted back in its message
INTEGER = re.compile(r"([+-]?\d+)(?:\.0*)?")
DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}\S*)?")


@dataclass(frozen=True)
class Choices:
    """A select's choice names, in form order and as a set."""

    names: tuple[str, ...] = ()
    known: frozenset[str] = frozenset()


NO_CHOICES = Choices()


def blank(raw: Any) -> bool:
    """Whether a raw answer is no answer: nothing, blank text, a list of blanks."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return True
    return isinstance(raw, list | tuple) and not any(raw_text(v) for v in raw)


def typed(kind: str, raw: Any, choices: Choices = NO_CHOICES) -> tuple[Any, str]:
    """A raw answer (not ``blank``) to a question of type ``kind`` (text, integer, decimal, date,
    select_one, select_multiple, geopoint) as (value, text); ``Refused`` says why it cannot be."""
    return _TYPERS[kind](raw, choices)


def calculated(kind: str, result: str) -> Any:
    """A calculation's result, typed by its bind type ``kind``: a whole number for int or integer,
    a Decimal for decimal (None when not a finite number), the text otherwise."""
    if kind in ("int", "integer", "decimal"):
        number = text_number(result)
        if not math.isfinite(number):
            return None
        if abs(number) >= LARGEST:
            return None  # beyond what an Answer's number holds, as a NaN would be
        if kind != "decimal":
            return math.trunc(number)
        return Decimal(number_text(number))
    return result


class Refused(Exception):
    """A raw answer that cannot be typed: ``code`` is "type" or "choice", ``message`` says why."""

    def __init__(self, message: str, code: str = "type") -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _shown(raw: Any) -> str:
    text = raw_text(raw) or str(raw)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def _overlong(number: str, raw: Any) -> Refused | None:
    """Why a number written in digits ("-0012.50") has more digits than an answer may, if it
    has: checked before ``int`` or ``Decimal`` reads it (Python refuses to read an integer of
    more than 4,300 digits, and nothing that long is a real answer)."""
    whole, _point, fraction = number.strip().lstrip("+-").partition(".")
    if len(whole.lstrip("0")) > WHOLE_DIGITS:
        return Refused(_("“%(v)s” is too large.") % {"v": _shown(raw)})
    if len(fraction) > FRACTION_DIGITS:
        return Refused(
            _("“%(v)s” has too many decimal places (%(n)s at most).")
            % {"v": _shown(raw), "n": FRACTION_DIGITS}
        )
    return None


def raw_text(raw: Any) -> str | None:
    """A raw cell or field as text (None for what is not a single value)."""
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        return number_text(raw)
    if isinstance(raw, Decimal):
        return format(raw, "f")
    if isinstance(raw, datetime.datetime):
        if raw.time() == datetime.time(0) and raw.tzinfo is None:
            return raw.date().isoformat()
        return raw.isoformat()
    if isinstance(raw, datetime.date):
        return raw.isoformat()
    return None


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _as_text(raw: Any, choices: Choices) -> tuple[Any, str]:
    text = raw_text(raw)
    if text is None:
        raise Refused(_("“%(v)s” is not a single answer.") % {"v": raw})
    return text, text


def _as_integer(raw: Any, choices: Choices) -> tuple[Any, str]:
    number: int | None = None
    if isinstance(raw, bool):
        number = None
    elif isinstance(raw, int):
        number = raw
    elif isinstance(raw, float | Decimal) and _whole(raw):
        number = int(raw)
    elif isinstance(raw, str) and (match := INTEGER.fullmatch(raw.strip())):
        if (overlong := _overlong(match.group(1), raw)) is not None:
            raise overlong
        number = int(Decimal(match.group(1)))  # leading zeros count towards int()'s limit
    if number is None:
        raise Refused(_("“%(v)s” is not a whole number.") % {"v": _shown(raw)})
    if abs(number) >= LARGEST:
        raise Refused(_("“%(v)s” is too large.") % {"v": _shown(number)})
    return number, str(number)


def _whole(number: float | Decimal) -> bool:
    if isinstance(number, float):
        return number.is_integer()
    return number.is_finite() and number == number.to_integral_value()


def _as_decimal(raw: Any, choices: Choices) -> tuple[Any, str]:
    number: Decimal | None = None
    if isinstance(raw, bool):
        number = None
    elif isinstance(raw, int):
        number = Decimal(raw)
    elif isinstance(raw, float) and math.isfinite(raw):
        number = Decimal(repr(raw))
    elif isinstance(raw, Decimal) and raw.is_finite():
        number = raw
    elif isinstance(raw, str) and DECIMAL.fullmatch(raw.strip()):
        if (overlong := _overlong(raw, raw)) is not None:
            raise overlong
        number = Decimal(raw.strip())
    if number is None:
        raise Refused(_("“%(v)s” is not a number.") % {"v": _shown(raw)})
    if abs(number) >= LARGEST:
        raise Refused(_("“%(v)s” is too large.") % {"v": _shown(raw)})
    return number, _plain(number)


def _as_date(raw: Any, choices: Choices) -> tuple[Any, str]:
    day: datetime.date | None = None
    if isinstance(raw, datetime.datetime):
        day = raw.date()
    elif isinstance(raw, datetime.date):
        day = raw
    elif isinstance(raw, str) and (match := DATE.fullmatch(raw.strip())):
        try:
            day = datetime.date(*(int(g) for g in match.groups()))
        except ValueError:
            day = None
    if day is None:
        raise Refused(_("“%(v)s” is not a date: write it as YYYY-MM-DD.") % {"v": _shown(raw)})
    return day, day.isoformat()


def _choice(raw: Any) -> str | None:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, str | int | float | Decimal) and not isinstance(raw, bool):
        return raw_text(raw)
    return None


def _as_select_one(raw: Any, choices: Choices) -> tuple[Any, str]:
    if isinstance(raw, list | tuple):
        picked = [v for v in raw if raw_text(v)]
        if len(picked) > 1:
            raise Refused(_("Choose only one answer."), "choice")
        raw = picked[0]
    name = _choice(raw)
    if name is None or name not in choices.known:
        raise Refused(
            _("“%(v)s” is not one of the choices of this question.") % {"v": _shown(raw)},
            "choice",
        )
    return name, name


def _as_select_multiple(raw: Any, choices: Choices) -> tuple[Any, str]:
    parts = raw if isinstance(raw, list | tuple) else [raw]
    names: list[str] = []
    for part in parts:
        name = _choice(part)
        if name is None:
            raise Refused(
                _("“%(v)s” is not one of the choices of this question.") % {"v": _shown(part)},
                "choice",
            )
        names.extend(name.split())
    unknown = [n for n in names if n not in choices.known]
    if unknown:
        raise Refused(
            _("“%(v)s” is not one of the choices of this question.") % {"v": " ".join(unknown)},
            "choice",
        )
    chosen = set(names)
    ordered = [c for c in choices.names if c in chosen]
    return ordered, " ".join(ordered)


def _as_geopoint(raw: Any, choices: Choices) -> tuple[Any, str]:
    if isinstance(raw, list | tuple):
        text: str | None = " ".join(raw_text(p) or "" for p in raw)
    else:
        text = raw_text(raw)
    parts = (text or "").split()
    refused = Refused(
        _(
            "“%(v)s” is not a location: write the latitude and the longitude, then optionally "
            "the altitude and the accuracy, separated by spaces."
        )
        % {"v": _shown(text or raw)}
    )
    if not 2 <= len(parts) <= 4 or not all(DECIMAL.fullmatch(p) for p in parts):
        raise refused
    for part in parts:
        if (overlong := _overlong(part, part)) is not None:
            raise overlong
    try:
        numbers = [Decimal(p) for p in parts] + [Decimal(0)] * (4 - len(parts))
    except InvalidOperation as exc:
        raise refused from exc
    latitude, longitude, _altitude, accuracy = numbers
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or accuracy < 0:
        raise Refused(
            _(
                "“%(v)s” is not a location: the latitude must be between -90 and 90, the "
                "longitude between -180 and 180."
            )
            % {"v": _shown(text)}
        )
    normal = " ".join(_plain(n) for n in numbers)
    return normal, normal


_TYPERS: dict[str, Callable[[Any, Choices], tuple[Any, str]]] = {
    "text": _as_text,
    "integer": _as_integer,
    "decimal": _as_decimal,
    "date": _as_date,
    "select_one": _as_select_one,
    "select_multiple": _as_select_multiple,
    "geopoint": _as_geopoint,
}
