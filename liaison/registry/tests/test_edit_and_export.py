from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from liaison.accounts.roles import Role, ScopeKind
from liaison.audit.models import AuditEvent
from liaison.registry.models import Member, MemberVersion
from tests.factories import MemberFactory, user_with_role


def _form(member, **changes):
    data = {
        "given_name": member.given_name,
        "family_name": member.family_name,
        "latin_name": member.latin_name,
        "sex": member.sex,
        "birth_date": member.birth_date.isoformat() if member.birth_date else "",
        "nationalities": [c.code for c in member.nationalities],
        "country_of_residence": member.country_of_residence.code,
        "city": member.city,
        "email": member.email,
        "phone": member.phone,
        "education_level": member.education_level,
        "consular_jurisdiction": member.consular_jurisdiction,
        "latitude": "",
        "longitude": "",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_an_edit_keeps_the_previous_version_and_normalises_the_phone(client):
    officer = user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "FR")
    member = MemberFactory(city="Lyon")
    client.force_login(officer)
    response = client.post(
        f"/registry/members/{member.pk}/edit/", _form(member, city="Paris", phone="06 12 34 56 78")
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.city, member.phone) == ("Paris", "+33612345678")
    version = MemberVersion.objects.get(member=member)
    assert version.number == 1
    assert version.data["city"] == "Lyon"
    assert set(version.changed) == {"city", "phone"}
    assert version.saved_by == officer
    page = client.get(f"/registry/members/{member.pk}/versions/").content.decode()
    assert "Lyon" in page


@pytest.mark.django_db
def test_bad_input_in_an_edit_is_explained_and_nothing_changes(client):
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    member = MemberFactory(city="Lyon")
    response = client.post(
        f"/registry/members/{member.pk}/edit/",
        _form(member, city="<b>Paris</b>", phone="call me", birth_date="2999-01-01", latitude="91"),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "is not a phone number" in body
    assert "cannot be in the future" in body
    assert "HTML tags" in body
    assert "Must be between -90 and 90" in body
    assert Member.objects.get(pk=member.pk).city == "Lyon"
    assert not MemberVersion.objects.exists()


@pytest.mark.django_db
def test_sensitive_fields_are_not_offered_to_programme_officers(client):
    member = MemberFactory(id_document_number="P1")
    client.force_login(user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "FR"))
    form = client.get(f"/registry/members/{member.pk}/edit/").context["form"]
    assert "id_document_number" not in form.fields
    client.force_login(user_with_role(Role.CONSULAR_OFFICER, ScopeKind.COUNTRY, "FR"))
    form = client.get(f"/registry/members/{member.pk}/edit/").context["form"]
    assert form["id_document_number"].value() == "P1"


@pytest.mark.django_db
def test_an_export_needs_a_purpose_and_holds_only_the_officers_scope(client):
    officer = user_with_role(Role.CONSULAR_OFFICER, ScopeKind.COUNTRY, "FR")
    MemberFactory(family_name="Inside", country_of_residence="FR")
    MemberFactory(family_name="Formula", given_name="=1+1", country_of_residence="FR")
    MemberFactory(family_name="Outside", country_of_residence="DE")
    client.force_login(officer)
    refused = client.post("/registry/members/export/", {"purpose": "", "format": "csv"})
    assert refused.status_code == 200
    assert not AuditEvent.objects.filter(action="export").exists()
    purpose = "Invitation list for the Lyon health forum"
    response = client.post("/registry/members/export/", {"purpose": purpose, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert sorted(r["family_name"] for r in rows) == ["Formula", "Inside"]
    assert "'=1+1" in [r["given_name"] for r in rows]
    event = AuditEvent.objects.get(action="export")
    assert (event.reason, event.changes["rows"], event.actor_id) == (purpose, 2, officer.pk)
    xlsx = client.post("/registry/members/export/?q=inside", {"purpose": purpose, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.values)
    assert values[0][0] == "id" and [v[2] for v in values[1:]] == ["Inside"]


@pytest.mark.django_db
def test_an_officer_cannot_edit_outside_their_scope(client):
    member = MemberFactory(country_of_residence="DE", city="Berlin")
    client.force_login(user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "FR"))
    response = client.post(f"/registry/members/{member.pk}/edit/", _form(member, city="X"))
    assert response.status_code == 404
    assert Member.objects.get(pk=member.pk).city == "Berlin"
