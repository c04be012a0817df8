"""Survey results per question, from the typed answers of complete submissions: counts per
choice for select questions (labelled in the reader's language from the questionnaire), a
distribution and the median for numbers, months for dates, and respondents by host country where
the form asks for it. Every table is suppressed like the dashboard's."""

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
    Max,
    Min,
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
from liaison.insights.dashboard import map_payload, scope_countries
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


@dataclass
class SurveyResults:
    questionnaire: Questionnaire
    wave: Wave | None
    respondents: int | None  # None when fewer than the threshold: nothing is shown
    too_few: bool
    tables: list[Table]
    countries: Table | None
    map: dict[str, Any]


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


def results(user: Any, questionnaire: Questionnaire, wave: Wave | None = None) -> SurveyResults:
    limit = threshold()
    waves = [wave] if wave is not None else list(questionnaire.waves.all())
    versions = list(questionnaire.versions.filter(pk__in=[w.version_id for w in waves])) or list(
        questionnaire.versions.all()
    )
    asked = questions(versions)
    country = next(
        (q for q in asked if q.is_country and "resid" in q.name),
        next((q for q in asked if q.is_country), None),
    )
    submissions, narrowed = _submissions(user, waves, country.name if country else None)
    respondents = submissions.count()
    unit = _("respondents")
    if 0 < respondents < limit:
        return SurveyResults(questionnaire, wave, None, True, [], None, map_payload(None))
    answers = Answer.objects.filter(wave__in=waves, submission__status=Submission.Status.COMPLETE)
    if narrowed:
        answers = answers.filter(submission__in=submissions.values("pk"))
    selects = [q for q in asked if q.type in (SELECT_ONE, SELECT_MANY)]
    chosen: dict[str, dict[str, int]] = {q.name: {} for q in selects}
    for name, text, n in (
        answers.filter(question__in=[q.name for q in selects])
        .values("question", "text")
        .annotate(n=Count("submission", distinct=True))
        .values_list("question", "text", "n")
        .order_by()
    ):
        chosen[name][text] = n
    answered = dict(
        answers.values("question")
        .annotate(n=Count("submission", distinct=True))
        .values_list("question", "n")
        .order_by()
    )
    tables: list[Table] = []
    countries_table: Table | None = None
    for q in asked:
        title = f"{q.group} · {q.label}" if q.group else q.label
        heard = answered.get(q.name, 0)
        if q.type in (SELECT_ONE, SELECT_MANY):
            single = q.type == SELECT_ONE and not q.in_repeat
            counts = dict(chosen[q.name])
            labels = dict(q.choices)
            if q is country:
                labels = {c: str(countries.name(c)) or c for c in sorted(counts)}
            if single:
                counts[NO_ANSWER] = respondents - heard
                labels[NO_ANSWER] = _("No answer")
            t = table(
                q.name,
                title,
                counts,
                labels,
                total=respondents,
                partition=single,
                unit=unit,
                keep_zero=q is not country,
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
            tables.append(_numbers(q, title, answers, respondents, heard, limit, unit))
        else:
            tables.append(_dates(q, title, answers, respondents, heard, limit, unit))
    return SurveyResults(
        questionnaire,
        wave,
        respondents,
        False,
        tables,
        countries_table,
        map_payload(countries_table) if countries_table else map_payload(None),
    )


def _step(low: float, high: float, integer: bool) -> float:
    """A round bin width (1, 2 or 5 times a power of ten) giving at most ``BINS`` bins."""
    span = max(high - low, 1e-9)
    raw = span / BINS
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return max(1.0, step) if integer else step


def _fmt(value: float) -> str:
    if float(value).is_integer():
        return number_format(int(value), force_grouping=True)
    return number_format(round(value, 4))


def _binned(values: QuerySet[Answer], edges: list[float]) -> list[int]:
    """Respondents with a value in each bin [edges[i], edges[i + 1])."""
    whens = [When(number__lt=Decimal(str(edge)), then=Value(i)) for i, edge in enumerate(edges[1:])]
    found = dict(
        values.annotate(b=Case(*whens, default=Value(len(edges) - 1), output_field=IntegerField()))
        .values("b")
        .annotate(n=Count("submission", distinct=True))
        .values_list("b", "n")
        .order_by()
    )
    return [found.get(i, 0) for i in range(len(edges) - 1)]


def _numbers(
    q: Question,
    title: str,
    answers: QuerySet[Answer],
    respondents: int,
    heard: int,
    limit: int,
    unit: str,
) -> Table:
    values = answers.filter(question=q.name, number__isnull=False)
    span = values.aggregate(low=Min("number"), high=Max("number"), n=Count("pk"))
    counts: dict[str, int] = {}
    labels: dict[str, str] = {}
    integer = q.type == "integer"
    if span["n"]:
        low, high = float(span["low"]), float(span["high"])
        step = _step(low, high, integer)
        start = math.floor(low / step) * step
        edges = [start + i * step for i in range(BINS + 2) if start + (i - 1) * step <= high]
        found = _binned(values, edges)
        # An end bin with a few people would tell that someone's answer lies that far out:
        # such bins join their neighbour, open-ended ("40 or more"), until they are not few.
        top = bottom = False
        while len(found) > 1 and 0 < found[-1] < limit:
            outer = found.pop()
            found[-1] += outer
            del edges[-2]
            top = True
        while len(found) > 1 and 0 < found[0] < limit:
            outer = found.pop(0)
            found[0] += outer
            del edges[1]
            bottom = True
        if (top or bottom) and q.in_repeat:
            found = _binned(values, edges)  # one person may have entries in both: count again
        last = len(found) - 1
        for i, n in enumerate(found):
            edge, upper = edges[i], edges[i + 1]
            key = f"{edge:g}"
            if last == 0 and (top or bottom):
                labels[key] = _("any value")
            elif i == 0 and bottom:
                labels[key] = _("under %(value)s") % {"value": _fmt(upper)}
            elif i == last and top:
                labels[key] = _("%(value)s or more") % {"value": _fmt(edge)}
            elif integer:
                labels[key] = _fmt(edge) if upper - 1 == edge else f"{_fmt(edge)}–{_fmt(upper - 1)}"
            else:
                labels[key] = _("%(low)s to under %(high)s") % {
                    "low": _fmt(edge),
                    "high": _fmt(upper),
                }
            counts[key] = n
    single = not q.in_repeat
    if single:
        counts[NO_ANSWER] = respondents - heard
        labels[NO_ANSWER] = _("No answer")
    t = table(
        q.name,
        title,
        counts,
        labels,
        total=respondents,
        partition=single,
        limit=limit,
        unit=unit,
        note="" if single else _("Respondents with an entry in each range."),
    )
    if heard >= limit and span["n"]:
        n = span["n"]
        # The one or two middle values, read in order by the database.
        middle = [
            float(v)
            for v in values.order_by("number").values_list("number", flat=True)[
                (n - 1) // 2 : n // 2 + 1
            ]
            if v is not None
        ]
        t.summary.append((_("Median"), _fmt(sum(middle) / len(middle))))
    return t


def _dates(
    q: Question,
    title: str,
    answers: QuerySet[Answer],
    respondents: int,
    heard: int,
    limit: int,
    unit: str,
) -> Table:
    months: dict[str, int] = {}
    for month, n in (
        answers.filter(question=q.name, date__isnull=False)
        .annotate(m=TruncMonth("date"))
        .values("m")
        .annotate(n=Count("submission", distinct=True))
        .values_list("m", "n")
        .order_by()
    ):
        if isinstance(month, datetime.datetime):
            month = month.date()
        months[f"{month:%Y-%m}"] = n
    keys = sorted(months)
    labels: dict[str, str] = {}
    if keys:
        year, month = (int(p) for p in keys[0].split("-"))
        while f"{year:04d}-{month:02d}" <= keys[-1]:
            key = f"{year:04d}-{month:02d}"
            labels[key] = date_format(datetime.date(year, month, 1), "YEAR_MONTH_FORMAT")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    single = not q.in_repeat
    if single:
        months[NO_ANSWER] = respondents - heard
        labels[NO_ANSWER] = _("No answer")
    return table(
        q.name,
        title,
        months,
        labels,
        total=respondents,
        partition=single,
        limit=limit,
        unit=unit,
        note="" if single else _("Respondents with an entry in each month."),
    )
