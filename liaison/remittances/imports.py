"""Importing remittance price data: RPW workbooks (observations), DataBank's corridor averages
(history) and the World Bank's bilateral remittance estimates (flows).

Each import is all or nothing: it runs in one transaction, and a file with any problem leaves
the database as it was and says why, row and column named (the first ``MAX_PROBLEMS``, then it
stops reading). Each import that stores records one audit event.

An RPW workbook is streamed: rows are read one at a time (``rpw.Sheet.rows``) and written a few
thousand at a time (``core.bulk.insert``), so memory does not grow with the file, except for one
integer per observation, kept to find the same observation given twice. Whether an observation
is already stored is asked once per corridor and quarter, when its first row is met, not once
per row.

A workbook uploaded on the page is imported in the background (``import_rpw_task``), like the
surveys' imports: the file is kept in the default storage, the task and its progress row are
queued in one transaction, and the file is deleted once the task is over.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypedDict

from django.conf import settings
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from liaison.accounts.models import User
from liaison.audit.models import AuditEvent
from liaison.audit.services import record
from liaison.core import bulk
from liaison.core.context import acting_as
from liaison.core.models import TaskProgress
from liaison.core.progress import Reporter, kept_upload, start_upload_task
from liaison.insights.worldbank import WorldBankFileError, read_amounts
from liaison.remittances import databank, rpw
from liaison.remittances.calculator import forget_corridors
from liaison.remittances.models import (
    OBSERVATION_IDENTITY,
    AccessPoint,
    Corridor,
    CorridorHistory,
    Instrument,
    Observation,
    Pickup,
    Provider,
    RemittanceFlow,
)
from liaison.remittances.periods import FIRST_YEAR, Period
from liaison.remittances.rpw import Problem, Problems

logger = logging.getLogger(__name__)

BATCH = 5000  # observations written at a time
PROGRESS_EVERY = 1000  # rows between two progress reports
KIND = "remittances.import"  # marks the progress rows of RPW imports (``result["kind"]``)
UPLOADS = "remittance-imports"  # the storage folder of files waiting for their import

Progress = Callable[[int, int | None], None]  # rows read, rows in the file (when known)


class ReportData(TypedDict):
    """A report as JSON, as a background import keeps it."""

    file_name: str
    what: str
    rows: int
    stored: int
    new: int
    providers_created: int
    corridors_created: int
    unpriced: int
    periods: list[str]
    left_out: list[str]
    problems: list[dict[str, Any]]
    total_problems: int
    stopped_at: int | None


@dataclass
class Report(Problems):
    """What an import stored, or why it stored nothing."""

    file_name: str
    what: str  # "rpw", "history" or "flows"
    rows: int = 0  # rows of the file read (not empty)
    stored: int = 0  # observations, quarterly averages or flows written
    new: int = 0  # of which new (history: the others replaced a figure already there)
    providers_created: int = 0
    corridors_created: int = 0
    unpriced: int = 0  # RPW rows without any price
    periods: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    stopped_at: int | None = None  # the row where reading stopped, after too many problems

    def refusal(self) -> str:
        """One sentence saying that nothing was stored, and why."""
        text = ngettext(
            "%(file)s has %(n)s problem; nothing was stored.",
            "%(file)s has %(n)s problems; nothing was stored.",
            self.total_problems,
        ) % {"file": self.file_name, "n": self.total_problems}
        if self.stopped_at:
            text += " " + _(
                "Reading stopped at row %(row)s after %(n)s problems: correct these and "
                "import the file again to see whether there are more."
            ) % {"row": self.stopped_at, "n": self.total_problems}
        return text

    def outcome(self) -> list[str]:
        """What a successful import did, in sentences."""
        counts = {
            "n": self.stored,
            "file": self.file_name,
            "new": self.new,
            "rows": self.rows,
            "periods": ", ".join(self.periods) or "—",
        }
        if self.what == "rpw":
            lines = [
                ngettext(
                    "%(n)s price observation stored from %(file)s (%(rows)s rows; %(periods)s).",
                    "%(n)s price observations stored from %(file)s (%(rows)s rows; %(periods)s).",
                    self.stored,
                )
                % counts,
                _("New providers: %(providers)s; new corridors: %(corridors)s.")
                % {"providers": self.providers_created, "corridors": self.corridors_created},
            ]
            if self.unpriced:
                lines.append(
                    ngettext(
                        "%(n)s row had no price at either price point and was skipped.",
                        "%(n)s rows had no price at either price point and were skipped.",
                        self.unpriced,
                    )
                    % {"n": self.unpriced}
                )
        elif self.what == "history":
            lines = [
                ngettext(
                    "%(n)s quarterly corridor average stored from %(file)s (%(periods)s): "
                    "%(new)s new, %(replaced)s replacing the figure of the same corridor and "
                    "quarter.",
                    "%(n)s quarterly corridor averages stored from %(file)s (%(periods)s): "
                    "%(new)s new, %(replaced)s replacing the figure of the same corridor and "
                    "quarter.",
                    self.stored,
                )
                % {**counts, "replaced": self.stored - self.new}
            ]
        else:
            lines = [
                ngettext(
                    "%(n)s remittance flow estimate for %(periods)s stored from %(file)s, "
                    "replacing that year's.",
                    "%(n)s remittance flow estimates for %(periods)s stored from %(file)s, "
                    "replacing that year's.",
                    self.stored,
                )
                % counts
            ]
        if self.left_out:
            lines.append(_("Left out: %(items)s.") % {"items": "; ".join(self.left_out)})
        return lines

    def as_dict(self) -> ReportData:
        return {
            "file_name": self.file_name,
            "what": self.what,
            "rows": self.rows,
            "stored": self.stored,
            "new": self.new,
            "providers_created": self.providers_created,
            "corridors_created": self.corridors_created,
            "unpriced": self.unpriced,
            "periods": self.periods,
            "left_out": [str(item) for item in self.left_out],
            "problems": [p.as_dict() for p in self.problems],
            "total_problems": self.total_problems,
            "stopped_at": self.stopped_at,
        }


# --- RPW workbooks ----------------------------------------------------------------------------


def _index(values: list[str]) -> dict[str, int]:
    return {value: i for i, value in enumerate(values)}


_INSTRUMENT, _ACCESS, _PICKUP = (
    _index(Instrument.values),
    _index(AccessPoint.values),
    _index(Pickup.values),
)


def identity(
    corridor: int,
    provider: int,
    year: int,
    quarter: int,
    price_point: int,
    instrument: str,
    access_point: str,
    pickup: str,
) -> int:
    """``OBSERVATION_IDENTITY`` packed into one integer: a quarter of a million of them fit
    in a few tens of megabytes, where tuples would take several times as much."""
    key = (corridor << 32) | provider
    key = (key << 8) | (year - FIRST_YEAR)
    key = (key << 2) | (quarter - 1)
    key = (key << 1) | (price_point != 200)
    key = (key << 3) | _INSTRUMENT.get(instrument, 7)
    key = (key << 3) | _ACCESS.get(access_point, 7)
    return (key << 3) | _PICKUP.get(pickup, 7)


class _Store:
    """Stores the quotes of one RPW workbook, batch by batch, checking each against the
    observations met before in the file and those already in the database."""

    def __init__(self, actor: Any, file_name: str, report: Report) -> None:
        self.actor_id = getattr(actor, "pk", None)
        self.file_name = file_name
        self.report = report
        # Few enough to know them all: a few thousand providers and corridors at most.
        self.providers = {
            name.casefold(): pk for pk, name in Provider.objects.values_list("pk", "name")
        }
        self.corridors = {
            (str(source), source_currency, str(destination), destination_currency): pk
            for pk, source, source_currency, destination, destination_currency in (
                Corridor.objects.values_list(
                    "pk",
                    "source_country",
                    "source_currency",
                    "destination_country",
                    "destination_currency",
                )
            )
        }
        # Identity -> the row that gave it (> 0), or minus the stored observation's id.
        self.seen: dict[int, int] = {}
        self.loaded: set[tuple[int, int, int]] = set()  # (corridor, year, quarter) looked up
        self.pending: list[tuple[int, int, tuple[int, int, int], dict[str, Any]]] = []
        self.periods: set[tuple[int, int]] = set()
        self.new_providers: list[str] = []
        self.new_corridors: list[str] = []
        self.note = _("Imported from %(file)s, row %(row)s.")  # translated once, not per row

    def provider(self, quote: rpw.Quote) -> int:
        key = quote.firm.casefold()
        if key not in self.providers:
            # bulk_create sends no signal: the import's one audit event names what it created.
            (created,) = Provider.objects.bulk_create(
                [Provider(name=quote.firm, kind=quote.firm_kind)]
            )
            self.providers[key] = created.pk
            self.new_providers.append(quote.firm)
        return self.providers[key]

    def corridor(self, quote: rpw.Quote) -> int:
        key = (
            quote.source_country,
            quote.source_currency,
            quote.destination_country,
            quote.destination_currency,
        )
        if key not in self.corridors:
            (created,) = Corridor.objects.bulk_create(
                [
                    Corridor(
                        source_country=key[0],
                        source_currency=key[1],
                        destination_country=key[2],
                        destination_currency=key[3],
                    )
                ]
            )
            self.corridors[key] = created.pk
            self.new_corridors.append(" ".join(key))
        return self.corridors[key]

    def add(self, quote: rpw.Quote) -> None:
        corridor, provider = self.corridor(quote), self.provider(quote)
        year, quarter = quote.period.year, quote.period.quarter
        self.periods.add((year, quarter))
        key = identity(
            corridor,
            provider,
            year,
            quarter,
            quote.price_point,
            quote.instrument,
            quote.access_point,
            quote.pickup,
        )
        values = {
            "corridor_id": corridor,
            "provider_id": provider,
            "year": year,
            "quarter": quarter,
            "price_point": quote.price_point,
            "amount_sent": quote.amount_sent,
            "fee": quote.fee,
            "exchange_rate": quote.exchange_rate,
            "interbank_rate": quote.interbank_rate,
            "fx_margin": quote.cost.fx_margin,
            "total_cost": quote.cost.total_cost,
            "amount_received": quote.cost.amount_received,
            "speed": quote.speed,
            "instrument": quote.instrument,
            "access_point": quote.access_point,
            "pickup": quote.pickup,
            "transparent": quote.transparent,
            "source": Observation.Source.IMPORT,
            "status": Observation.Status.VERIFIED,
            "collected_on": quote.collected_on,
            "note": self.note % {"file": self.file_name[:150], "row": quote.row},
            "entered_by_id": self.actor_id,
        }
        self.pending.append((key, quote.row, (corridor, year, quarter), values))
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Check the pending observations for duplicates and write them (unless the file has
        problems already: then nothing will be kept, and checking is all that is left)."""
        self._load({group for _key, _row, group, _values in self.pending} - self.loaded)
        rows: list[dict[str, Any]] = []
        for key, number, _group, values in self.pending:
            earlier = self.seen.get(key)
            if earlier is None:
                self.seen[key] = number
                rows.append(values)
            elif earlier > 0:
                self.report.add(
                    Problem(
                        number,
                        "",
                        _(
                            "at USD %(point)s, this is the same observation as row %(row)s "
                            "(same corridor, provider, quarter, price point, payment "
                            "instrument, access point and pickup)."
                        )
                        % {"row": earlier, "point": values["price_point"]},
                    )
                )
            else:
                self.report.add(Problem(number, "", self._stored(-earlier)))
        self.pending.clear()
        if rows and not self.report.total_problems:
            bulk.insert(Observation, rows)
            self.report.stored += len(rows)

    def _load(self, groups: set[tuple[int, int, int]]) -> None:
        """The identities of the observations already stored in these corridors and quarters:
        one query for a batch, whatever its size."""
        if not groups:
            return
        stored = (
            Observation.objects.filter(
                corridor_id__in={g[0] for g in groups},
                year__in={g[1] for g in groups},
                quarter__in={g[2] for g in groups},
            )
            .exclude(status=Observation.Status.REJECTED)  # a rejected report is no repeat
            .values_list("pk", *OBSERVATION_IDENTITY)
        )
        for (
            pk,
            corridor,
            provider,
            year,
            quarter,
            point,
            instrument,
            access,
            pickup,
        ) in stored.iterator(chunk_size=5000):
            if (corridor, year, quarter) in groups:
                key = identity(corridor, provider, year, quarter, point, instrument, access, pickup)
                self.seen.setdefault(key, -pk)
        self.loaded |= groups

    def _stored(self, pk: int) -> str:
        found = Observation.objects.select_related("provider", "corridor").filter(pk=pk).first()
        return _(
            "this observation is already stored, as no. %(pk)s: %(observation)s (%(source)s"
            "%(note)s)."
        ) % {
            "observation": found or "—",
            "pk": pk,
            "source": found.get_source_display() if found else "—",
            "note": f"; {found.note[:200].rstrip('.')}" if found and found.note else "",
        }


def import_rpw(
    actor: Any, handle: IO[bytes], file_name: str, progress: Progress | None = None
) -> Report:
    """Import an RPW workbook: every row checked, and its observations stored, or none."""
    report = Report(file_name=file_name, what="rpw")
    try:
        sheet = rpw.open_sheet(handle)
    except rpw.RpwFileError as exc:
        for problem in exc.problems:
            report.add(problem)
        return report
    total = sheet.total_rows - sheet.header_row if sheet.total_rows else None
    try:
        with transaction.atomic():
            store = _Store(actor, file_name, report)
            for row in sheet.rows():
                report.rows += 1
                for problem in row.problems:
                    report.add(problem)
                if not row.quotes and not row.problems:
                    report.unpriced += 1
                for quote in row.quotes:
                    store.add(quote)
                if report.full:
                    report.stopped_at = row.number
                    break
                if progress and report.rows % PROGRESS_EVERY == 0:
                    progress(report.rows, total)
            if not report.full:
                store.flush()
            report.periods = [str(Period(y, q)) for y, q in sorted(store.periods)]
            report.providers_created = len(store.new_providers)
            report.corridors_created = len(store.new_corridors)
            if report.total_problems:
                transaction.set_rollback(True)
            else:
                forget_corridors()  # the observations were written without signals
                record(
                    AuditEvent.Action.IMPORT,
                    Observation,
                    actor=actor,
                    changes={
                        "file": file_name,
                        "rows": report.rows,
                        "observations": report.stored,
                        "periods": report.periods,
                        "providers_created": store.new_providers,
                        "corridors_created": store.new_corridors,
                    },
                    reason=file_name[:200],
                )
    except rpw.RpwFileError as exc:
        for problem in exc.problems:
            report.add(problem)
    except IntegrityError:
        # Another import (or a colleague) stored one of these observations meanwhile.
        logger.warning("An RPW import of %s met a concurrent write.", file_name, exc_info=True)
        report.add(
            Problem(
                None,
                "",
                _(
                    "Some of these prices were stored by someone else while the file was "
                    "being imported. Import it again: those will then be named."
                ),
            )
        )
    finally:
        sheet.close()
    if report.total_problems:
        report.stored = report.providers_created = report.corridors_created = 0
    if progress:
        progress(report.rows, report.rows)
    return report


# --- DataBank history and remittance flows ---------------------------------------------------


def import_history(actor: Any, handle: IO[bytes], file_name: str) -> Report:
    """Import DataBank's corridor averages: each corridor and quarter of the file is stored,
    replacing the figure already there; a file with problems changes nothing."""
    report = Report(file_name=file_name, what="history")
    history = databank.read_history(handle)
    report.problems, report.total_problems = history.problems, history.total_problems
    report.left_out = history.left_out
    report.rows = len({a.row for a in history.averages})
    if report.total_problems:
        return report
    with transaction.atomic():
        before = CorridorHistory.objects.count()
        CorridorHistory.objects.bulk_create(
            [
                CorridorHistory(
                    source_country=a.source_country,
                    destination_country=a.destination_country,
                    year=a.period.year,
                    quarter=a.period.quarter,
                    total_cost=a.total_cost,
                )
                for a in history.averages
            ],
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["source_country", "destination_country", "year", "quarter"],
            update_fields=["total_cost", "source"],
        )
        report.stored = len(history.averages)
        report.new = CorridorHistory.objects.count() - before  # the rest replaced a figure
        report.periods = _span(sorted({a.period for a in history.averages}))
        record(
            AuditEvent.Action.IMPORT,
            CorridorHistory,
            actor=actor,
            changes={"file": file_name, "averages": report.stored, "new": report.new},
            reason=file_name[:200],
        )
    return report


def import_flows(actor: Any, handle: IO[bytes], file_name: str, year: int | None = None) -> Report:
    """Import the bilateral remittance estimates (sending country down, receiving across, USD
    millions): the year's figures are replaced as a whole."""
    report = Report(file_name=file_name, what="flows")
    try:
        matrix = read_amounts(handle, year)
    except WorldBankFileError as exc:
        for problem in exc.problems:
            report.add(Problem(None, "", problem))
        return report
    within = sorted({s for s, d in matrix.cells if s == d})
    flows = [
        {
            "source_country": source,
            "destination_country": destination,
            "year": matrix.year,
            "usd_millions": amount,
        }
        for (source, destination), amount in sorted(matrix.cells.items())
        if source != destination
    ]
    with transaction.atomic():
        # The year's figures are replaced as a whole, which the import's one audit event says
        # (the model is not audited row by row: ``RemittanceFlow.audit_skip``).
        replaced, _deleted = RemittanceFlow.objects.filter(year=matrix.year).delete()
        bulk.insert(RemittanceFlow, flows)
        record(
            AuditEvent.Action.IMPORT,
            RemittanceFlow,
            actor=actor,
            changes={
                "file": file_name,
                "year": matrix.year,
                "pairs": len(flows),
                "replaced": replaced,
            },
            reason=file_name[:200],
        )
    report.stored = report.new = len(flows)
    report.rows = len({s for s, _d in matrix.cells})
    report.periods = [str(matrix.year)]
    if matrix.left_out:
        report.left_out.append(
            _("not one country: %(names)s") % {"names": ", ".join(matrix.left_out)}
        )
    if within:
        report.left_out.append(
            _("flows within one country (%(codes)s)") % {"codes": ", ".join(within)}
        )
    return report


def _span(periods: list[Period]) -> list[str]:
    """The first and last of many quarters ("2011 Q1 to 2020 Q3")."""
    if len(periods) > 2:
        return [_("%(first)s to %(last)s") % {"first": periods[0], "last": periods[-1]}]
    return [str(p) for p in periods]


# --- the management commands ------------------------------------------------------------------


def run_command(path: Path, importer: Callable[[IO[bytes], str], Report]) -> str:
    """What the import commands share: the file at ``path`` imported by ``importer(handle,
    name)`` as the command (no user); the outcome, or ``CommandError`` with every problem."""
    if not path.is_file():
        raise CommandError(f"No file at {path}.")
    with acting_as(None, via="command"), path.open("rb") as handle:
        report = importer(handle, path.name)
    if report.total_problems:
        raise CommandError("\n".join([report.refusal(), *(str(p) for p in report.problems)]))
    return "\n".join(report.outcome())


# --- the background import of an uploaded workbook --------------------------------------------


def start_import(actor: Any, upload: Any, language: str | None = None) -> TaskProgress:
    """Keep ``upload`` and queue its import (``progress.start_upload_task``)."""
    language = language or translation.get_language() or ""
    return start_upload_task(
        actor,
        upload,
        folder=UPLOADS,
        default_name="rpw.xlsx",
        label=lambda name: _("Import of %(file)s") % {"file": name},
        result={"kind": KIND},
        enqueue=lambda progress_id, stored, name: import_rpw_task.enqueue(
            progress_id, getattr(actor, "pk", None), stored, name, language
        ),
    )


class _Reporter(Reporter):
    """The core reporter, told how many rows the workbook has once it is open; a file with
    problems ends as failed, with its report kept."""

    def __init__(self, progress_id: str) -> None:
        super().__init__(progress_id, every=PROGRESS_EVERY)
        self.rows: int | None = None

    def follow(self, done: int, rows: int | None) -> None:
        if rows and rows != self.rows:
            self.rows = rows
            self.running(total=rows, message=_("Reading, checking and storing the rows."))
        self.step(done, _("Reading, checking and storing the rows."))


@task()
def import_rpw_task(
    progress_id: str, actor_id: int | None, stored_name: str, file_name: str, language: str
) -> dict[str, int]:
    """Import a kept RPW workbook, recording how far it has gone and what came of it."""
    reporter = _Reporter(progress_id)
    with translation.override(language or settings.LANGUAGE_CODE):
        reporter.running(message=_("Reading %(file)s.") % {"file": file_name})
        with kept_upload(reporter, stored_name, file_name) as handle:
            actor = User.objects.filter(pk=actor_id).first() if actor_id else None
            with acting_as(actor, via="task"):
                report = import_rpw(actor, handle, file_name, progress=reporter.follow)
        result: dict[str, Any] = {"kind": KIND, "file": file_name, "report": report.as_dict()}
        if report.total_problems:
            reporter.refused(report.refusal(), result)
        else:
            result["outcome"] = report.outcome()
            reporter.succeeded(" ".join(result["outcome"]), result)
    return {"stored": report.stored, "problems": report.total_problems}
