"""Submissions in and out of a wave as KoboToolbox and ODK Central exports.

An import is all or nothing. The file must be an export of the wave's own form version: a
version column naming another version, or a column that is not one of the version's questions,
refuses it. Every submission then goes through the rules engine as if it had just been sent
(complete, with the day it was submitted as "today"), and every rule it breaks is a problem
naming the sheet, row, question and reason. An instance id twice in the file is a problem; an
instance id already in the wave is skipped when its answers are the same and a problem when
they differ. Only a file without any problem is stored: the submissions as complete, with the
answers as given (``data``) and typed (``Answer`` rows, through ``collect.answer_rows``), in one
transaction.

A respondent who agreed to be registered becomes a member of the registry, and a member belongs
to the scope of their country of residence: an officer whose role covers some countries only may
import a consenting respondent only when the country they answered (the question the version maps
to ``country_of_residence``) is one of them; otherwise the row is a problem.

Version columns written by KoboToolbox's servers (``__version__``) usually hold Kobo's own id
of a deployment ("vQzV8a…"), which says nothing about the XLSForm's version: those are not
compared, and the columns alone must then match.

An export writes a wave's complete submissions in the same layouts, so that importing it into a
fresh wave of the same version gives the same answers. Answers can be personal data: an export
is allowed to ``surveys.manage`` only (the views check it), holds only the respondents of the
officer's scope (``exportable``), and is recorded in the audit log with its stated purpose.

An import of a large file takes minutes: the upload page stores the file and runs
``import_file`` as a background task (``liaison.surveys.tasks``), which follows it through the
``progress`` callback and keeps the report as JSON (``Report.as_dict``) for the page to show.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import IO, Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.accounts.permissions import check
from liaison.audit.models import AuditEvent
from liaison.audit.services import record as audit
from liaison.core import bulk
from liaison.registry.models import Member
from liaison.surveys import collect, engine, exchange, registry_link
from liaison.surveys.exchange import Problem
from liaison.surveys.models import Answer, QuestionnaireVersion, Submission, Wave

KOBO_DEPLOYMENT = re.compile(r"^v[A-Za-z0-9]{16,}$")  # KoboToolbox's own version ids
MAX_INSTANCE_ID = Submission._meta.get_field("instance_id").max_length or 64
FORMATS = ("xlsx", "csv", "zip")
ANSWER_SLICE = 5000  # submissions whose answers are written at once
COUNTRY = "country_of_residence"  # the registry field that places a member in a scope

Progress = Callable[[str, int, int], None]
"""Told ``(stage, done, total)`` as an import goes: stage ``"check"`` after each submission
through the rules engine (of all in the file), ``"store"`` after each slice of submissions
written (of those new to the wave)."""


class ReportData(TypedDict):
    """A report as JSON, as a background import keeps it."""

    file_name: str
    source: str
    created: int
    skipped: int
    registered: int
    problems: list[dict[str, Any]]  # Problem.as_dict(): sheet, row, column, question, reason
    total_problems: int
    notices: list[str]


@dataclass
class Report:
    """What an import did, or why it did nothing."""

    file_name: str
    source: str = ""
    created: int = 0
    skipped: int = 0  # already in the wave with the same answers
    registered: int = 0  # respondents who consented, registered or updated in the registry
    problems: list[Problem] = field(default_factory=list)
    total_problems: int = 0
    notices: list[str] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.total_problems += 1
        if len(self.problems) < exchange.MAX_PROBLEMS:
            self.problems.append(problem)

    def as_dict(self) -> ReportData:
        return {
            "file_name": self.file_name,
            "source": self.source,
            "created": self.created,
            "skipped": self.skipped,
            "registered": self.registered,
            "problems": [p.as_dict() for p in self.problems],
            "total_problems": self.total_problems,
            "notices": [str(n) for n in self.notices],
        }


@dataclass
class _Ready:
    record: exchange.Record
    rows: list[collect.AnswerRow]
    consented: dict[str, Any] | None = None  # the typed answers, when they fill the registry


def import_file(
    actor: Any,
    wave: Wave,
    handle: IO[bytes],
    file_name: str,
    progress: Progress | None = None,
) -> Report:
    """Import the submissions of a KoboToolbox or ODK Central export into ``wave``; the report
    says how many were stored and skipped, or lists every problem (and then nothing is
    stored). ``progress``, when given, is told how far the check and the storing have gone."""
    report = Report(file_name)
    version = wave.version
    layout = exchange.Layout(version.definition)
    try:
        parsed = exchange.read(handle, file_name, layout)
    except exchange.ExchangeError as exc:
        for problem in exc.problems:
            report.add(problem)
        return report
    report.source, report.notices = parsed.source, parsed.notices
    versions = _version_problems(parsed, wave)
    for problem in [*parsed.problems, *versions]:
        report.add(problem)
    if versions or any(p.row <= 1 for p in parsed.problems):
        return report  # not this form version's export: its rows' answers say nothing more
    covers = covering(actor, "surveys.manage", "registry.edit_member")
    ready = _check(parsed, version, report, covers, progress)
    if report.problems:
        return report
    try:
        with transaction.atomic():
            _store(actor, wave, parsed, ready, report, progress)
            if report.problems:  # the registry refused some respondents: nothing is kept
                transaction.set_rollback(True)
                report.created = report.registered = 0
    except IntegrityError:  # another import into this wave stored some of them meanwhile
        report.created = report.registered = 0
        report.add(
            Problem(
                file_name,
                0,
                "",
                _("Another import into this wave ran at the same time; import the file again."),
            )
        )
    return report


def _version_problems(parsed: exchange.Parsed, wave: Wave) -> list[Problem]:
    expected = wave.version.version
    first: dict[str, exchange.Record] = {}
    for record in parsed.records:
        found = record.version
        if found and found != expected and not KOBO_DEPLOYMENT.match(found):
            first.setdefault(found, record)
    wanted = expected or _("number %(n)s, which has no version name") % {"n": wave.version.number}
    return [
        Problem(
            record.sheet,
            record.row,
            parsed.version_column,
            _(
                "This export is from version “%(file)s” of the form; this wave collects "
                "version “%(wave)s”."
            )
            % {"file": found, "wave": wanted},
        )
        for found, record in first.items()
    ]


def covering(actor: Any, *actions: str) -> Callable[[str], bool]:
    """Whether ``actor`` may take each of ``actions`` on a person living in a country (its code,
    "" when unknown). The one permission API decides, asked about an unsaved member of that
    country: a member's scope is their country of residence (``Member.permission_scope_fields``),
    so a grant for everywhere covers every country and the unknown one, a grant for a country
    that country only."""
    decided: dict[str, bool] = {}

    def covers(code: str) -> bool:
        if code not in decided:
            probe = Member(country_of_residence=code)
            decided[code] = all(check(actor, action, probe) for action in actions)
        return decided[code]

    return covers


def country_question(version: QuestionnaireVersion) -> str:
    """The question whose answer is the respondent's country of residence, if the version maps
    one to the registry."""
    return next((q for q, target in (version.registry_map or {}).items() if target == COUNTRY), "")


def _country(value: Any) -> str:
    return value.strip().upper() if isinstance(value, str) else ""


def _check(
    parsed: exchange.Parsed,
    version: QuestionnaireVersion,
    report: Report,
    covers: Callable[[str], bool],
    progress: Progress | None = None,
) -> list[_Ready]:
    """Each record through the rules engine, instance ids once each, and consenting respondents
    within the countries ``covers``."""
    form = engine.Form(version.definition)
    country = country_question(version)
    ready: list[_Ready] = []
    rows_of: dict[str, int] = {}
    total = len(parsed.records)
    for done, record in enumerate(parsed.records, start=1):
        where = Problem(record.sheet, record.row, parsed.instance_column, "")
        if record.instance_id and record.instance_id in rows_of:
            message = _("The instance id “%(id)s” is also on row %(r)s.") % {
                "id": record.instance_id,
                "r": rows_of[record.instance_id],
            }
            report.add(replace(where, message=message))
        rows_of.setdefault(record.instance_id, record.row)
        if len(record.instance_id) > MAX_INSTANCE_ID:
            message = _("The instance id is longer than %(n)s characters.") % {"n": MAX_INSTANCE_ID}
            report.add(replace(where, message=message))
        today = record.submitted_at.date() if record.submitted_at else None
        outcome = form.check(record.answers, complete=True, today=today)
        for issue in outcome.issues:
            report.add(
                replace(parsed.place(record, issue.name, issue.instance), message=issue.message)
            )
        consenting = bool(version.registry_map) and registry_link.consented(version, outcome.values)
        # Without a country the registry takes no one (registry_link.link), so only a country
        # outside the officer's scope is a problem.
        lives = _country(outcome.values.get(country)) if consenting and country else ""
        if lives and not covers(lives):
            message = _(
                "The respondent agreed to be registered and lives in %(c)s, outside the countries "
                "you work for: their registry record would be out of your scope. Leave this row "
                "to an officer for %(c)s."
            ) % {"c": lives}
            report.add(replace(parsed.place(record, country, ()), message=message))
        elif not outcome.issues:
            ready.append(
                _Ready(
                    record,
                    collect.answer_rows(form, outcome.values),
                    outcome.values if consenting else None,
                )
            )
        if progress is not None:
            progress("check", done, total)
    return ready


def _store(
    actor: Any,
    wave: Wave,
    parsed: exchange.Parsed,
    ready: list[_Ready],
    report: Report,
    progress: Progress | None = None,
) -> None:
    # One import into a wave at a time; web submissions (which only share the row's key lock)
    # go on meanwhile.
    Wave.objects.select_for_update(no_key=True).filter(pk=wave.pk).first()
    existing: dict[str, tuple[int, str]] = {}
    ids = [item.record.instance_id for item in ready]
    for queryset in bulk.among(Submission.objects.filter(wave=wave), "instance_id", ids):
        for pk, instance_id, status in queryset.values_list("pk", "instance_id", "status"):
            existing[instance_id] = (pk, status)
    stored = _stored_answers([pk for pk, _status in existing.values()])
    new: list[_Ready] = []
    for item in ready:
        record = item.record
        if record.instance_id not in existing:
            new.append(item)
            continue
        pk, status = existing[record.instance_id]
        if status == Submission.Status.COMPLETE and stored[pk] == _comparable(item.rows):
            report.skipped += 1
            continue
        message = (
            _(
                "The submission “%(id)s” is already in this wave with other answers; "
                "nothing was changed. Remove the row, or correct it."
            )
            if status == Submission.Status.COMPLETE
            else _("A draft with the instance id “%(id)s” is being filled in on the web.")
        ) % {"id": record.instance_id}
        report.add(Problem(record.sheet, record.row, parsed.instance_column, message))
    if report.problems:
        return
    now = timezone.now()
    pks = bulk.insert(
        Submission,
        [
            {
                "wave_id": wave.pk,
                "version_id": wave.version_id,
                "instance_id": item.record.instance_id,
                "status": Submission.Status.COMPLETE,
                "source": parsed.source,
                "data": item.record.answers,
                "started_at": item.record.started_at or item.record.submitted_at or now,
                "submitted_at": item.record.submitted_at or now,
            }
            for item in new
        ],
        returning_ids=True,
    )
    # The answers in slices: a dict per answer row for a whole file would be the import's
    # largest use of memory.
    for start in range(0, len(new), ANSWER_SLICE):
        bulk.insert(
            Answer,
            collect.answer_dicts(
                wave.pk,
                (
                    (pk, item.rows)
                    for pk, item in zip(
                        pks[start : start + ANSWER_SLICE],
                        new[start : start + ANSWER_SLICE],
                        strict=True,
                    )
                ),
            ),
        )
        if progress is not None:
            progress("store", min(start + ANSWER_SLICE, len(new)), len(new))
    report.created = len(new)
    # Respondents who agreed to be registered: into the registry, through its duplicate check.
    linked = [(pk, item) for pk, item in zip(pks, new, strict=True) if item.consented]
    if linked:
        by_pk = Submission.objects.select_related("version").in_bulk([pk for pk, _i in linked])
        for pk, item in linked:
            assert item.consented is not None
            try:
                if registry_link.link(by_pk[pk], item.consented) is not None:
                    report.registered += 1
            except ValidationError as exc:
                for message in exc.messages:
                    report.add(Problem(item.record.sheet, item.record.row, "", message))
    audit(
        AuditEvent.Action.IMPORT,
        wave,
        actor=actor,
        changes={
            "file": report.file_name,
            "source": parsed.source,
            "created": report.created,
            "skipped": report.skipped,
        },
    )


Comparable = Counter[tuple[str, str, str, Decimal | None, datetime.date | None]]


def _comparable(rows: list[collect.AnswerRow]) -> Comparable:
    return Counter((q, i, t, n.normalize() if n is not None else None, d) for q, i, t, n, d in rows)


def _stored_answers(pks: list[int]) -> defaultdict[int, Comparable]:
    out: defaultdict[int, Comparable] = defaultdict(Counter)
    for queryset in bulk.among(Answer.objects.all(), "submission_id", pks):
        columns = ("submission_id", "question", "instance", "text", "number", "date")
        for pk, *row in queryset.values_list(*columns):
            question, instance, text, number, date = row
            out[pk].update(_comparable([(question, instance, text, number, date)]))
    return out


# --- export ----------------------------------------------------------------------------------


@dataclass
class Download:
    content: bytes
    file_name: str
    content_type: str
    count: int
    left_out: int = 0  # submissions of respondents outside the officer's scope


Row = tuple[int, str, datetime.datetime | None, dict[str, Any]]


def exportable(actor: Any, wave: Wave) -> tuple[list[Row], int]:
    """The wave's complete submissions (of its version) that ``actor`` may export, as (pk,
    instance id, submitted at, answers), and how many others were left out. A respondent's
    country of residence is their answer to the question the version maps to the registry's
    ``country_of_residence``, or else the country of the member the submission is linked to;
    an officer for some countries exports the respondents living there, and only an officer
    for everywhere those whose country is unknown."""
    question = country_question(wave.version)
    covers = covering(actor, "surveys.manage", "registry.export_member")
    submissions = wave.submissions.filter(
        status=Submission.Status.COMPLETE, version=wave.version
    ).order_by("submitted_at", "pk")
    kept: list[Row] = []
    left_out = 0
    columns = ("pk", "instance_id", "submitted_at", "data", "member__country_of_residence")
    for pk, instance_id, submitted_at, data, member_country in submissions.values_list(*columns):
        answered = _country(data.get(question)) if question and isinstance(data, dict) else ""
        if covers(answered or str(member_country or "")):
            kept.append((pk, instance_id, submitted_at, data))
        else:
            left_out += 1
    return kept, left_out


def export(actor: Any, wave: Wave, fmt: str, purpose: str) -> Download:
    """The wave's complete submissions that ``actor`` may export (``exportable``) as a
    KoboToolbox XLSX workbook (``xlsx``: the main table and one sheet per repeat), KoboToolbox
    CSV (``csv``: the main table only) or ODK Central zip (``zip``), recorded in the audit log
    with ``purpose``."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    version = wave.version
    layout = exchange.Layout(version.definition)
    rows, left_out = exportable(actor, wave)
    calculated = _calculated(wave, layout)
    items = [
        exchange.Outgoing(pk, instance_id, submitted_at, _with(layout, data, calculated.get(pk)))
        for pk, instance_id, submitted_at, data in rows
    ]
    form_id = wave.questionnaire.form_id
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    name = f"{form_id}-wave{wave.pk}-{stamp}"
    if fmt == "xlsx":
        content = exchange.write_kobo_xlsx(layout, version.title, version.version, items)
        download = Download(content, f"{name}.xlsx", exchange.XLSX_TYPE, len(items), left_out)
    elif fmt == "csv":
        content = exchange.write_kobo_csv(layout, version.title, version.version, items)
        download = Download(content, f"{name}.csv", "text/csv; charset=utf-8", len(items), left_out)
    else:
        content = exchange.write_odk_zip(layout, form_id, version.version, items)
        download = Download(content, f"{name}.zip", "application/zip", len(items), left_out)
    audit(
        AuditEvent.Action.EXPORT,
        wave,
        actor=actor,
        reason=purpose,
        changes={"format": fmt, "submissions": len(items), "outside_scope": left_out},
    )
    return download


def _calculated(wave: Wave, layout: exchange.Layout) -> dict[int, list[tuple[str, str, str]]]:
    """The values of the form's calculations, as stored with each submission's answers:
    submission -> [(question, instance, value)]."""
    names = [f.name for f in layout.fields if f.kind == "calculate"]
    out: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    if not names:
        return out
    answers = Answer.objects.filter(
        wave=wave, question__in=names, submission__status=Submission.Status.COMPLETE
    ).values_list("submission_id", "question", "instance", "text", "number", "date")
    for pk, question, instance, text, number, date in answers:
        if number is not None:
            value = format(number.normalize(), "f")
        elif date is not None:
            value = date.isoformat()
        else:
            value = text
        out[pk].append((question, instance, value))
    return out


def _with(
    layout: exchange.Layout, data: dict[str, Any], calculated: list[tuple[str, str, str]] | None
) -> dict[str, Any]:
    """A submission's answers with its calculations put back in their places."""
    if not calculated:
        return data
    answers = dict(data)
    for question, instance, value in calculated:
        item = layout.by_name.get(question)
        if item is None:
            continue
        chain: list[str] = []
        table = item.table
        while table:
            chain.insert(0, table)
            table = layout.parent[table]
        positions = [int(p) for p in instance.split(".")] if instance else []
        holder = answers
        for repeat, position in zip(chain, positions, strict=False):
            entries = holder[repeat] = [dict(e) for e in holder.get(repeat) or []]
            while len(entries) < position:
                entries.append({})
            holder = entries[position - 1]
        holder[question] = value
    return answers
