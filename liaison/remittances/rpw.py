"""Reading the World Bank's Remittance Prices Worldwide (RPW) workbook, row by row.

RPW's sheet "Dataset (from Q2 2016)" holds one row per service (a provider's product in a
corridor and quarter) with its price at the two price points: the ``cc1 ...`` columns for the
local-currency equivalent of USD 200, the ``cc2 ...`` ones for USD 500. Each row becomes up to
two ``Quote``s (a block left empty is skipped), or problems naming the row and the column.

The sheet is streamed (openpyxl's read-only mode, values only): a workbook of hundreds of
thousands of rows is never held in memory. This module touches no database;
``imports.import_rpw`` stores what it reads.

Headers are matched whatever their case, spacing or underscores (``source_code`` and
``Source Code`` are one column); unknown and unlabelled columns are ignored. The words RPW uses
for instruments, access points, speeds and firm types vary in case and wording from one
edition to the next ("Cash", "CASH", "MTO", "Money Transfer Operator"): they are mapped onto
Liaison's choices, unknown ones to "other" (to "not known" for a speed).

The receiving currency: RPW names the sending one (``cc1 lcu code``, the local currency unit of
the sending country) but not the one the receiver gets. A ``receiving currency`` column is used
when the file has one; otherwise it is the money the destination country used at the start of
the quarter according to the Unicode CLDR (Babel's ``get_territory_currencies``: its first legal
tender that is an ISO 4217 currency, so XOF for Senegal, USD for Ecuador, PAB for Panama). The
rates RPW records are in that currency per unit of the sending one.
"""

from __future__ import annotations

import datetime
import functools
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from babel.numbers import get_territory_currencies
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from liaison.core.validators import no_markup
from liaison.remittances import costs, services
from liaison.remittances.models import AccessPoint, Instrument, Pickup, Provider, Speed
from liaison.remittances.periods import Period
from liaison.taxonomy import reference
from liaison.taxonomy.reference import is_currency

SHEET = "Dataset (from Q2 2016)"
MAX_PROBLEMS = 50  # a file that wrong is read no further: the first ones say enough
HEADER_SEARCH = 10  # the header is the first row naming ``period`` among the first ten
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an old Excel (.xls) file
MAX_SHARED_STRINGS = 256 << 20  # the one part openpyxl loads whole: refused beyond 256 MB

CENT, RATE = (
    costs.CENTS,
    Decimal("0.0000000001"),
)  # the model keeps amounts to two decimals, rates to ten
LIMIT = Decimal(10) ** 13  # amounts and rates the model's columns can hold
MAX_RECEIVED = Decimal(10) ** 21

# RPW and DataBank write Kosovo KSV; the country list knows it as XK and XKX (settings).
WORLD_BANK_CODES = {"KSV": "XK"}


def column_key(text: object) -> str:
    """A header as matched: case, surrounding spaces, runs of spaces and underscores ignored."""
    return " ".join(str(text).replace("_", " ").split()).casefold()


# The columns every RPW file has (as RPW writes them) and the optional ones.
PERIOD, SOURCE, DESTINATION = "period", "source_code", "destination_code"
FIRM, FIRM_TYPE = "firm", "firm_type"
INSTRUMENT, ACCESS, SPEED = "payment instrument", "access point", "speed actual"
INTERBANK, TRANSPARENT = "inter lcu bank fx", "transparent"
# Each price point and its columns: amount sent, fee, exchange rate applied.
BLOCK_COLUMNS = (
    (200, "cc1 lcu amount", "cc1 lcu fee", "cc1 lcu fx rate"),
    (500, "cc2 lcu amount", "cc2 lcu fee", "cc2 lcu fx rate"),
)
REQUIRED = (
    PERIOD,
    SOURCE,
    DESTINATION,
    FIRM,
    FIRM_TYPE,
    INSTRUMENT,
    ACCESS,
    SPEED,
    *(column for block in BLOCK_COLUMNS for column in block[1:]),
    "cc1 lcu code",
    INTERBANK,
    TRANSPARENT,
)
OPTIONAL = {
    "cc2 lcu code": ("cc2 lcu code",),
    "pickup": ("pick-up method", "pickup method", "pick up method", "receiving method"),
    "receiving currency": (
        "receiving currency",
        "destination currency",
        "receiving currency code",
        "destination currency code",
        "destination lcu code",
    ),
    "date": ("date", "date collected", "collection date", "collected on"),
}


def _words(text: object) -> str:
    """A value as looked up in the tables below: case, spaces and kinds of dash ignored."""
    text = " ".join(str(text).replace("–", "-").replace("—", "-").split()).casefold()
    return re.sub(r"\s*-\s*", "-", text)


def _table(choices: Any, words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    table = {_words(value): str(value) for value in choices.values if value}
    for value, said in words.items():
        table.update((_words(word), value) for word in said)
    return table


INSTRUMENTS = _table(
    Instrument,
    {
        Instrument.CASH: ("cash",),
        Instrument.BANK_ACCOUNT: ("bank account", "account", "bank", "bank transfer"),
        Instrument.DEBIT_CARD: ("debit card",),
        Instrument.CREDIT_CARD: ("credit card",),
        Instrument.MOBILE_MONEY: ("mobile money", "mobile wallet", "mobile", "e-wallet"),
    },
)
ACCESS_POINTS = _table(
    AccessPoint,
    {
        AccessPoint.BRANCH: ("branch", "bank branch", "branch office", "office"),
        AccessPoint.AGENT: ("agent", "agent location", "retail agent", "agent network"),
        AccessPoint.INTERNET: ("internet", "online", "website", "web", "online banking"),
        AccessPoint.MOBILE_PHONE: ("mobile phone", "mobile", "mobile app", "app", "smartphone"),
        AccessPoint.CALL_CENTRE: ("call centre", "call center", "telephone"),
    },
)
SPEEDS = _table(
    Speed,
    {
        Speed.LESS_THAN_ONE_HOUR: (
            "less than one hour",
            "less than 1 hour",
            "less than an hour",
            "< 1 hour",
            "<1 hour",
            "within one hour",
            "within an hour",
            "instant",
            "minutes",
        ),
        Speed.SAME_DAY: ("same day",),
        Speed.NEXT_DAY: ("next day", "1 day", "one day"),
        Speed.TWO_DAYS: ("2 days", "two days"),
        Speed.THREE_TO_FIVE_DAYS: ("3-5 days", "3 to 5 days", "3 days", "4 days", "5 days"),
        Speed.SIX_DAYS_OR_MORE: (
            "6 days or more",
            "6 days",
            "6+ days",
            "more than 5 days",
            "more than 6 days",
        ),
    },
)
FIRM_TYPES = _table(
    Provider.Kind,
    {
        Provider.Kind.BANK: ("bank", "commercial bank"),
        Provider.Kind.MONEY_TRANSFER_OPERATOR: (
            "money transfer operator",
            "money transfer operators",
            "mto",
            "money transfer company",
        ),
        Provider.Kind.MOBILE_OPERATOR: (
            "mobile operator",
            "mobile network operator",
            "mno",
            "mobile money operator",
        ),
        Provider.Kind.POST_OFFICE: ("post office", "post", "postal operator", "postal service"),
        Provider.Kind.FINTECH: ("fintech", "digital provider", "digital only"),
    },
)
PICKUPS = _table(
    Pickup,
    {
        Pickup.CASH: ("cash", "cash pickup", "cash pick-up", "cash pick up"),
        Pickup.BANK_ACCOUNT: ("bank account", "account", "account credit", "bank deposit"),
        Pickup.MOBILE_WALLET: ("mobile wallet", "mobile money", "mobile"),
        Pickup.HOME_DELIVERY: ("home delivery", "delivery"),
    },
)
YES = {"yes", "y", "true", "t", "1"}
NO = {"no", "n", "false", "f", "0"}


@dataclass(frozen=True)
class Problem:
    """Something wrong with the file: where (row and column, when they apply) and why."""

    row: int | None
    column: str
    reason: str

    def __str__(self) -> str:
        if self.row and self.column:
            return _("Row %(row)s, column “%(column)s”: %(reason)s") % {
                "row": self.row,
                "column": self.column,
                "reason": self.reason,
            }
        if self.row:
            return _("Row %(row)s: %(reason)s") % {"row": self.row, "reason": self.reason}
        return self.reason

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass(kw_only=True)
class Problems:
    """The problems found in a file: every one counted, the first ``MAX_PROBLEMS`` kept."""

    problems: list[Problem] = field(default_factory=list)
    total_problems: int = 0

    def add(self, problem: Problem) -> None:
        self.total_problems += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    @property
    def full(self) -> bool:
        return self.total_problems >= MAX_PROBLEMS


class RpwFileError(Exception):
    """The file cannot be read at all (not a workbook, no such sheet, columns missing)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems[:3]))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Quote:
    """One observation read from a row: a service's price at one price point."""

    row: int
    period: Period
    price_point: int
    source_country: str
    source_currency: str
    destination_country: str
    destination_currency: str
    firm: str
    firm_kind: str
    instrument: str
    access_point: str
    speed: str
    pickup: str
    transparent: bool
    amount_sent: Decimal
    fee: Decimal
    exchange_rate: Decimal
    interbank_rate: Decimal
    cost: costs.Cost
    collected_on: datetime.date


@dataclass(frozen=True)
class Row:
    number: int
    quotes: list[Quote]
    problems: list[Problem]


def country_code(text: object) -> str | None:
    """ISO 3166 alpha-2 code for an alpha-3 (as RPW and DataBank write them) or alpha-2 code."""
    code = str(text or "").strip().upper()
    return reference.country_code(WORLD_BANK_CODES.get(code, code))


@functools.cache
def main_currency(country: str, on: datetime.date) -> str | None:
    """The money ``country`` used on ``on`` (see the module's docstring)."""
    for code in get_territory_currencies(country, start_date=on, tender=True):
        if is_currency(code):
            return str(code)
    return None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: object) -> str:
    return "" if value is None else " ".join(str(value).split())


class Sheet:
    """The RPW sheet of a workbook, opened for reading (``open_sheet``)."""

    def __init__(self, workbook: Any, sheet: Any) -> None:
        self._workbook = workbook
        # Rows as the sheet's <dimension> tells (for a progress bar only; it may be wrong).
        self.total_rows: int | None = sheet.max_row if (sheet.max_row or 0) > 1 else None
        # Then read every cell of every row whatever it says: some writers put "A1" there.
        sheet.reset_dimensions()
        self._rows = sheet.iter_rows(values_only=True)
        self.header_row = 0
        self.columns: dict[str, int] = {}  # column as RPW names it -> position
        self.names: dict[str, str] = {}  # column as RPW names it -> header as the file has it
        self._header()
        self._used = sorted(set(self.columns.values()))  # the positions of the columns read
        self._cache: dict[tuple[str, object], Any] = {}

    def close(self) -> None:
        self._workbook.close()

    def _header(self) -> None:
        header: tuple[Any, ...] = ()
        for number, cells in enumerate(self._rows, start=1):
            keys = [column_key(c) for c in cells if not _blank(c)]
            if not header and keys:
                header, self.header_row = cells, number
            if PERIOD in keys:
                header, self.header_row = cells, number
                break
            if number >= HEADER_SEARCH:
                break
        found: dict[str, tuple[int, str]] = {}
        for i, cell in enumerate(header):
            if not _blank(cell):
                found.setdefault(column_key(cell), (i, str(cell).strip()))
        wanted = [(name, (name,)) for name in REQUIRED] + list(OPTIONAL.items())
        for name, aliases in wanted:
            for alias in aliases:
                if column_key(alias) in found:
                    self.columns[name], self.names[name] = found[column_key(alias)]
                    break
        missing = [name for name in REQUIRED if name not in self.columns]
        if missing:
            known = {column_key(a) for _name, aliases in wanted for a in aliases}
            others = [text for key, (_i, text) in found.items() if key not in known][:12]
            reason = _(
                "The sheet “%(sheet)s” lacks the columns %(missing)s (header row %(row)s)."
            ) % {
                "sheet": SHEET,
                "missing": ", ".join(f"“{m}”" for m in missing),
                "row": self.header_row or 1,
            }
            if others:
                reason += " " + _("Columns it has that Liaison does not use: %(others)s.") % {
                    "others": ", ".join(f"“{o}”" for o in others)
                }
            raise RpwFileError([Problem(None, "", reason)])

    def rows(self) -> Iterator[Row]:
        """Every data row after the header that is not empty."""
        numbered = enumerate(self._rows, start=self.header_row + 1)
        number = self.header_row
        while True:
            try:
                number, cells = next(numbered)
            except StopIteration:
                return
            except Exception as exc:  # a damaged part of the zip or XML, met while streaming
                raise RpwFileError(
                    [
                        Problem(
                            None,
                            "",
                            _("The workbook is damaged after row %(row)s; it cannot be read.")
                            % {"row": number},
                        )
                    ]
                ) from exc
            # A row is empty when the columns read are (a note in another column is no row).
            if not all(_blank(cells[i]) for i in self._used if i < len(cells)):
                yield self._row(number, cells)

    # --- one row ---------------------------------------------------------------------------

    def _cell(self, cells: tuple[Any, ...], name: str) -> Any:
        i = self.columns.get(name)
        return cells[i] if i is not None and i < len(cells) else None

    def _row(self, number: int, cells: tuple[Any, ...]) -> Row:
        problems: list[Problem] = []

        def problem(name: str, reason: str) -> None:
            problems.append(Problem(number, self.names.get(name, name), reason))

        # The price blocks first: a row without any price is skipped whatever else it says.
        blocks: list[tuple[int, str, str, Decimal, Decimal, Decimal]] = []
        priced = False
        for point, amount_column, fee_column, rate_column in BLOCK_COLUMNS:
            values = [self._cell(cells, c) for c in (amount_column, fee_column, rate_column)]
            if all(_blank(v) for v in values):
                continue
            priced = True
            amount = self._number(values[0], amount_column, problem, "amount_sent", CENT)
            fee = self._number(values[1], fee_column, problem, "fee", CENT)
            rate = self._number(values[2], rate_column, problem, "exchange_rate", RATE)
            if amount is not None and fee is not None and rate is not None:
                blocks.append((point, fee_column, rate_column, amount, fee, rate))
        if not priced:
            return Row(number, [], [])
        interbank = self._number(
            self._cell(cells, INTERBANK), INTERBANK, problem, "interbank_rate", RATE
        )
        period = self._cached("period", self._cell(cells, PERIOD), _period)
        if isinstance(period, str):
            problem(PERIOD, period)
        source = self._country(cells, SOURCE, problem)
        destination = self._country(cells, DESTINATION, problem)
        if source and source == destination:
            problem(
                DESTINATION,
                _("the receiving country is the sending country (%(code)s).") % {"code": source},
            )
        firm = self._firm(cells, problem)
        transparent = self._transparent(self._cell(cells, TRANSPARENT), problem)
        sending = self._currency(cells, "cc1 lcu code", problem)
        if sending == "" and "cc2 lcu code" in self.columns:
            sending = self._currency(cells, "cc2 lcu code", problem)
        if sending == "":
            problem("cc1 lcu code", _("the sending currency is empty."))
        receiving: str | None = None
        if "receiving currency" in self.columns:
            receiving = self._currency(cells, "receiving currency", problem)
            if receiving == "":
                problem("receiving currency", _("the receiving currency is empty."))
        elif destination and isinstance(period, Period):
            receiving = main_currency(destination, period.starts)
            if receiving is None:
                problem(
                    DESTINATION,
                    _(
                        "Liaison knows no currency of %(code)s; add a “receiving currency” "
                        "column to the sheet."
                    )
                    % {"code": destination},
                )
        collected_on = None
        if isinstance(period, Period):
            collected_on = self._date(self._cell(cells, "date"), period, problem)

        if interbank is None:
            return Row(number, [], problems)
        service = {  # the same for both price points of the row
            "firm_kind": self._choice(FIRM_TYPE, cells, FIRM_TYPES, Provider.Kind.OTHER),
            "instrument": self._choice(INSTRUMENT, cells, INSTRUMENTS, Instrument.OTHER),
            "access_point": self._choice(ACCESS, cells, ACCESS_POINTS, AccessPoint.OTHER),
            "speed": self._choice(SPEED, cells, SPEEDS, ""),
            "pickup": self._choice("pickup", cells, PICKUPS, Pickup.OTHER, Pickup.UNKNOWN),
        }
        quotes: list[Quote] = []
        for point, fee_column, rate_column, amount, fee, rate in blocks:
            cost = self._cost(fee_column, rate_column, amount, fee, rate, interbank, problem)
            if cost is None or problems:
                continue
            assert isinstance(period, Period) and collected_on is not None
            assert source and destination and sending and receiving and transparent is not None
            quotes.append(
                Quote(
                    row=number,
                    period=period,
                    price_point=point,
                    source_country=source,
                    source_currency=sending,
                    destination_country=destination,
                    destination_currency=receiving,
                    firm=firm,
                    **service,
                    transparent=transparent,
                    amount_sent=amount,
                    fee=fee,
                    exchange_rate=rate,
                    interbank_rate=interbank,
                    cost=cost,
                    collected_on=collected_on,
                )
            )
        return Row(number, [] if problems else quotes, problems)

    def _cached(self, kind: str, value: object, read: Callable[[Any], Any]) -> Any:
        """``read(value)``, remembered: the same words and codes recur on every row."""
        key = (kind, value)
        if key not in self._cache:
            self._cache[key] = read(value)
        return self._cache[key]

    def _choice(
        self,
        name: str,
        cells: tuple[Any, ...],
        table: dict[str, str],
        other: str,
        blank: str | None = None,
    ) -> str:
        """The choice a word of the file stands for: ``other`` when unknown, ``blank`` (or
        ``other``) when the cell is empty."""
        value = self._cell(cells, name)
        if _blank(value):
            return str(other if blank is None else blank)
        return str(self._cached(name, value, lambda v: table.get(_words(v), str(other))))

    def _country(self, cells: tuple[Any, ...], name: str, problem: Any) -> str | None:
        value = self._cell(cells, name)
        code: str | None = self._cached("country", value, country_code)
        if code is None:
            if _blank(value):
                problem(name, _("the country code is empty."))
            else:
                problem(
                    name,
                    _("“%(value)s” is not an ISO 3166 country code (alpha-3 or alpha-2).")
                    % {"value": _text(value)[:40]},
                )
        return code

    def _currency(self, cells: tuple[Any, ...], name: str, problem: Any) -> str | None:
        """The ISO 4217 code of the cell; "" when it is empty, None (and a problem) when it is
        no currency."""
        value = self._cell(cells, name)
        if _blank(value):
            return ""
        code = str(value).strip().upper()
        if self._cached("currency", code, is_currency):
            return code
        problem(
            name,
            _("“%(value)s” is not an ISO 4217 currency code (e.g. EUR, USD, XOF).")
            % {"value": _text(value)[:40]},
        )
        return None

    def _firm(self, cells: tuple[Any, ...], problem: Any) -> str:
        firm = _text(self._cell(cells, FIRM))
        if not firm:
            problem(FIRM, _("the provider's name is empty."))
        elif len(firm) > 200:
            problem(FIRM, _("the provider's name is longer than 200 characters."))
        else:
            try:
                no_markup(firm)
            except ValidationError as exc:
                problem(FIRM, " ".join(exc.messages))
        return firm

    def _transparent(self, value: object, problem: Any) -> bool | None:
        if isinstance(value, bool):
            return value
        said = "" if _blank(value) else _words(value)
        if isinstance(value, (int, float)) and value in (0, 1):
            said = str(int(value))
        if said in YES:
            return True
        if said in NO:
            return False
        if said:
            problem(TRANSPARENT, _("“%(value)s” is not yes or no.") % {"value": _text(value)[:40]})
        else:
            problem(TRANSPARENT, _("the cell is empty: say yes or no."))
        return None

    def _number(
        self, value: object, name: str, problem: Any, what: str, places: Decimal
    ) -> Decimal | None:
        """A figure of the row, checked for what it is (``what``, a field of
        ``services.FIGURES``: ``services.sign_problem``), kept to the model's decimals."""
        if _blank(value):
            problem(name, _("the figure is missing."))
            return None
        number: Decimal | None = None
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            number = Decimal(str(value))
        elif isinstance(value, str):
            try:
                number = Decimal(value.strip().replace("\u00a0", "").replace(" ", ""))
            except InvalidOperation:
                number = None
        if number is None or not number.is_finite():
            text = _text(value)[:40]
            if text.startswith("#"):
                problem(
                    name, _("the cell holds the spreadsheet error %(value)s.") % {"value": text}
                )
            else:
                problem(name, _("“%(value)s” is not a number.") % {"value": text})
            return None
        if abs(number) >= LIMIT:
            problem(name, _("%(value)s is too large to be right.") % {"value": number})
            return None
        wrong = services.sign_problem(what, number)
        if wrong:
            problem(name, wrong)
            return None
        quantized = number.quantize(places)
        if quantized <= 0 and what != "fee":
            problem(name, _("%(value)s is too small to be right.") % {"value": number})
            return None
        return quantized

    def _cost(
        self,
        fee_column: str,
        rate_column: str,
        amount: Decimal,
        fee: Decimal,
        rate: Decimal,
        interbank: Decimal,
        problem: Any,
    ) -> costs.Cost | None:
        """RPW's cost of a block, or None with a problem when its figures cannot be right
        (``services.priced``, the rules of every price, on the block's columns)."""
        columns = {"fee": fee_column, "exchange_rate": rate_column}
        cost, problems = services.priced(amount, fee, rate, interbank)
        for name, messages in problems.items():
            for message in messages:
                problem(columns[name], message)
        if cost is None:
            return None
        if cost.amount_received >= MAX_RECEIVED:
            problem(rate_column, _("the amount received would be too large to be right."))
            return None
        return cost

    def _date(self, value: object, period: Period, problem: Any) -> datetime.date | None:
        if _blank(value):
            return period.starts
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            problem("date", _("“%(value)s” is not a date.") % {"value": _text(value)[:40]})
            return None


def _period(value: object) -> Period | str:
    try:
        return Period.parse(value)
    except ValueError as exc:
        return str(exc)


def open_sheet(handle: IO[bytes]) -> Sheet:
    """Open the RPW sheet of an XLSX workbook and read its header; ``RpwFileError`` when the
    file is no such workbook."""

    def refuse(reason: str) -> RpwFileError:
        return RpwFileError([Problem(None, "", reason)])

    start = handle.read(8)
    handle.seek(0)
    if start.startswith(OLE):
        raise refuse(
            _(
                "This is an old Excel (.xls) workbook. Open it in a spreadsheet and save it "
                "as .xlsx."
            )
        )
    try:
        with zipfile.ZipFile(handle) as archive:
            strings = [i for i in archive.infolist() if i.filename == "xl/sharedStrings.xml"]
    except zipfile.BadZipFile as exc:
        raise refuse(_("The file is not an XLSX workbook (or it is damaged).")) from exc
    if strings and strings[0].file_size > MAX_SHARED_STRINGS:
        raise refuse(_("The workbook's text table is too large to be an RPW workbook."))
    handle.seek(0)
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise refuse(_("The file is not a readable XLSX workbook (it may be damaged).")) from exc
    wanted = column_key(SHEET)
    found = [name for name in workbook.sheetnames if column_key(name) == wanted]
    if not found:
        names = ", ".join(f"“{n}”" for n in workbook.sheetnames)
        workbook.close()
        raise refuse(
            _("The workbook has no sheet “%(sheet)s”; its sheets are %(names)s.")
            % {"sheet": SHEET, "names": names}
        )
    try:
        return Sheet(workbook, workbook[found[0]])
    except RpwFileError:
        workbook.close()
        raise
    except Exception as exc:  # damaged sheet XML
        workbook.close()
        raise refuse(_("The file is not a readable XLSX workbook (it may be damaged).")) from exc
