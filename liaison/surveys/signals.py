"""Erasure reaches survey answers: when a member's record is erased, the answers that named them
(the questions their questionnaire maps into the registry) are deleted from their submissions,
which stay, unlinked, as anonymous statistics; drafts of an account that is deleted go too.
(A merge moves a record's submissions to the record that stays before the other is deleted, so
nothing is lost then.)"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from liaison.registry.models import Member
from liaison.surveys.models import Submission


@receiver(pre_delete, sender=Member, dispatch_uid="surveys-forget-member")
def forget_member(sender: Any, instance: Member, **kwargs: Any) -> None:
    for submission in Submission.objects.filter(member=instance).select_related("version"):
        personal = set(submission.version.registry_map)
        submission.data = {k: v for k, v in submission.data.items() if k not in personal}
        submission.member = None
        submission.respondent = None
        submission.save(update_fields=["data", "member", "respondent", "updated_at"])
        submission.answers.filter(question__in=personal).delete()


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="surveys-forget-drafts")
def forget_drafts(sender: Any, instance: Any, **kwargs: Any) -> None:
    Submission.objects.filter(respondent=instance, status=Submission.Status.DRAFT).delete()
