"""Survey results per question, from the typed answers of complete submissions: counts per
choice for select questions (labelled in the reader's language from the questionnaire), a
distribution and the median for numbers, months for dates, and respondents by host country where
the form asks for it. Every table is suppressed like the dashboard's.

Waves are filters too, and results over all waves minus one wave's give the others'. So:

* one wave is shown when it has no respondent or at least k (the threshold);
* all waves together are shown only when every wave has no respondent or at least k, and each
  cell is hidden when any wave's own table hides it (then the usual complementary
  suppression): a cell shown over all waves is a sum of cells each wave shows, so subtracting
  waves gives nothing they hide. (A wave read when it was the only one stays readable by
  that difference later; this is why every wave counts, however old.)

Numbers fall in bins of a round width worked out from the k-th smallest and k-th largest
answer over all waves, the first and last bins open ("under 10", "40 or more"), so that one
far-out answer moves no edge; every wave's view uses the same bins. The median is shown only
from 2k answers, rounded to the bins' width.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django_countries import countries

from liaison.insights.aggregates import Table, table, threshold
from liaison.insights.dashboard import map_payload, scope_countries, too_few_message
from liaison.registry.models import Member
from liaison.surveys.models import Answer, Questionnaire, QuestionnaireVersion, Submission, Wave

SELECT_ONE = "select one"
SELECT_MANY = "select all that apply"
NUMBERS = {"integer", "decimal"}
DATES = {"date"}
SHOWN_TYPES = {SELECT_ONE, SELECT_MANY, *NUMBERS, *DATES}
NO_ANSWER = "__none__"
BINS = 8


@dataclass
class Question:
    name: str
    type: str
    label: str
    group: str  # the enclosing group's or repeat's label, for headings
    choices: dict[str, str] = field(default_factory=dict)  # name -> label
    in_repeat: bool = False

    @property
    def is_country(self) -> bool:
        """A select_one whose choices are ISO 3166 codes (the ready forms' ``countries``)."""
        if self.type != SELECT_ONE or self.in_repeat or len(self.choices) < 20:
            return False
        known = sum(1 for c in self.choices if len(c) == 2 and c.upper() in countries)
        return known >= 0.9 * len(self.choices)


def all_waves_message() -> str:
    return _(
        "A wave of this questionnaire has fewer than %(n)s respondents: results over all waves "
        "would let someone work out theirs by subtracting the other waves. Choose a wave."
    ) % {"n": threshold()}


@dataclass
class SurveyResults:
    questionnaire: Questionnaire
    wave: Wave | None
    respondents: int | None  # None when nothing is shown
    too_few: bool  # 1 to threshold - 1 respondents: nothing is shown
    tables: list[Table]
    countries: Table | None
    map: dict[str, Any]
    refused: bool = False  # all waves, one of them too small (see the module): nothing shown

    @property
    def message(self) -> str:
        """Why no figure is shown, in the reader's language; empty when figures are shown."""
        if self.refused:
            return all_waves_message()
        if self.too_few:
            return too_few_message()
        return ""


def _label_key(version: QuestionnaireVersion, language: str) -> str:
    names = {code: name for name, code in version.languages}
    return str(names.get(language) or version.definition.get("default_language") or "")


def _label(value: Any, wanted: str) -> str:
    if isinstance(value, dict):
        return str(value.get(wanted) or value.get("default") or next(iter(value.values()), ""))
    return str(value or "")


def questions(versions: list[QuestionnaireVersion], language: str = "") -> list[Question]:
    """The questions with results to show, in the order of the latest version; a question
    asked only by an earlier version comes after, labelled as that version had it."""
    found: dict[str, Question] = {}
    for version in sorted(versions, key=lambda v: -v.number):
        wanted = _label_key(version, language or translation.get_language() or "")
        for question in _walk(version.definition.get("children", []), wanted, "", False):
            found.setdefault(question.name, question)
    return list(found.values())


def _walk(children: list[dict[str, Any]], wanted: str, group: str, repeat: bool) -> list[Question]:
    out: list[Question] = []
    for child in children:
        kind = str(child.get("type", ""))
        name = str(child.get("name", ""))
        label = _label(child.get("label"), wanted) or name
        if kind in ("group", "repeat"):
            inner = child.get("children", [])
            out += _walk(inner, wanted, label, repeat or kind == "repeat")
        elif kind in SHOWN_TYPES:
            choices = {
                str(c.get("name")): _label(c.get("label"), wanted) or str(c.get("name"))
                for c in child.get("choices", []) or []
            }
            out.append(Question(name, kind, label, group, choices, repeat))
    return out


def _submissions(user: Any, waves: list[Wave], country_question: str | None) -> Any:
    """Complete submissions of these waves that the user may read: everything for a global
    scope; for a country scope those whose respondent lives there (by the form's answer, or
    the linked member's country of residence)."""
    rows = Submission.objects.filter(wave__in=waves, status=Submission.Status.COMPLETE)
    scope = scope_countries(user)
    if scope is None:
        return rows, False
    placed: Any = Q(member__in=Member.objects.filter(country_of_residence__in=scope).values("pk"))
    if country_question:
        placed |= Exists(
            Answer.objects.filter(
                submission=OuterRef("pk"), question=country_question, text__in=scope
            )
        )
    return rows.filter(placed), True


# Counts of one table, by wave id then row key.
ByWave = dict[int, dict[str, int]]


@dataclass
class _Reading:
    """What every table of one reading shares: the waves read, their respondents, the
    threshold, and the answers (of every wave in the reader's scope; ``answers.filter(
    wave__in=...)`` narrows to the waves read)."""

    waves: list[int]
    respondents: dict[int, int]  # by wave read
    limit: int
    unit: str
    answers: QuerySet[Answer]

    @property
    def total(self) -> int:
        return sum(self.respondents.values())

    @property
    def read(self) -> QuerySet[Answer]:
        return self.answers.filter(wave__in=self.waves)

    def table(
        self,
        q: Question,
        title: str,
        by_wave: ByWave,
        labels: dict[str, str],
        *,
        partition: bool,
        note: str = "",
        keep_zero: bool = True,
        heard: dict[int, int] | None = None,
    ) -> Table:
        """The table over the waves read; with ``heard`` (respondents who answered, by wave),
        a "No answer" row. Over several waves, a cell any wave's own table hides is hidden."""
        by_wave = {w: dict(by_wave.get(w, {})) for w in self.waves}
        if heard is not None:
            labels = {**labels, NO_ANSWER: _("No answer")}
            for w in self.waves:
                by_wave[w][NO_ANSWER] = self.respondents[w] - heard.get(w, 0)
        counts: dict[str, int] = {}
        for part in by_wave.values():
            for k, n in part.items():
                counts[k] = counts.get(k, 0) + n
        also: set[str] = set()
        if len(self.waves) > 1:
            for w, part in by_wave.items():
                if not self.respondents[w]:
                    continue
                own = table(
                    q.name,
                    title,
                    part,
                    labels,
                    total=self.respondents[w],
                    partition=partition,
                    limit=self.limit,
                    keep_zero=keep_zero,
                )
                if own.withheld:
                    also |= {k for k, n in part.items() if n}
                also |= {r.key for r in own.rows if r.hidden}
        return table(
            q.name,
            title,
            counts,
            labels,
            total=self.total,
            partition=partition,
            limit=self.limit,
            unit=self.unit,
            note=note,
            keep_zero=keep_zero,
            also=also,
        )


def results(user: Any, questionnaire: Questionnaire, wave: Wave | None = None) -> SurveyResults:
    limit = threshold()
    every = list(questionnaire.waves.all())
    waves = [wave] if wave is not None else every
    versions = list(questionnaire.versions.filter(pk__in=[w.version_id for w in waves])) or list(
        questionnaire.versions.all()
    )
    asked = questions(versions)
    country = next(
        (q for q in asked if q.is_country and "resid" in q.name),
        next((q for q in asked if q.is_country), None),
    )
    submissions, narrowed = _submissions(user, every, country.name if country else None)
    per_wave = dict(
        submissions.order_by().values("wave").annotate(n=Count("*")).values_list("wave", "n")
    )
    read = {w.pk: per_wave.get(w.pk, 0) for w in waves}
    respondents = sum(read.values())
    nothing = map_payload(None)
    if 0 < respondents < limit:
        return SurveyResults(questionnaire, wave, None, True, [], None, nothing)
    if wave is None and any(0 < n < limit for n in per_wave.values()):
        return SurveyResults(questionnaire, wave, None, False, [], None, nothing, refused=True)
    answers = Answer.objects.filter(wave__in=every, submission__status=Submission.Status.COMPLETE)
    if narrowed:
        answers = answers.filter(submission__in=submissions.values("pk"))
    reading = _Reading(list(read), read, limit, _("respondents"), answers)
    selects = [q for q in asked if q.type in (SELECT_ONE, SELECT_MANY)]
    chosen: dict[str, ByWave] = {q.name: {} for q in selects}
    for w, name, text, n in (
        reading.read.filter(question__in=[q.name for q in selects])
        .values("wave", "question", "text")
        .annotate(n=Count("submission", distinct=True))
        .values_list("wave", "question", "text", "n")
        .order_by()
    ):
        chosen[name].setdefault(w, {})[text] = n
    answered: dict[str, dict[int, int]] = {}
    for w, name, n in (
        reading.read.values("wave", "question")
        .annotate(n=Count("submission", distinct=True))
        .values_list("wave", "question", "n")
        .order_by()
    ):
        answered.setdefault(name, {})[w] = n
    tables: list[Table] = []
    countries_table: Table | None = None
    for q in asked:
        title = f"{q.group} · {q.label}" if q.group else q.label
        heard = answered.get(q.name, {})
        single = not q.in_repeat
        if q.type in (SELECT_ONE, SELECT_MANY):
            single = q.type == SELECT_ONE and not q.in_repeat
            labels = dict(q.choices)
            if q is country:
                found = {k for part in chosen[q.name].values() for k in part}
                labels = {c: str(countries.name(c)) or c for c in sorted(found)}
            t = reading.table(
                q,
                title,
                chosen[q.name],
                labels,
                partition=single,
                keep_zero=q is not country,
                heard=heard if single else None,
                note=""
                if single
                else _("A respondent may choose several answers, or give several entries."),
            )
            if q is country:
                t.rows.sort(key=lambda r: (r.key == NO_ANSWER, -(r.count or 0), r.label))
                countries_table = t
                continue
            tables.append(t)
        elif q.type in NUMBERS:
            tables.append(_numbers(q, title, reading, heard))
        else:
            tables.append(_dates(q, title, reading, heard))
    return SurveyResults(
        questionnaire,
        wave,
        respondents,
        False,
        tables,
        countries_table,
        map_payload(countries_table) if countries_table else nothing,
    )


def _step(low: float, high: float, integer: bool, bins: int = BINS) -> float:
    """A round bin width (1, 2 or 5 times a power of ten) giving at most ``bins`` bins."""
    span = max(high - low, 1e-9)
    raw = span / bins
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return max(1.0, step) if integer else step


def _fmt(value: float) -> str:
    if float(value).is_integer():
        return number_format(int(value), force_grouping=True)
    return number_format(round(value, 4))


def _binned(values: QuerySet[Answer], edges: list[float]) -> ByWave:
    """Respondents by wave with a value in each bin: under ``edges[1]``, from ``edges[i]``
    to under ``edges[i + 1]``, then ``edges[-2]`` or more (the first and last bins open)."""
    last = len(edges) - 2
    whens = [
        When(number__lt=Decimal(str(edge)), then=Value(i)) for i, edge in enumerate(edges[1:-1])
    ]
    out: ByWave = {}
    for w, b, n in (
        values.annotate(b=Case(*whens, default=Value(last), output_field=IntegerField()))
        .values("wave", "b")
        .annotate(n=Count("submission", distinct=True))
        .values_list("wave", "b", "n")
        .order_by()
    ):
        out.setdefault(w, {})[f"{edges[b]:g}"] = n
    return out


def _nth(values: QuerySet[Answer], n: int, order: str) -> float:
    """The ``n``-th answer (from 0) in ``order``."""
    found = values.order_by(order).values_list("number", flat=True)[n : n + 1]
    return float(next(iter(found)) or 0)


def _layout(values: QuerySet[Answer], integer: bool, limit: int) -> tuple[list[float], float]:
    """Bin edges (the first and last bins open) and their width: a round width, about one
    bin per ``limit`` answers (``BINS`` at most) between the ``limit``-th smallest and
    largest answers, so that no edge moves for an answer beyond them."""
    n = values.count()
    if not n:
        return [], 0.0
    at = min(limit, n) - 1
    low, high = _nth(values, at, "number"), _nth(values, at, "-number")
    if high <= low:
        return [low, low], 1.0 if integer else 0.0
    step = _step(low, high, integer, max(1, min(BINS, n // limit)))
    start = math.floor(low / step) * step
    edges = [start]
    while edges[-1] <= high:
        edges.append(round(start + len(edges) * step, 10))
    return edges, step


def _numbers(q: Question, title: str, reading: _Reading, heard: dict[int, int]) -> Table:
    every = reading.answers.filter(question=q.name, number__isnull=False)
    integer = q.type == "integer"
    edges, step = _layout(every, integer, reading.limit)
    by_wave: ByWave = {}
    labels: dict[str, str] = {}
    if edges:
        by_wave = _binned(every, edges)
        # An end bin with a few people (entries of a repeat may be few people) joins its
        # neighbour, so that no bin tells that someone's answer lies that far out. Decided
        # over every wave, so that every view has the same bins.
        totals = [sum(part.get(f"{e:g}", 0) for part in by_wave.values()) for e in edges[:-1]]
        folded = False
        while len(totals) > 1 and 0 < totals[-1] < reading.limit:
            totals[-2] += totals.pop()
            del edges[-2]
            folded = True
        while len(totals) > 1 and 0 < totals[0] < reading.limit:
            totals[1] += totals.pop(0)
            del edges[1]
            folded = True
        if folded:
            by_wave = _binned(every, edges)
        last = len(edges) - 2
        for i in range(last + 1):
            edge, upper = edges[i], edges[i + 1]
            key = f"{edge:g}"
            if last == 0:
                labels[key] = _("any value")
            elif i == 0:
                labels[key] = _("under %(value)s") % {"value": _fmt(upper)}
            elif i == last:
                labels[key] = _("%(value)s or more") % {"value": _fmt(edge)}
            elif integer:
                labels[key] = _fmt(edge) if upper - 1 == edge else f"{_fmt(edge)}–{_fmt(upper - 1)}"
            else:
                labels[key] = _("%(low)s to under %(high)s") % {
                    "low": _fmt(edge),
                    "high": _fmt(upper),
                }
    single = not q.in_repeat
    t = reading.table(
        q,
        title,
        by_wave,
        labels,
        partition=single,
        heard=heard if single else None,
        note="" if single else _("Respondents with an entry in each range."),
    )
    values = reading.read.filter(question=q.name, number__isnull=False)
    n = values.count() if sum(heard.get(w, 0) for w in reading.waves) >= 2 * reading.limit else 0
    if n and step and not t.empty:
        # The one or two middle values, read in order by the database; rounded to the bins'
        # width, so that it is nobody's exact answer.
        middle = [
            float(v)
            for v in values.order_by("number").values_list("number", flat=True)[
                (n - 1) // 2 : n // 2 + 1
            ]
            if v is not None
        ]
        median = math.floor(sum(middle) / len(middle) / step + 0.5) * step
        t.summary.append(
            (_("Median (to the nearest %(step)s)") % {"step": _fmt(step)}, _fmt(median))
        )
    return t


def _dates(q: Question, title: str, reading: _Reading, heard: dict[int, int]) -> Table:
    by_wave: ByWave = {}
    for w, month, n in (
        reading.read.filter(question=q.name, date__isnull=False)
        .annotate(m=TruncMonth("date"))
        .values("wave", "m")
        .annotate(n=Count("submission", distinct=True))
        .values_list("wave", "m", "n")
        .order_by()
    ):
        if isinstance(month, datetime.datetime):
            month = month.date()
        by_wave.setdefault(w, {})[f"{month:%Y-%m}"] = n
    keys = sorted({k for part in by_wave.values() for k in part})
    labels: dict[str, str] = {}
    if keys:
        year, month = (int(p) for p in keys[0].split("-"))
        while f"{year:04d}-{month:02d}" <= keys[-1]:
            key = f"{year:04d}-{month:02d}"
            labels[key] = date_format(datetime.date(year, month, 1), "YEAR_MONTH_FORMAT")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    single = not q.in_repeat
    return reading.table(
        q,
        title,
        by_wave,
        labels,
        partition=single,
        heard=heard if single else None,
        note="" if single else _("Respondents with an entry in each month."),
    )
