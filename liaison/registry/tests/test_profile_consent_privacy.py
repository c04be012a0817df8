from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from liaison.accounts.models import User
from liaison.accounts.roles import Role, ScopeKind
from liaison.audit.models import AuditEvent
from liaison.registry import services
from liaison.registry.models import Consent, Member, MemberLanguage, Purpose
from tests.factories import MemberFactory, user_with_role

PASSWORD = "a-long-and-uncommon-passphrase-17"


def _member_user(**member_fields):
    user = user_with_role(Role.MEMBER)
    user.set_password(PASSWORD)
    user.save()
    member = MemberFactory(user=user, **member_fields)
    return user, member


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("+33 6 12 34 56 78", None, "+33612345678"),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("(0917) 123 4567", "PH", "+639171234567"),
    ],
)
def test_phones_are_stored_in_e164(raw, region, e164):
    assert services.normalise_phone(raw, region) == e164


@pytest.mark.parametrize("raw", ["call me", "+33 1", "12"])
def test_an_unparseable_phone_number_says_why(raw):
    with pytest.raises(ValidationError) as caught:
        services.normalise_phone(raw)
    assert raw in caught.value.messages[0]


@pytest.mark.django_db
def test_withdrawing_matching_consent_removes_the_member_from_every_matching_query():
    member = MemberFactory()
    other = MemberFactory()
    services.record_consent(None, member, Purpose.MATCHING, True)
    services.record_consent(None, other, Purpose.MATCHING, True)
    assert set(Member.objects.consenting(Purpose.MATCHING)) == {member, other}
    services.record_consent(None, member, Purpose.MATCHING, False)
    assert list(Member.objects.consenting(Purpose.MATCHING)) == [other]
    assert not member.has_consent(Purpose.MATCHING)
    # The history stays: two decisions, each with its notice version and time.
    decisions = Consent.objects.filter(member=member).order_by("recorded_at", "pk")
    assert [c.granted for c in decisions] == [True, False]
    assert all(c.notice_version == "2026-11" for c in decisions)


@pytest.mark.django_db
def test_outreach_consent_is_per_channel():
    member = MemberFactory()
    services.record_consent(None, member, Purpose.OUTREACH, True, channel="email")
    assert member.has_consent(Purpose.OUTREACH, "email")
    assert not member.has_consent(Purpose.OUTREACH, "sms")
    with pytest.raises(ValidationError):
        services.record_consent(None, member, Purpose.OUTREACH, True)
    with pytest.raises(ValidationError):
        services.record_consent(None, member, Purpose.MATCHING, True, channel="sms")


@pytest.mark.django_db
def test_sensitive_fields_are_encrypted_in_the_database():
    member = MemberFactory(residence_status="asylum seeker", id_document_number="P1234567")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT residence_status, id_document_number FROM registry_member WHERE id = %s",
            [member.pk],
        )
        stored = cursor.fetchone()
    assert "asylum" not in stored[0] and "P1234567" not in stored[1]
    assert stored[0].startswith("gAAAA")  # a Fernet token
    fresh = Member.objects.get(pk=member.pk)
    assert (fresh.residence_status, fresh.id_document_number) == ("asylum seeker", "P1234567")


@pytest.mark.django_db
def test_only_consular_officers_and_administrators_see_sensitive_fields(client):
    member = MemberFactory(country_of_residence="FR", id_document_number="P1234567")
    programme = user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "FR")
    consular = user_with_role(Role.CONSULAR_OFFICER, ScopeKind.COUNTRY, "FR")
    client.force_login(programme)
    assert "P1234567" not in client.get(f"/registry/members/{member.pk}/").content.decode()
    client.force_login(consular)
    assert "P1234567" in client.get(f"/registry/members/{member.pk}/").content.decode()
    assert "P1234567" not in str(list(AuditEvent.objects.values_list("changes", flat=True)))


@pytest.mark.django_db
def test_members_download_all_their_data_as_json_and_csv(client):
    user, member = _member_user(given_name="Amina", city="Lyon", id_document_number="P1")
    MemberLanguage.objects.create(member=member, language="fr", level="C1")
    services.record_consent(user, member, Purpose.MATCHING, True)
    client.force_login(user)
    data = json.loads(client.get("/me/data.json").content)
    assert data["profile"]["given_name"] == "Amina"
    assert data["profile"]["id_document_number"] == "P1"
    assert data["languages"] == [{"language": "fr", "level": "C1"}]
    assert data["consents"][0]["purpose"] == "matching"
    rows = list(csv.reader(io.StringIO(client.get("/me/data.csv").content.decode())))
    assert ["profile", "1", "city", "Lyon"] in rows
    assert ["languages", "1", "level", "C1"] in rows
    assert AuditEvent.objects.filter(action="export", object_id=str(member.pk)).count() == 2


@pytest.mark.django_db
def test_members_change_their_consents_and_it_applies_at_once(client):
    user, member = _member_user()
    client.force_login(user)
    client.post("/me/consents/", {"matching": "on", "outreach_email": "on"})
    assert member.has_consent(Purpose.MATCHING)
    assert member.has_consent(Purpose.OUTREACH, "email")
    client.post("/me/consents/", {"outreach_email": "on"})
    assert list(Member.objects.consenting(Purpose.MATCHING)) == []
    assert Consent.objects.filter(member=member).count() == 3


@pytest.mark.django_db
def test_erasure_needs_the_password_and_leaves_no_personal_data(client):
    user, member = _member_user(given_name="Amina", family_name="Diallo")
    services.record_consent(user, member, Purpose.MATCHING, True)
    client.force_login(user)
    refused = client.post("/me/erase/", {"password": "wrong", "confirm": "on"})
    assert "This is not your password" in refused.content.decode()
    assert Member.objects.filter(pk=member.pk).exists()
    done = client.post("/me/erase/", {"password": PASSWORD, "confirm": "on"})
    assert done.status_code == 302
    assert not Member.objects.filter(pk=member.pk).exists()
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Consent.objects.exists()
    log = " ".join(
        f"{e.actor_label} {e.object_repr} {e.changes} {e.reason}" for e in AuditEvent.objects.all()
    )
    for personal in ("Amina", "Diallo", user.email):
        assert personal not in log
    erased = AuditEvent.objects.get(action="delete", reason__startswith="erasure")
    assert erased.object_repr == f"member #{member.pk}"
