"""Merging two records of the same person keeps what other apps hold about them: survey
submissions, applications and placements follow the record that stays, and come back with an
undo."""

from __future__ import annotations

import io

import pytest

from liaison.registry import dedup
from liaison.registry.models import DuplicateCandidate
from liaison.surveys import services
from liaison.surveys.models import Submission
from liaison.surveys.tests.test_collection import CHOICES, SURVEY, make_wave
from liaison.surveys.tests.test_xlsform_upload import workbook
from tests.factories import ApplicationFactory, MemberFactory, PlacementFactory

pytestmark = pytest.mark.django_db


def test_a_merge_moves_submissions_applications_and_placements_and_undo_brings_them_back():
    version, _new = services.upload(None, io.BytesIO(workbook(SURVEY, CHOICES)), "m.xlsx")
    kept, merged = MemberFactory(given_name="Awa"), MemberFactory(given_name="Awa")
    wave = make_wave(version)
    submission = Submission.objects.create(
        wave=wave, version=version, instance_id="uuid:1", source="web", member=merged
    )
    placement = PlacementFactory(member=merged, application__member=merged)
    application = placement.application
    both = ApplicationFactory(member=merged)  # the survivor applied to the same one too
    ApplicationFactory(member=kept, opportunity=both.opportunity)
    candidate = DuplicateCandidate.objects.create(first=kept, second=merged, score=0.99, reasons={})

    trail = dedup.merge(None, candidate, {})

    submission.refresh_from_db()
    placement.refresh_from_db()
    application.refresh_from_db()
    assert submission.member_id == placement.member_id == application.member_id == kept.pk
    # the survivor's own application to the same opportunity stays; the other is in the trail
    assert kept.applications.filter(opportunity=both.opportunity).count() == 1

    restored = dedup.undo(None, trail)

    submission.refresh_from_db()
    placement.refresh_from_db()
    application.refresh_from_db()
    assert submission.member_id == placement.member_id == application.member_id == restored.pk
    assert restored.applications.filter(opportunity=both.opportunity).exists()
