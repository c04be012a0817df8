"""Unsent answers are kept only while someone can still send them (``surveys.retention``)."""

from __future__ import annotations

import datetime
import io
import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.utils import timezone

from liaison.accounts.roles import Role
from liaison.audit.models import AuditEvent
from liaison.surveys import retention, services
from liaison.surveys.models import Answer, Submission, Wave
from liaison.surveys.tests.test_collection import CHOICES, SURVEY, make_wave
from liaison.surveys.tests.test_xlsform_upload import workbook
from tests.factories import user_with_role

HOUR = 3600


@pytest.fixture(autouse=True)
def _session_of_an_hour(settings):
    settings.SESSION_COOKIE_AGE = HOUR


@pytest.fixture
def version(db):
    saved, _created = services.upload(None, io.BytesIO(workbook(SURVEY, CHOICES)), "m.xlsx")
    return saved


@pytest.fixture
def waves(version):
    now = timezone.now()
    open_wave = make_wave(version)
    closed = make_wave(
        version,
        name="2025 round",
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now - datetime.timedelta(days=1),
    )
    return open_wave, closed


def submission(
    wave: Wave, *, age: datetime.timedelta, respondent=None, complete: bool = False
) -> Submission:
    made = Submission.objects.create(
        wave=wave,
        version=wave.version,
        instance_id=f"uuid:{uuid.uuid4()}",
        status=Submission.Status.COMPLETE if complete else Submission.Status.DRAFT,
        source=Submission.Source.WEB,
        data={"age": "41"},
        respondent=respondent,
        submitted_at=timezone.now() - age if complete else None,
    )
    # ``updated_at`` is set on every save: put the last change in the past afterwards.
    Submission.objects.filter(pk=made.pk).update(updated_at=timezone.now() - age)
    return made


def test_drafts_no_one_can_finish_are_deleted_and_every_other_answer_kept(waves):
    open_wave, closed = waves
    member = user_with_role(Role.MEMBER)
    minutes, days = datetime.timedelta(minutes=1), datetime.timedelta(days=1)
    gone = {
        "anonymous, session ended": submission(open_wave, age=61 * minutes),
        "signed in, untouched 31 days": submission(open_wave, age=31 * days, respondent=member),
        "of a closed wave, changed a minute ago": submission(
            closed, age=minutes, respondent=member
        ),
    }
    kept = {
        "anonymous, session still on": submission(open_wave, age=59 * minutes),
        "signed in, untouched 29 days": submission(open_wave, age=29 * days, respondent=member),
        "sent anonymously long ago": submission(open_wave, age=400 * days, complete=True),
        "sent in a closed wave": submission(closed, age=90 * days, complete=True),
    }
    Answer.objects.create(
        submission=kept["sent anonymously long ago"],
        wave=open_wave,
        question="age",
        number=41,
        text="41",
    )

    purged = retention.purge_drafts(keep_days=30)

    assert purged == retention.Purged(anonymous=1, closed=1, stale=1)
    assert purged.total == 3
    left = set(Submission.objects.values_list("pk", flat=True))
    assert left == {s.pk for s in kept.values()}
    assert Answer.objects.filter(submission=kept["sent anonymously long ago"]).count() == 1
    # each deletion is in the audit log, naming the record only
    deleted = AuditEvent.objects.filter(
        action=AuditEvent.Action.DELETE,
        content_type=ContentType.objects.get_for_model(Submission),
    )
    assert {int(e.object_id) for e in deleted} == {s.pk for s in gone.values()}
    assert all(e.object_repr == f"submission #{e.object_id}" for e in deleted)


def test_a_draft_counts_once_under_the_first_reason_that_fits(waves):
    _open, closed = waves
    submission(closed, age=datetime.timedelta(days=90))  # anonymous and stale too
    assert retention.purge_drafts(keep_days=30) == retention.Purged(anonymous=0, closed=1, stale=0)


def test_the_days_kept_must_be_at_least_one(waves):
    with pytest.raises(ValueError, match="at least 1"):
        retention.purge_drafts(keep_days=0)


def _age(draft: Submission, minutes: int) -> None:
    last = timezone.now() - datetime.timedelta(minutes=minutes)
    Submission.objects.filter(pk=draft.pk).update(updated_at=last)


def test_an_anonymous_draft_is_kept_while_its_session_can_last_and_opening_it_counts(client, waves):
    open_wave, _closed = waves
    form = f"/s/{open_wave.token}/"
    client.post(form, {"age": "41", "action": "save"})
    draft = Submission.objects.get()
    _age(draft, 59)
    assert retention.purge_drafts(keep_days=30).total == 0
    # opening the form again uses the draft: half an hour later it is still within its session
    again = client.get(form)
    assert again.context["draft"].pk == draft.pk and 'value="41"' in again.content.decode()
    later = timezone.now() + datetime.timedelta(minutes=30)
    assert retention.purge_drafts(keep_days=30, now=later).total == 0
    # an hour and a minute without use: gone, and the form starts afresh
    _age(draft, 61)
    assert retention.purge_drafts(keep_days=30) == retention.Purged(anonymous=1, closed=0, stale=0)
    assert client.get(form).context["draft"] is None


def test_the_command_uses_the_setting_and_says_what_it_deleted(settings, waves):
    open_wave, _closed = waves
    member = user_with_role(Role.MEMBER)
    settings.SURVEY_DRAFT_DAYS = 5
    old = submission(open_wave, age=datetime.timedelta(days=6), respondent=member)
    recent = submission(open_wave, age=datetime.timedelta(days=4), respondent=member)
    out = io.StringIO()
    call_command("purge_survey_drafts", stdout=out)
    assert out.getvalue().startswith("1 survey draft(s) deleted:")
    assert "1 untouched for 5 days" in out.getvalue()
    assert not Submission.objects.filter(pk=old.pk).exists()
    assert Submission.objects.filter(pk=recent.pk).exists()
    # the option overrides the setting
    call_command("purge_survey_drafts", "--days", "3", stdout=io.StringIO())
    assert not Submission.objects.exists()


@pytest.mark.parametrize("days", ["0", "-2"])
def test_the_command_refuses_days_below_one_and_deletes_nothing(waves, days):
    open_wave, _closed = waves
    draft = submission(open_wave, age=datetime.timedelta(days=400))
    with pytest.raises(CommandError, match=f"--days: keep_days must be at least 1, not {days}"):
        call_command("purge_survey_drafts", "--days", days)
    assert Submission.objects.filter(pk=draft.pk).exists()
