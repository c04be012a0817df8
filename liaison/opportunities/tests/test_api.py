"""The opportunities API: published ones for everyone, the rest for staff in scope, writes and
workflow steps through the services."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from liaison.audit.models import AuditEvent
from liaison.opportunities.models import Opportunity, PackageItem, Status
from tests.factories import OpportunityFactory, ProgrammeFactory, QuotaFactory

URL = "/api/v1/opportunities/"


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return sorted(o["id"] for o in response.json()["results"])


def test_visitors_read_published_opportunities_only(client, nurse, triage):
    published = OpportunityFactory(published=True, occupation=nurse)
    published.skills.create(skill=triage, essential=True)
    published.package.create(kind="travel", amount="900.00", currency="EUR")
    draft = OpportunityFactory()
    assert _ids(client.get(URL)) == [published.pk]
    body = client.get(f"{URL}{published.pk}/").json()
    assert body["status"] == "published"
    assert body["occupation"] == nurse.uri and body["isco_group"] == "2221"
    assert body["skills"] == [{"skill": triage.uri, "skill_label": "triage", "essential": True}]
    assert body["package"] == [
        {"kind": "travel", "amount": "900.00", "currency": "EUR", "period": "once", "note": ""}
    ]
    assert body["country"] == "FR"
    assert client.get(f"{URL}{draft.pk}/").status_code == 404
    assert client.get(URL, {"status": "draft"}).json()["count"] == 1  # still only published


def test_the_list_filters_like_the_portal(client, nurse):
    ward = OpportunityFactory(published=True, occupation=nurse, title="Ward trainer")
    remote = OpportunityFactory(published=True, modality="virtual", sector="ict", country="SN")
    assert _ids(client.get(URL, {"q": "specialist nurse"})) == [ward.pk]
    assert _ids(client.get(URL, {"country": "sn"})) == [remote.pk]
    assert _ids(client.get(URL, {"modality": "virtual", "sector": "ict"})) == [remote.pk]
    assert _ids(client.get(URL, {"programme": ward.programme.code})) == [ward.pk]


def test_staff_also_see_the_other_states_in_their_scope(client, officer, focal_point, hospital):
    published = OpportunityFactory(published=True, country="SN")
    draft_here = OpportunityFactory(country="FR")
    OpportunityFactory(country="SN")  # a draft elsewhere
    own = OpportunityFactory(host=hospital, country="SN")
    client.force_login(officer)
    assert _ids(client.get(URL)) == sorted([published.pk, draft_here.pk])
    assert _ids(client.get(URL, {"status": "draft"})) == [draft_here.pk]
    client.force_login(focal_point)
    assert _ids(client.get(URL)) == sorted([published.pk, own.pk])


def test_the_list_reads_a_fixed_number_of_queries(client, officer, triage):
    def add():
        o = OpportunityFactory(published=True)
        o.skills.create(skill=triage)
        o.languages.create(language="fr", min_level="B2")
        o.package.create(kind="travel", amount="1", currency="EUR")

    add()
    client.force_login(officer)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for _ in range(8):
        add()
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(many) == len(few)


def _payload(hospital, nurse, triage, **overrides):
    body = {
        "host": hospital.pk,
        "programme": ProgrammeFactory().code,
        "title": "Emergency nurse trainer",
        "terms_of_reference": "Train nurses in triage.",
        "occupation": nurse.uri,
        "modality": "temporary",
        "country": "fr",
        "starts": "2026-03-01",
        "ends": "2026-05-31",
        "positions": 2,
        "sector": "health",
        "skills": [{"skill": triage.uri, "essential": True}],
        "languages": [{"language": "fr", "min_level": "B2", "mandatory": True}],
        "package": [{"kind": "per_diem", "amount": "85.50", "currency": "EUR", "period": "day"}],
    }
    body.update(overrides)
    return body


def test_a_focal_point_posts_a_need_through_the_api(client, focal_point, hospital, nurse, triage):
    client.force_login(focal_point)
    response = client.post(URL, _payload(hospital, nurse, triage), content_type="application/json")
    assert response.status_code == 201, response.content
    opportunity = Opportunity.objects.get()
    assert response.json()["id"] == opportunity.pk
    assert response.json()["status"] == "draft" and response.json()["kind"] == "need"
    assert opportunity.country.code == "FR" and opportunity.created_by == focal_point
    assert opportunity.package.get().amount == 85.5
    # A change through PATCH keeps what is not sent.
    response = client.patch(
        f"{URL}{opportunity.pk}/", {"positions": 3}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert Opportunity.objects.get().positions == 3
    assert opportunity.skills.count() == 1
    # The list's filters in the query string do not apply to a write (once a 500 after saving).
    response = client.patch(
        f"{URL}{opportunity.pk}/?q=nothing-like-it&country=DE",
        {"positions": 4},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["positions"] == 4


def test_a_currency_that_does_not_exist_answers_400_and_stores_nothing(
    client, focal_point, hospital, nurse, triage
):
    client.force_login(focal_point)
    bad = _payload(
        hospital,
        nurse,
        triage,
        package=[{"kind": "stipend", "amount": "100", "currency": "ABC", "period": "month"}],
    )
    response = client.post(URL, bad, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "package": ["Item 1: “ABC” is not an ISO 4217 currency code (e.g. EUR, USD, PHP)."]
    }
    assert Opportunity.objects.count() == 0 and PackageItem.objects.count() == 0


def test_dates_running_backwards_answer_400(client, focal_point, hospital, nurse, triage):
    client.force_login(focal_point)
    response = client.post(
        URL,
        _payload(hospital, nurse, triage, ends="2026-01-01"),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "ends": ["The end date (01/01/2026) is before the start date (03/01/2026)."]
    }
    assert Opportunity.objects.count() == 0


def test_an_overdrawn_quota_answers_400(client, admin, employer, nurse, triage):
    quota = QuotaFactory(positions=3)
    client.force_login(admin)
    body = _payload(
        employer,
        nurse,
        triage,
        programme=quota.agreement.programme.code,
        quota=quota.pk,
        modality="job_abroad",
        country="DE",
        starts="2026-04-01",
        ends="2027-03-31",
        positions=4,
    )
    response = client.post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert "has 3 of 3 positions left" in response.json()["positions"][0]
    body["positions"] = 3
    assert client.post(URL, body, content_type="application/json").status_code == 201
    quotas = client.get("/api/v1/opportunities/quotas/").json()["results"]
    assert [(q["positions"], q["drawn"]) for q in quotas] == [(3, 3)]


def test_visitors_and_members_cannot_write(client, applicant, hospital, nurse, triage):
    assert client.post(URL, {}, content_type="application/json").status_code in (401, 403)
    client.force_login(applicant.user)
    response = client.post(URL, _payload(hospital, nurse, triage), content_type="application/json")
    assert response.status_code == 403
    assert Opportunity.objects.count() == 0


def test_workflow_steps_through_the_api(client, officer, focal_point, hospital, triage):
    opportunity = OpportunityFactory(host=hospital, status=Status.SUBMITTED)
    opportunity.skills.create(skill=triage)
    step = f"{URL}{opportunity.pk}/transition/"
    client.force_login(focal_point)
    response = client.post(step, {"step": "validate"}, content_type="application/json")
    assert response.status_code == 403
    assert Opportunity.objects.get().status == Status.SUBMITTED
    client.force_login(officer)
    response = client.post(step, {"step": "publish"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": [
            "The opportunity is “Submitted for validation”: “Publish” cannot be taken from there."
        ]
    }
    response = client.post(step, {"step": "validate"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "validated"
    response = client.post(step, {"step": "cancel"}, content_type="application/json")
    assert response.status_code == 400 and "reason" in response.json()
    response = client.post(
        step, {"step": "cancel", "reason": "Budget cut."}, content_type="application/json"
    )
    assert response.json()["status"] == "cancelled"
    assert [t.name for t in opportunity.transitions.all()] == ["validate", "cancel"]


def test_programmes_are_public(client, db):
    programme = ProgrammeFactory(code="mida-health", name="MIDA Health")
    body = client.get("/api/v1/opportunities/programmes/mida-health/").json()
    assert body["name"] == "MIDA Health" and body["id"] == programme.pk


def test_a_changed_package_is_in_the_audit_log(client, focal_point, hospital, nurse, triage):
    # Skills, languages and package lines are written in bulk: one event records what they
    # became (a stipend's amount and currency are what an auditor looks for).
    client.force_login(focal_point)
    response = client.post(URL, _payload(hospital, nurse, triage), content_type="application/json")
    opportunity_id = response.json()["id"]
    package = [{"kind": "stipend", "amount": "2500", "currency": "EUR", "period": "month"}]
    response = client.patch(
        f"{URL}{opportunity_id}/", {"package": package}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    event = AuditEvent.objects.filter(
        object_id=str(opportunity_id), reason="skills, languages or package replaced"
    ).latest("pk")
    assert event.changes["package"] == [["stipend", "2500.00", "EUR", "month"]]
    assert event.actor_id == focal_point.pk
