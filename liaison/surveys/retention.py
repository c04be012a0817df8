"""How long unfinished answers are kept.

A draft holds what a respondent typed before sending it, often personal. It is kept only while
someone can still finish it:

- an anonymous draft (a public link, no account) is found again only through the respondent's
  session, which ends after ``SESSION_COOKIE_AGE`` without activity: it is kept that long after
  its last use (saved, or the form opened again). A respondent who kept the session alive on
  other pages for longer without opening the form would find it gone;
- a draft of a wave that has closed can no longer be sent;
- any other draft (a signed-in respondent's) is kept ``SURVEY_DRAFT_DAYS`` after its last
  use.

``purge_drafts`` deletes the rest (their answers go with them); ``manage.py
purge_survey_drafts`` runs it, daily. Sent submissions are never touched here.
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from liaison.surveys.models import Submission


class Purged(NamedTuple):
    anonymous: int  # their session has ended
    closed: int  # their wave has closed
    stale: int  # untouched for the days kept

    @property
    def total(self) -> int:
        return self.anonymous + self.closed + self.stale


@transaction.atomic
def purge_drafts(*, keep_days: int, now: datetime.datetime | None = None) -> Purged:
    """Delete the drafts no one can or will finish, counted under the first reason that fits
    (closed, anonymous, stale: each deletion runs after the one before). The audit log records
    each deletion, by record only."""
    if keep_days < 1:
        raise ValueError(f"keep_days must be at least 1, not {keep_days}")
    now = now or timezone.now()
    session_ended = now - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    reasons = {
        "closed": Q(wave__closes_at__lte=now),
        "anonymous": Q(respondent__isnull=True, updated_at__lt=session_ended),
        "stale": Q(updated_at__lt=now - datetime.timedelta(days=keep_days)),
    }
    drafts = Submission.objects.filter(status=Submission.Status.DRAFT).only("pk")
    counts = {
        reason: drafts.filter(rule).delete()[1].get(Submission._meta.label, 0)
        for reason, rule in reasons.items()
    }
    return Purged(**counts)
