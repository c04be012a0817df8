"""Reading a World Bank DataBank export of RPW's corridor averages (series ATCR.CORR, the
average total cost of sending USD 200 from one country to another, by quarter).

DataBank's CSV: a byte order mark, the columns "Sending Countries Name", "Sending Countries
Code", "Series Name", "Series Code", "Receiving Countries  Name" (two spaces), "Receiving
Countries  Code", then one column per quarter ("2011Q1 [YR2011Q1]"); ".." where there is no
figure; empty rows and a footer ("Data from database: ...", "Last Updated: ...") under the
table. Codes are ISO 3166 alpha-3. The file is a few thousand rows: it is read whole. This
module touches no database; ``imports.import_history`` stores what it reads.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO

from django.utils.translation import gettext as _

from liaison.remittances import costs
from liaison.remittances.periods import Period
from liaison.remittances.rpw import (
    OLE,
    Problem,
    Problems,
    column_key,
    country_code,
)

SERIES = "ATCR.CORR"
SOURCE = "Sending Countries Code"
DESTINATION = "Receiving Countries  Code"
SERIES_CODE = "Series Code"
NO_FIGURE = {"", ".."}
# Countries DataBank still lists that ISO 3166 no longer has: their figures are left out.
FORMER = {"ANT": "Netherlands Antilles"}


@dataclass(frozen=True)
class Average:
    row: int
    source_country: str
    destination_country: str
    period: Period
    total_cost: Decimal


@dataclass
class History(Problems):
    """What the file holds: the averages, or the problems that keep it from being stored."""

    averages: list[Average] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)


def read_history(handle: IO[bytes]) -> History:
    """Every figure of the export, checked; nothing is stored here."""
    history = History()
    start = handle.read(8)
    handle.seek(0)
    if start.startswith((b"PK", OLE)):
        history.add(
            Problem(
                None,
                "",
                _(
                    "This is a spreadsheet workbook; DataBank's export is wanted as CSV "
                    "(Download options: CSV)."
                ),
            )
        )
        return history
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    try:
        rows = list(csv.reader(text))
    except (UnicodeDecodeError, csv.Error) as exc:
        reason = (
            _("The file is not UTF-8 text as DataBank writes its CSV.")
            if isinstance(exc, UnicodeDecodeError)
            else _("The file is not a readable CSV file: %(error)s") % {"error": exc}
        )
        history.add(Problem(None, "", reason))
        return history
    finally:
        text.detach()  # leave the caller's file open
    header = rows[0] if rows else []
    keys = [column_key(h) for h in header]
    missing = [c for c in (SOURCE, DESTINATION) if column_key(c) not in keys]
    quarters: dict[int, Period] = {}
    for i, name in enumerate(header):
        try:
            quarters[i] = Period.parse(name.split("[")[0])
        except ValueError:
            continue
    if missing or not quarters:
        reason = _("The file is not DataBank's export of corridor averages: ")
        if missing:
            reason += _("it lacks the columns %(missing)s.") % {
                "missing": ", ".join(f"“{m}”" for m in missing)
            }
        else:
            reason += _("no column is a quarter (such as “2011Q1 [YR2011Q1]”).")
        history.add(Problem(1, "", reason))
        return history
    source_at, destination_at = keys.index(column_key(SOURCE)), keys.index(column_key(DESTINATION))
    series_at = keys.index(column_key(SERIES_CODE)) if column_key(SERIES_CODE) in keys else None
    seen: dict[tuple[str, str, Period], int] = {}
    left_out: set[str] = set()
    other_series: set[str] = set()
    for number, row in enumerate(rows[1:], start=2):
        if history.full:
            break
        cells = row + [""] * (len(header) - len(row))
        if not cells[source_at].strip() and not cells[destination_at].strip():
            continue  # an empty row, or the footer's notes
        figures = {i: cells[i].strip() for i in quarters if cells[i].strip() not in NO_FIGURE}
        if not figures:
            continue  # a corridor without any figure (most of them)
        series = cells[series_at].strip() if series_at is not None else SERIES
        if series != SERIES:
            other_series.add(series or "—")
            continue
        codes: list[str] = []
        for at in (source_at, destination_at):
            written = cells[at].strip().upper()
            code = country_code(written)
            if written in FORMER:
                left_out.add(f"{written} ({FORMER[written]})")
            elif code is None:
                history.add(
                    Problem(
                        number,
                        header[at],
                        _("“%(value)s” is not an ISO 3166 country code.") % {"value": written[:40]},
                    )
                )
            else:
                codes.append(code)
        if len(codes) < 2:
            continue
        source, destination = codes
        if source == destination:
            history.add(
                Problem(
                    number,
                    header[destination_at],
                    _("the receiving country is the sending country (%(code)s).")
                    % {"code": source},
                )
            )
            continue
        for i, figure in figures.items():
            try:
                value = Decimal(figure)
            except InvalidOperation:
                value = Decimal("NaN")
            if not value.is_finite() or not -costs.HUNDRED <= value <= costs.HUNDRED:
                history.add(
                    Problem(
                        number,
                        header[i],
                        _("“%(value)s” is not an average cost in percent.")
                        % {"value": figure[:40]},
                    )
                )
                continue
            key = (source, destination, quarters[i])
            if key in seen:
                history.add(
                    Problem(
                        number,
                        header[i],
                        _("row %(row)s already gives this corridor's average in %(period)s.")
                        % {"row": seen[key], "period": quarters[i]},
                    )
                )
                continue
            seen[key] = number
            history.averages.append(
                Average(number, source, destination, quarters[i], value.quantize(costs.PERCENT))
            )
    history.left_out = sorted(left_out)
    if other_series:
        history.left_out.append(
            _("rows of other series (%(series)s)") % {"series": ", ".join(sorted(other_series))}
        )
    return history
