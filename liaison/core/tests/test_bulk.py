"""Bulk inserts: PostgreSQL's COPY and SQLite's bulk_create must store the same rows."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from liaison.core import bulk
from liaison.registry.models import Consent, Member, MemberInterest


@pytest.mark.django_db
def test_rows_are_stored_with_their_defaults_and_prepared_values_in_order():
    ids = bulk.insert(
        Member,
        [
            {"given_name": "Amina", "country_of_residence": "FR", "nationalities": ["SN", "ML"]},
            {"given_name": "Rizal", "country_of_residence": "PH", "id_document_number": "P123"},
        ],
        returning_ids=True,
    )
    amina, rizal = (Member.objects.get(pk=pk) for pk in ids)
    assert (amina.given_name, rizal.given_name) == ("Amina", "Rizal")
    assert [c.code for c in amina.nationalities] == ["ML", "SN"]
    assert (amina.city, amina.email_verified, amina.birth_date) == ("", False, None)
    assert amina.created_at is not None and amina.updated_at is not None
    assert rizal.id_document_number == "P123"
    with connection.cursor() as cursor:  # encrypted at rest, whichever way it was written
        cursor.execute("SELECT id_document_number FROM registry_member WHERE id = %s", [rizal.pk])
        assert cursor.fetchone()[0] not in ("", "P123")
    # The sequence moved on: a member saved afterwards does not collide.
    later = Member.objects.create(given_name="Later", country_of_residence="FR")
    assert later.pk > max(ids)


@pytest.mark.django_db
def test_constraints_still_hold():
    member = Member.objects.create(given_name="Amina", country_of_residence="FR")
    twice = [{"member_id": member.pk, "interest": "mentoring"}] * 2
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert(MemberInterest, twice)
    assert not MemberInterest.objects.exists()
    bulk.insert(Consent, [{"member_id": member.pk, "purpose": "registry", "granted": True}])
    consent = Consent.objects.get()
    assert (consent.channel, consent.source, consent.recorded_at is not None) == ("", "web", True)


@pytest.mark.django_db
def test_among_selects_the_rows_with_any_of_the_values_however_many(monkeypatch):
    monkeypatch.setattr(bulk, "BATCH", 2)  # batches of IN (...) where there is no ANY
    members = [
        Member.objects.create(given_name=n, email=f"{n}@example.org", country_of_residence="FR")
        for n in ("a", "b", "c", "d")
    ]
    wanted = ["a@example.org", "c@example.org", "d@example.org", "nobody@example.org"]
    found = {m.given_name for qs in bulk.among(Member.objects.all(), "email", wanted) for m in qs}
    assert found == {"a", "c", "d"}
    for m in members[:3]:
        MemberInterest.objects.create(member=m, interest="mentoring")
    ids = [members[1].pk, members[2].pk, members[3].pk]
    linked = {
        i.member_id for qs in bulk.among(MemberInterest.objects.all(), "member_id", ids) for i in qs
    }
    assert linked == {members[1].pk, members[2].pk}
    assert list(bulk.among(Member.objects.all(), "email", [])) == []
