"""The portal, the member's applications and the back office pages, with an owner (the host
institution's focal point), a colleague (an officer in France) and an outsider (another
institution's focal point) for the back office."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liaison.accounts.roles import Role, ScopeKind
from liaison.opportunities.models import (
    Application,
    Opportunity,
    OpportunitySkill,
    PackageItem,
    Quota,
    Status,
)
from liaison.registry.models import Organisation
from liaison.registry.services import record_consent
from tests.factories import (
    MemberFactory,
    OpportunityFactory,
    OrganisationFactory,
    ProgrammeFactory,
    QuotaFactory,
    user_with_role,
)

D = datetime.date


@pytest.fixture
def outsider(db):
    other = OrganisationFactory(kind=Organisation.Kind.HOST, name="Dakar Polytechnic")
    return user_with_role(Role.HOST_FOCAL_POINT, ScopeKind.INSTITUTION, str(other.pk))


# --- the public portal -------------------------------------------------------------------------


def test_the_portal_lists_only_published_opportunities(client, nurse):
    shown = OpportunityFactory(published=True, title="Cardiology lecturer")
    OpportunityFactory(title="Draft surgeon")
    OpportunityFactory(status=Status.CLOSED, title="Closed midwife")
    page = client.get("/opportunities/").content.decode()
    assert "Cardiology lecturer" in page
    assert "Draft surgeon" not in page and "Closed midwife" not in page
    assert client.get(f"/opportunities/{shown.pk}/").status_code == 200
    draft = Opportunity.objects.get(title="Draft surgeon")
    assert client.get(f"/opportunities/{draft.pk}/").status_code == 404


def test_the_portal_searches_titles_and_occupations_and_filters(client, nurse):
    OpportunityFactory(published=True, title="Ward trainer", occupation=nurse)
    OpportunityFactory(
        published=True, title="Data engineer", sector="ict", modality="virtual", country="SN"
    )
    OpportunityFactory(
        published=True,
        title="Berlin nurse",
        programme=ProgrammeFactory(code="ph-de", name="PH-DE mobility", kind="labour_agreement"),
        country="DE",
        modality="job_abroad",
    )

    def titles(**params):
        response = client.get("/opportunities/", params)
        return sorted(o.title for o in response.context["page"].object_list)

    assert titles(q="specialist nurse") == ["Ward trainer"]  # the occupation's label
    assert titles(q="NURSE") == ["Berlin nurse", "Ward trainer"]
    assert titles(country="SN") == ["Data engineer"]
    assert titles(modality="virtual") == ["Data engineer"]
    assert titles(sector="ict") == ["Data engineer"]
    assert titles(programme="ph-de") == ["Berlin nurse"]
    assert titles(q="nurse", country="DE") == ["Berlin nurse"]


def test_the_portal_list_reads_a_fixed_number_of_queries(client, db):
    for _ in range(3):
        OpportunityFactory(published=True)
    with CaptureQueriesContext(connection) as few:
        client.get("/opportunities/")
    for _ in range(12):
        OpportunityFactory(published=True)
    with CaptureQueriesContext(connection) as many:
        client.get("/opportunities/")
    assert len(many) == len(few)


def test_a_member_applies_from_the_portal(client, applicant):
    opportunity = OpportunityFactory(published=True)
    client.force_login(applicant.user)
    page = client.get(f"/opportunities/{opportunity.pk}/").content.decode()
    assert f'action="/opportunities/{opportunity.pk}/apply/"' in page
    response = client.post(f"/opportunities/{opportunity.pk}/apply/", {"message": "Ready."})
    assert response.status_code == 302
    application = Application.objects.get()
    assert (application.member, application.origin, application.message) == (
        applicant,
        "applied",
        "Ready.",
    )
    mine = client.get("/opportunities/mine/").content.decode()
    assert opportunity.title in mine


def test_without_consent_the_portal_asks_for_it_and_stores_nothing(client, applicant):
    record_consent(applicant.user, applicant, "matching", False)
    opportunity = OpportunityFactory(published=True)
    client.force_login(applicant.user)
    page = client.get(f"/opportunities/{opportunity.pk}/").content.decode()
    assert "First agree to “Matching with opportunities”" in page
    response = client.post(f"/opportunities/{opportunity.pk}/apply/", follow=True)
    assert "first agree to “Matching with opportunities”" in response.content.decode()
    assert Application.objects.count() == 0


# --- the back office ---------------------------------------------------------------------------


def _form(hospital, programme, nurse, **overrides):
    data = {
        "host": hospital.pk,
        "programme": programme.pk,
        "title": "Emergency nurse trainer",
        "terms_of_reference": "Train the emergency ward's nurses in triage.",
        "occupation": nurse.label,
        "occupation_value": nurse.uri,
        "education_level": "6",
        "years_experience": "5",
        "modality": "temporary",
        "country": "FR",
        "city": "Lyon",
        "starts": "2026-03-01",
        "ends": "2026-05-31",
        "positions": "2",
        "sector": "health",
        "skill_0": "triage",
        "skill_0_essential": "on",
        "language_0": "fr",
        "language_0_level": "B2",
        "language_0_mandatory": "on",
        "package_0_kind": "travel",
        "package_0_amount": "900",
        "package_0_currency": "EUR",
        "package_0_period": "once",
        "package_1_kind": "per_diem",
        "package_1_amount": "85.50",
        "package_1_currency": "EUR",
        "package_1_period": "day",
    }
    data.update(overrides)
    return data


def test_a_focal_point_creates_a_need_through_the_form(
    client, focal_point, hospital, nurse, triage
):
    programme = ProgrammeFactory()
    client.force_login(focal_point)
    assert client.get("/opportunities/manage/new/").status_code == 200
    response = client.post("/opportunities/manage/new/", _form(hospital, programme, nurse))
    opportunity = Opportunity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/opportunities/manage/{opportunity.pk}/"
    assert opportunity.occupation == nurse and opportunity.isco_group.code == "2221"
    assert [s.skill for s in opportunity.skills.all()] == [triage]
    assert [(p.kind, str(p.amount), p.period) for p in opportunity.package.all()] == [
        ("travel", "900.00", "once"),
        ("per_diem", "85.50", "day"),
    ]
    assert opportunity.languages.get().min_level == "B2"
    # And it can be edited again, the slots filled from what was stored.
    page = client.get(f"/opportunities/manage/{opportunity.pk}/edit/").content.decode()
    assert 'value="triage"' in page and 'value="85.50"' in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends": "2026-02-01"}, "The end date (02/01/2026) is before the start date"),
        ({"package_1_amount": "-5"}, "Item 2: the amount -5 is negative."),
        ({"package_1_currency": "XYZ"}, "Select a valid choice. XYZ is not one of"),
        ({"skill_0": "levitation"}, "Choose “levitation” from the suggestions."),
        ({"language_0_level": ""}, "Give the minimum level."),
    ],
)
def test_bad_input_on_the_form_is_explained_and_nothing_is_stored(
    client, focal_point, hospital, nurse, triage, overrides, message
):
    client.force_login(focal_point)
    response = client.post(
        "/opportunities/manage/new/", _form(hospital, ProgrammeFactory(), nurse, **overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert Opportunity.objects.count() == 0
    assert PackageItem.objects.count() == 0


def test_a_focal_point_cannot_post_for_another_institution_through_the_form(
    client, outsider, hospital, nurse, triage
):
    client.force_login(outsider)
    response = client.post("/opportunities/manage/new/", _form(hospital, ProgrammeFactory(), nurse))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Opportunity.objects.count() == 0


def test_owner_colleague_and_outsider_in_the_back_office(
    client, focal_point, officer, outsider, hospital
):
    opportunity = OpportunityFactory(host=hospital, title="Lyon need")
    OpportunityFactory(country="SN", title="Dakar need")
    for user, listed, status in (
        (focal_point, ["Lyon need"], 200),
        (officer, ["Lyon need"], 200),
        (outsider, [], 404),
    ):
        client.force_login(user)
        response = client.get("/opportunities/manage/")
        assert [o.title for o in response.context["page"].object_list] == listed
        assert client.get(f"/opportunities/manage/{opportunity.pk}/").status_code == status
        assert client.get(f"/opportunities/manage/{opportunity.pk}/edit/").status_code == status


def test_the_back_office_list_reads_a_fixed_number_of_queries(client, officer):
    OpportunityFactory()
    client.force_login(officer)
    client.get("/opportunities/manage/")
    with CaptureQueriesContext(connection) as few:
        client.get("/opportunities/manage/")
    for _ in range(10):
        OpportunityFactory()
    with CaptureQueriesContext(connection) as many:
        client.get("/opportunities/manage/")
    assert len(many) == len(few)


def test_workflow_buttons_follow_the_role(client, focal_point, officer, hospital, triage):
    opportunity = OpportunityFactory(host=hospital)
    OpportunitySkill.objects.create(opportunity=opportunity, skill=triage)
    client.force_login(focal_point)
    page = client.get(f"/opportunities/manage/{opportunity.pk}/").content.decode()
    assert "/step/submit/" in page and "/step/cancel/" not in page
    client.post(f"/opportunities/manage/{opportunity.pk}/step/submit/")
    # The focal point may not validate: told so, nothing changes.
    response = client.post(f"/opportunities/manage/{opportunity.pk}/step/validate/", follow=True)
    assert "Your roles do not include this." in response.content.decode()
    assert Opportunity.objects.get(pk=opportunity.pk).status == Status.SUBMITTED
    client.force_login(officer)
    page = client.get(f"/opportunities/manage/{opportunity.pk}/").content.decode()
    assert "/step/validate/" in page and "/step/return/" in page
    response = client.post(f"/opportunities/manage/{opportunity.pk}/step/return/", follow=True)
    assert "Say why" in response.content.decode()
    assert Opportunity.objects.get(pk=opportunity.pk).status == Status.SUBMITTED
    client.post(f"/opportunities/manage/{opportunity.pk}/step/validate/")
    client.post(f"/opportunities/manage/{opportunity.pk}/step/publish/")
    assert Opportunity.objects.get(pk=opportunity.pk).status == Status.PUBLISHED
    response = client.post(f"/opportunities/manage/{opportunity.pk}/step/submit/", follow=True)
    assert (
        "The opportunity is “Published”: “Submit for validation” cannot be taken from there."
        in (response.content.decode())
    )


def test_an_officer_invites_a_member_by_number(client, officer, applicant):
    opportunity = OpportunityFactory(published=True)
    client.force_login(officer)
    response = client.post(
        f"/opportunities/manage/{opportunity.pk}/invite/",
        {"member": applicant.pk, "message": "Your profile fits."},
        follow=True,
    )
    assert f"{applicant.display_name} is invited." in response.content.decode()
    invitation = Application.objects.get()
    assert invitation.origin == "invited" and invitation.created_by == officer
    page = client.get(f"/opportunities/manage/{opportunity.pk}/").content.decode()
    assert applicant.display_name in page
    outside = MemberFactory(country_of_residence="DE")
    response = client.post(
        f"/opportunities/manage/{opportunity.pk}/invite/", {"member": outside.pk}, follow=True
    )
    assert "No member with this number is in your scope." in response.content.decode()
    assert Application.objects.count() == 1


def test_overlapping_quota_is_explained_on_the_form_and_not_stored(client, admin):
    quota = QuotaFactory(starts=D(2026, 1, 1), ends=D(2026, 6, 30))
    client.force_login(admin)
    response = client.post(
        f"/opportunities/agreements/{quota.agreement_id}/quotas/new/",
        {"sector": "health", "starts": "2026-06-01", "ends": "2026-12-31", "positions": "4"},
    )
    assert response.status_code == 200
    assert "The period overlaps the Health quota of this agreement" in response.content.decode()
    assert Quota.objects.count() == 1
    response = client.post(
        f"/opportunities/agreements/{quota.agreement_id}/quotas/new/",
        {"sector": "health", "starts": "2026-07-01", "ends": "2026-12-31", "positions": "4"},
    )
    assert response.status_code == 302
    page = client.get(f"/opportunities/programmes/{quota.agreement.programme_id}/")
    assert page.status_code == 200
    assert Quota.objects.count() == 2


def test_an_administrator_sets_up_a_labour_programme_with_an_agreement(client, admin):
    client.force_login(admin)
    response = client.post(
        "/opportunities/programmes/new/",
        {"name": "PH-DE nurses", "code": "ph-de-nurses", "kind": "labour_agreement"},
    )
    assert response.status_code == 302
    programme_pk = int(response["Location"].rstrip("/").split("/")[-1])
    response = client.post(
        f"/opportunities/programmes/{programme_pk}/agreements/new/",
        {
            "name": "Triple Win",
            "origin_country": "PH",
            "destination_country": "DE",
            "valid_from": "2027-01-01",
            "valid_until": "2026-01-01",
        },
    )
    assert response.status_code == 200
    assert "The agreement ends (01/01/2026) before it starts (01/01/2027)." in (
        response.content.decode()
    )
