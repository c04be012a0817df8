"""The surveys of a placement, through the surveys module: the host institution's evaluation of
the expert when a mission ends, and the follow-up of the expert or worker 3, 6 and 12 months
after the end.

Each is a wave of a ready questionnaire (``surveys.ready``: added to Liaison the first time it
is needed) opened for this placement alone, with a public link: the host's focal point may have
no account, and a follow-up interview is often filled in by an officer on the phone. The link is
emailed to whom it concerns when the survey is due (``mail.send_due_surveys``); its answers are
the placement's because the wave is. Anyone who is given the link can answer: the link is the
key, as for any public wave.
"""

from __future__ import annotations

import calendar
import datetime
import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.placements.models import Placement, PlacementSurvey
from liaison.surveys import services as survey_services
from liaison.surveys.models import Questionnaire, QuestionnaireVersion, Submission, Wave
from liaison.surveys.ready import BY_SLUG

HOST_EVALUATION_FORM = "host_evaluation_of_expert"
FOLLOW_UP_FORM = "returnee_follow_up"
SURVEY_WINDOW_DAYS = 60  # how long a placement's survey stays open
FOLLOW_UPS = (
    (PlacementSurvey.Kind.FOLLOW_UP_3, 3),
    (PlacementSurvey.Kind.FOLLOW_UP_6, 6),
    (PlacementSurvey.Kind.FOLLOW_UP_12, 12),
)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def questionnaire_version(actor: Any, form_id: str) -> QuestionnaireVersion:
    """The latest version of a ready questionnaire, added to Liaison first if it is not yet."""
    questionnaire = Questionnaire.objects.filter(form_id=form_id).first()
    version = questionnaire.latest if questionnaire is not None else None
    if version is None:
        ready = BY_SLUG[form_id]
        version, _created = survey_services.upload(
            actor if getattr(actor, "pk", None) else None,
            io.BytesIO(ready.workbook()),
            f"{form_id}.xlsx",
        )
    return version


def open_survey(
    actor: Any, placement: Placement, kind: str, form_id: str, due: datetime.date
) -> PlacementSurvey:
    """The placement's wave of ``kind`` (opened now if it has none), open from ``due`` (or now,
    if that is past) for ``SURVEY_WINDOW_DAYS`` days."""
    existing = PlacementSurvey.objects.filter(placement=placement, kind=kind).first()
    if existing is not None:
        return existing
    version = questionnaire_version(actor, form_id)
    opens = max(
        timezone.now(), timezone.make_aware(datetime.datetime.combine(due, datetime.time.min))
    )
    wave = Wave.objects.create(
        questionnaire=version.questionnaire,
        version=version,
        name=f"{placement.reference} · {PlacementSurvey.Kind(kind).label}"[:200],
        opens_at=opens,
        closes_at=opens + datetime.timedelta(days=SURVEY_WINDOW_DAYS),
        audience=Wave.Audience.PUBLIC,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    return PlacementSurvey.objects.create(placement=placement, kind=kind, wave=wave, due_on=due)


def open_host_evaluation(actor: Any, placement: Placement) -> None:
    open_survey(
        actor,
        placement,
        PlacementSurvey.Kind.HOST_EVALUATION,
        HOST_EVALUATION_FORM,
        timezone.localdate(),
    )


def open_follow_ups(actor: Any, placement: Placement) -> None:
    """Three follow-up waves, due 3, 6 and 12 months after the end or the return."""
    end = placement.ended_on or placement.returned_on
    if end is None:  # the step asks for the date; say so loudly should it ever be missing
        raise ValidationError(_("The end date is missing."), code="requirement")
    for kind, months in FOLLOW_UPS:
        open_survey(actor, placement, kind, FOLLOW_UP_FORM, add_months(end, months))


def answered(placement: Placement, kind: str) -> int:
    """How many complete answers the placement's survey of ``kind`` has received."""
    return Submission.objects.filter(
        wave__placement_survey__placement=placement,
        wave__placement_survey__kind=kind,
        status=Submission.Status.COMPLETE,
    ).count()


def form_path(survey: PlacementSurvey) -> str:
    """The path of the survey's public questionnaire: its link, after the site's address."""
    return reverse("respond:form", args=[survey.wave.token])


@dataclass(frozen=True)
class SurveyState:
    """One survey of a placement as its page and the API show it."""

    survey: PlacementSurvey
    path: str  # of the public questionnaire
    answers: int  # complete answers received


def surveys_of(placement: Placement) -> list[SurveyState]:
    """The placement's surveys with their links and how many complete answers each has, in
    one query."""
    rows = placement.surveys.select_related("wave").annotate(
        complete=Count(
            "wave__submissions",
            filter=Q(wave__submissions__status=Submission.Status.COMPLETE),
        )
    )
    return [SurveyState(s, form_path(s), s.complete) for s in rows]
