from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from liaison.accounts.roles import Role, ScopeKind
from liaison.placements import followup
from liaison.placements.models import (
    ChecklistItem,
    MissionReport,
    Placement,
    PlacementSurvey,
    Review,
    Reviewer,
    Shortlist,
    State,
)
from liaison.registry.services import record_consent
from liaison.surveys.models import Submission, Wave
from tests.factories import MemberFactory, PlacementFactory, user_with_role


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Questionnaire workbooks uploaded by the tests go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path
    settings.LIAISON_BASE_URL = "https://liaison.example.org"
    return tmp_path


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return today() - datetime.timedelta(days=n)


def candidate(**member_fields) -> Placement:
    """A placement whose candidate has an account (role member) and consented to matching."""
    labour = member_fields.pop("labour", False)
    user = user_with_role(Role.MEMBER)
    member = MemberFactory(user=user, email=user.email, **member_fields)
    record_consent(user, member, "matching", True)
    placement: Placement = PlacementFactory(labour=labour, application__member=member)
    return placement


def in_state(state: str, labour: bool = False) -> Placement:
    """A candidate's placement put in ``state`` directly (no steps taken)."""
    placement = candidate(labour=labour)
    Placement.objects.filter(pk=placement.pk).update(state=state)
    placement.refresh_from_db()
    return placement


@pytest.fixture
def selected() -> Placement:
    return in_state(State.SELECTED)


@pytest.fixture
def officer(selected):
    """A programme officer whose country covers ``selected``."""
    return actor_for(Role.PROGRAMME_OFFICER, selected)


def actor_for(role: str, placement: Placement):
    """A user of ``role`` whose scope covers ``placement`` (for a member: its candidate)."""
    opportunity = placement.opportunity
    if role == Role.MEMBER:
        assert placement.member is not None and placement.member.user is not None
        return placement.member.user
    if role in (Role.PROGRAMME_OFFICER, Role.CONSULAR_OFFICER):
        return user_with_role(role, ScopeKind.COUNTRY, opportunity.country.code)
    if role == Role.HOST_FOCAL_POINT:
        return user_with_role(role, ScopeKind.INSTITUTION, str(opportunity.host_id))
    return user_with_role(role)


def shortlist_for(placement: Placement, *, scored: bool = True) -> Shortlist:
    """Put ``placement`` on a shortlist in review with one committee reviewer who declared no
    conflict and (``scored``) gave a score."""
    shortlist = Shortlist.objects.create(opportunity=placement.opportunity, panel="committee")
    Placement.objects.filter(pk=placement.pk).update(shortlist=shortlist)
    placement.shortlist = shortlist
    reviewer = Reviewer.objects.create(
        shortlist=shortlist,
        user=user_with_role(Role.REVIEWER),
        declared_at=timezone.now() if scored else None,
    )
    Review.objects.create(
        reviewer=reviewer,
        placement=placement,
        conflict=False if scored else None,
        score=7 if scored else None,
    )
    return shortlist


def answer_host_evaluation(placement: Placement) -> Submission:
    survey = PlacementSurvey.objects.filter(
        placement=placement, kind=PlacementSurvey.Kind.HOST_EVALUATION
    ).first()
    if survey is None:
        version = followup.questionnaire_version(None, followup.HOST_EVALUATION_FORM)
        wave = Wave.objects.create(
            questionnaire=version.questionnaire,
            version=version,
            name="evaluation",
            opens_at=timezone.now(),
        )
        survey = PlacementSurvey.objects.create(
            placement=placement, kind="host_evaluation", wave=wave, due_on=today()
        )
    return Submission.objects.create(
        wave=survey.wave,
        version=survey.wave.version,
        instance_id=f"uuid:test-{placement.pk}",
        status=Submission.Status.COMPLETE,
        source=Submission.Source.WEB,
        submitted_at=timezone.now(),
    )


def arrange(track: str, step: str, source: str) -> tuple[Placement, dict]:
    """A placement of ``track`` in state ``source`` with all that ``step`` requires, and the
    values the step asks for."""
    placement = candidate(labour=track == "labour")
    fields: dict = {"state": source}
    values: dict = {}
    if source in (State.CONTRACTED, State.ON_ASSIGNMENT, State.COMPLETED):
        fields.update(starts=days_ago(40), ends=today(), contract_days=20)
    if source in (State.ON_ASSIGNMENT, State.COMPLETED):
        fields.update(started_on=days_ago(40))
    if source == State.COMPLETED:
        fields.update(ended_on=days_ago(2), days_worked=20)
    if source == State.DEPARTED:
        fields.update(departed_on=days_ago(30))
    Placement.objects.filter(pk=placement.pk).update(**fields)
    placement.refresh_from_db()
    if step == "shortlist":
        shortlist = Shortlist.objects.create(opportunity=placement.opportunity, panel="committee")
        Placement.objects.filter(pk=placement.pk).update(shortlist=shortlist)
        placement.refresh_from_db()
    elif step in ("select", "not_select"):
        shortlist_for(placement)
        placement.refresh_from_db()
    elif step == "contract":
        values = {
            "starts": today(),
            "ends": today() + datetime.timedelta(days=29),
            "contract_days": 20,
        }
    elif step == "start":
        values = {"started_on": days_ago(1)}
    elif step == "complete":
        values = {"ended_on": today(), "days_worked": 20}
    elif step == "evaluate":
        MissionReport.objects.create(
            placement=placement, activities="Trained", results="Ten nurses"
        )
        answer_host_evaluation(placement)
    elif step == "depart":
        for item in ChecklistItem.Item.values:
            ChecklistItem.objects.create(placement=placement, item=item, done_on=days_ago(5))
        values = {"departed_on": days_ago(1)}
    elif step == "return":
        values = {"returned_on": today()}
    return placement, values
