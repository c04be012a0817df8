"""Officers keep the register of organisations: create, correct, and record who belongs."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from liaison.accounts.roles import Role, ScopeKind
from liaison.audit.models import AuditEvent
from liaison.registry.models import Organisation, OrganisationMembership
from tests.factories import MemberFactory, OrganisationFactory, user_with_role

NEW = {
    "name": "Association des Sénégalais de Lyon",
    "kind": "hometown",
    "country": "FR",
    "countries": ["FR", "SN"],
    "sectors": ["health", "education"],
    "city": "Lyon",
    "email": "contact@asl.example.org",
    "phone": "04 78 12 34 56",
    "website": "https://asl.example.org",
}


@pytest.fixture
def officer(db):
    return user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "FR")


@pytest.mark.django_db
def test_an_officer_creates_and_corrects_an_organisation_in_their_scope(client, officer):
    client.force_login(officer)
    assert "New organisation" in client.get("/registry/organisations/").content.decode()
    response = client.post("/registry/organisations/new/", NEW)
    organisation = Organisation.objects.get()
    assert response["Location"] == f"/registry/organisations/{organisation.pk}/"
    assert organisation.phone == "+33478123456"  # read in the country of seat, stored E.164
    assert [c.code for c in organisation.countries] == ["FR", "SN"]
    assert organisation.sectors == ["health", "education"]
    page = client.get(response["Location"]).content.decode()
    assert "Education and research" in page  # sectors by their names, not their codes
    client.post(f"/registry/organisations/{organisation.pk}/edit/", {**NEW, "city": "Villeurbanne"})
    organisation.refresh_from_db()
    assert organisation.city == "Villeurbanne"
    actions = list(
        AuditEvent.objects.filter(content_type__model="organisation")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update"]


@pytest.mark.django_db
def test_bad_values_and_other_countries_are_refused_and_nothing_is_saved(client, officer):
    client.force_login(officer)
    hostile = client.post(
        "/registry/organisations/new/", {**NEW, "name": "<img src=x onerror=alert(1)>"}
    )
    assert "HTML tags" in hostile.content.decode()
    phone = client.post("/registry/organisations/new/", {**NEW, "phone": "call us"})
    assert "is not a phone number" in phone.content.decode()
    germany = client.post(
        "/registry/organisations/new/", {**NEW, "country": "DE", "phone": "+49 30 1234567"}
    )
    assert "outside your scope" in germany.content.decode()
    assert not Organisation.objects.exists()
    inside = OrganisationFactory(country="FR")
    moved = client.post(
        f"/registry/organisations/{inside.pk}/edit/", {**NEW, "country": "DE", "phone": ""}
    )
    assert "outside your scope" in moved.content.decode()
    inside.refresh_from_db()
    assert inside.country.code == "FR"
    outside = OrganisationFactory(country="DE")
    assert client.get(f"/registry/organisations/{outside.pk}/edit/").status_code == 404
    analyst = user_with_role(Role.ANALYST)
    client.force_login(analyst)
    assert client.post("/registry/organisations/new/", NEW).status_code == 403


@pytest.mark.django_db
def test_members_are_added_given_roles_and_removed_within_the_officers_scope(client, officer):
    organisation = OrganisationFactory(country="FR")
    amina = MemberFactory(given_name="Amina", family_name="Diallo", country_of_residence="FR")
    abroad = MemberFactory(given_name="Hans", family_name="Abroad", country_of_residence="DE")
    OrganisationMembership.objects.create(organisation=organisation, member=abroad)
    client.force_login(officer)
    url = f"/registry/organisations/{organisation.pk}/members/"
    client.post(url, {"member": amina.pk, "role": "chair"})
    membership = OrganisationMembership.objects.get(member=amina)
    assert membership.role == "chair"
    again = client.post(url, {"member": amina.pk, "role": "member"}, follow=True)
    assert "already a member" in again.content.decode()
    outside = client.post(url, {"member": abroad.pk + 1000, "role": "member"}, follow=True)
    assert "No member with this number is in your scope" in outside.content.decode()
    client.post(url, {"membership": membership.pk, "role": "board"})
    membership.refresh_from_db()
    assert membership.role == "board"
    page = client.get(f"/registry/organisations/{organisation.pk}/").content.decode()
    assert "Diallo" in page
    assert "Abroad" not in page  # a member outside the officer's scope is counted, not named
    assert "1 more member lives outside your scope" in page
    client.post(url, {"remove": membership.pk})
    assert not OrganisationMembership.objects.filter(member=amina).exists()
    # The membership of a person outside the officer's scope cannot be changed or removed.
    hidden = OrganisationMembership.objects.get(member=abroad)
    refused = client.post(url, {"remove": hidden.pk}, follow=True)
    assert "not (or no longer) a member" in refused.content.decode()
    client.post(url, {"membership": hidden.pk, "role": "chair"})
    hidden.refresh_from_db()
    assert hidden.role == "member"
    assert client.post(url, {"remove": "1; DROP TABLE x"}).status_code == 302


@pytest.mark.django_db
def test_the_api_creates_and_updates_organisations_with_the_same_rules(officer):
    api = APIClient()
    api.force_authenticate(officer)
    created = api.post("/api/v1/registry/organisations/", NEW, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["country"], body["countries"], body["phone"]) == (
        "FR",
        ["FR", "SN"],
        "+33478123456",
    )
    assert body["verification"] == "unverified"
    pk = body["id"]
    patched = api.patch(
        f"/api/v1/registry/organisations/{pk}/",
        {"city": "Villeurbanne", "verification": "verified"},
        format="json",
    )
    assert patched.status_code == 200
    organisation = Organisation.objects.get(pk=pk)
    assert organisation.city == "Villeurbanne"
    assert organisation.verification == "unverified"  # verification is decided on its page
    moved = api.patch(f"/api/v1/registry/organisations/{pk}/", {"country": "DE"}, format="json")
    assert moved.status_code == 403
    bad = api.post(
        "/api/v1/registry/organisations/",
        {**NEW, "country": "XX", "sectors": ["astrology"], "name": "<b>x</b>"},
        format="json",
    )
    assert bad.status_code == 400
    assert set(bad.json()) >= {"country", "sectors"}
    assert Organisation.objects.count() == 1
    assert Organisation.objects.get(pk=pk).country.code == "FR"
