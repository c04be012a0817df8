from __future__ import annotations

import pytest

from liaison.accounts.roles import Role, ScopeKind
from liaison.audit.models import AuditEvent
from liaison.registry.models import Member, MemberVersion
from tests.factories import MemberFactory, user_with_role

NEW = {
    "given_name": "Amina",
    "family_name": "Diallo",
    "sex": "female",
    "birth_date": "1990-02-01",
    "nationalities": ["sn"],
    "country_of_residence": "fr",
    "city": "Lyon",
    "phone": "06 12 34 56 78",
}


@pytest.fixture
def officer_client(client):
    client.force_login(user_with_role(Role.CONSULAR_OFFICER, ScopeKind.COUNTRY, "FR"))
    return client


@pytest.mark.django_db
def test_officers_register_members_in_their_scope_through_the_api(officer_client):
    response = officer_client.post(
        "/api/v1/registry/members/", NEW, content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["country_of_residence"], body["phone"], body["nationalities"]) == (
        "FR",
        "+33612345678",
        ["SN"],
    )
    member = Member.objects.get(pk=body["id"])
    assert AuditEvent.objects.filter(action="create", object_id=str(member.pk)).exists()


@pytest.mark.django_db
def test_the_api_refuses_members_outside_the_scope_and_bad_values(officer_client):
    outside = officer_client.post(
        "/api/v1/registry/members/",
        {**NEW, "country_of_residence": "DE"},
        content_type="application/json",
    )
    assert outside.status_code == 403
    bad = officer_client.post(
        "/api/v1/registry/members/",
        {**NEW, "phone": "call me", "country_of_residence": "ZZ", "given_name": "<b>x</b>"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    errors = bad.json()
    assert set(errors) >= {"phone", "country_of_residence"}
    assert Member.objects.count() == 0


@pytest.mark.django_db
def test_api_edits_keep_a_version_and_respect_the_scope(officer_client):
    inside = MemberFactory(country_of_residence="FR", city="Lyon")
    outside = MemberFactory(country_of_residence="DE")
    response = officer_client.patch(
        f"/api/v1/registry/members/{inside.pk}/", {"city": "Paris"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert Member.objects.get(pk=inside.pk).city == "Paris"
    assert MemberVersion.objects.get(member=inside).data["city"] == "Lyon"
    assert (
        officer_client.patch(
            f"/api/v1/registry/members/{outside.pk}/",
            {"city": "X"},
            content_type="application/json",
        ).status_code
        == 404
    )
    moved = officer_client.patch(
        f"/api/v1/registry/members/{inside.pk}/",
        {"country_of_residence": "DE"},
        content_type="application/json",
    )
    assert moved.status_code == 403
    assert Member.objects.get(pk=inside.pk).country_of_residence == "FR"


@pytest.mark.django_db
def test_analysts_cannot_read_or_write_people(client):
    client.force_login(user_with_role(Role.ANALYST))
    assert client.get("/api/v1/registry/members/").status_code == 403
    assert (
        client.post("/api/v1/registry/members/", NEW, content_type="application/json").status_code
        == 403
    )
