"""The host's evaluation and the 3, 6 and 12 month follow-ups, through the surveys module."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from liaison.accounts.roles import Role, ScopeKind
from liaison.placements import mail as placement_mail
from liaison.placements import services
from liaison.placements.followup import add_months
from liaison.placements.models import MissionReport, Placement, PlacementSurvey, State
from liaison.placements.tests.conftest import actor_for, arrange, days_ago, today
from liaison.surveys.models import Submission, Wave
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def test_months_are_added_to_the_same_day_or_the_months_last():
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2026, 11, 30), 3) == datetime.date(2027, 2, 28)
    assert add_months(datetime.date(2026, 6, 15), 12) == datetime.date(2027, 6, 15)


@pytest.fixture
def completed(django_capture_on_commit_callbacks):
    """A mission the host's focal point has just confirmed as ended today."""
    placement, values = arrange("mission", "complete", State.ON_ASSIGNMENT)
    host = placement.opportunity.host
    host.email = "hr@hospital.example"
    host.save()
    focal = actor_for(Role.HOST_FOCAL_POINT, placement)
    user_with_role(Role.HOST_FOCAL_POINT, ScopeKind.INSTITUTION, "999999")  # another host's
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(focal, placement, "complete", values=values)
    placement.refresh_from_db()
    return placement, focal


def test_completing_a_mission_opens_the_hosts_evaluation_and_three_follow_ups(completed):
    placement, _focal = completed
    surveys = {s.kind: s for s in placement.surveys.select_related("wave__questionnaire")}
    assert set(surveys) == {"host_evaluation", "follow_up_3", "follow_up_6", "follow_up_12"}
    evaluation = surveys["host_evaluation"]
    assert evaluation.wave.questionnaire.form_id == "host_evaluation_of_expert"
    assert evaluation.wave.audience == Wave.Audience.PUBLIC
    assert evaluation.wave.is_open() and evaluation.due_on == today()
    for kind, months in (("follow_up_3", 3), ("follow_up_6", 6), ("follow_up_12", 12)):
        survey = surveys[kind]
        assert survey.wave.questionnaire.form_id == "returnee_follow_up"
        assert survey.due_on == add_months(today(), months)
        assert timezone.localdate(survey.wave.opens_at) == survey.due_on
        assert not survey.wave.is_open() and survey.sent_at is None
    assert len({s.wave_id for s in surveys.values()}) == 4  # one wave each: answers are its own


def test_the_host_is_emailed_the_evaluation_link_once_the_end_is_stored(completed):
    placement, focal = completed
    evaluation = placement.surveys.get(kind="host_evaluation")
    (message,) = mail.outbox
    assert sorted(message.to) == sorted([focal.email, "hr@hospital.example"])
    assert f"https://liaison.example.org/s/{evaluation.wave.token}/" in message.body
    assert placement.reference in message.body and placement.reference in message.subject
    assert evaluation.sent_at is not None and evaluation.sent_to == 2


def test_follow_ups_go_to_the_expert_when_due_and_only_once(completed):
    placement, _focal = completed
    mail.outbox.clear()
    assert (
        placement_mail.send_due_surveys(today=add_months(today(), 3) - datetime.timedelta(1)) == 0
    )
    assert placement_mail.send_due_surveys(today=add_months(today(), 3)) == 1
    (message,) = mail.outbox
    assert message.to == [placement.member.email]
    three = placement.surveys.get(kind="follow_up_3")
    assert f"/s/{three.wave.token}/" in message.body and "not your name" in message.body
    assert placement_mail.send_due_surveys(today=add_months(today(), 3)) == 0
    assert placement_mail.send_due_surveys(today=add_months(today(), 12)) == 2
    assert len(mail.outbox) == 3


def test_a_follow_up_with_nobody_to_write_to_stays_unsent_and_the_command_says_so(completed):
    placement, _focal = completed
    placement.member.email = ""
    placement.member.save()
    out = io.StringIO()
    call_command("send_placement_surveys", "--date", add_months(today(), 6).isoformat(), stdout=out)
    assert out.getvalue().strip() == "0 placement survey(s) sent."
    assert not placement.surveys.filter(kind__startswith="follow_up", sent_at__isnull=False)


def test_the_host_answers_through_the_web_form_then_the_mission_is_closed_as_evaluated(
    completed, client
):
    placement, _focal = completed
    evaluation = placement.surveys.get(kind="host_evaluation")
    officer = actor_for(Role.PROGRAMME_OFFICER, placement)
    MissionReport.objects.create(placement=placement, activities="Training", results="Protocol")
    with pytest.raises(ValidationError, match="has not yet answered"):
        services.transition(officer, placement, "evaluate")
    url = f"/s/{evaluation.wave.token}/"
    assert client.get(url).status_code == 200  # public: the host needs no account
    response = client.post(
        url,
        {
            "institution_name": "Lyon University Hospital",
            "expert_name": "A. Expert",
            "mission_reference": placement.reference,
            "mission_start": days_ago(40).isoformat(),
            "mission_end": days_ago(1).isoformat(),
            "objectives_met": "mostly",
            "overall_rating": "4",
            "action": "submit",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Submission.objects.get(wave=evaluation.wave).status == Submission.Status.COMPLETE
    services.transition(officer, placement, "evaluate")
    placement.refresh_from_db()
    assert placement.state == State.EVALUATED


def test_a_returning_worker_gets_three_follow_ups_from_the_return_date():
    placement, values = arrange("labour", "return", State.DEPARTED)
    values = {"returned_on": days_ago(10)}
    services.transition(
        actor_for(Role.PROGRAMME_OFFICER, placement), placement, "return", values=values
    )
    dues = dict(placement.surveys.values_list("kind", "due_on"))
    assert dues == {
        "follow_up_3": add_months(days_ago(10), 3),
        "follow_up_6": add_months(days_ago(10), 6),
        "follow_up_12": add_months(days_ago(10), 12),
    }
    assert not PlacementSurvey.objects.filter(kind="host_evaluation").exists()


def test_a_step_that_fails_leaves_no_wave_behind():
    placement, _values = arrange("mission", "complete", State.ON_ASSIGNMENT)
    waves = Wave.objects.count()
    with pytest.raises(ValidationError, match="do not fit"):
        services.transition(
            actor_for(Role.PROGRAMME_OFFICER, placement),
            placement,
            "complete",
            values={"ended_on": today(), "days_worked": 500},
        )
    assert Wave.objects.count() == waves
    assert Placement.objects.get(pk=placement.pk).state == State.ON_ASSIGNMENT
