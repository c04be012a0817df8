"""The demo opportunities (``seed_opportunities`` after ``seed_demo``) and the links that lead
to the matching and placement pages from where each role looks."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from liaison.accounts.models import User
from liaison.accounts.roles import Role, ScopeKind
from liaison.matching import services
from liaison.opportunities.models import (
    Application,
    Opportunity,
    OpportunityLanguage,
    PackageItem,
    Status,
)
from liaison.registry.models import Member, Organisation, Purpose
from liaison.registry.services import record_consent
from liaison.taxonomy.models import IscoGroup, Occupation, Skill
from tests.factories import MemberFactory, OpportunityFactory, OrganisationFactory, user_with_role


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo_registry(db):
    run("seed_demo", "--members", "80", "--seed", "3")


def test_the_demo_publishes_needs_and_job_orders_that_the_portal_lists(client, demo_registry):
    output = run("seed_opportunities")
    assert "Added 11 published opportunities" in output
    published = Opportunity.objects.published()
    assert published.count() == Opportunity.objects.count() == 11
    needs = published.filter(kind=Opportunity.Kind.NEED)
    orders = published.filter(kind=Opportunity.Kind.JOB_ORDER)
    assert needs.count() == 9 and orders.count() == 2
    hospital = Organisation.objects.get(name="Demo General Hospital")
    assert needs.filter(host=hospital).count() == 3
    assert {o.host.kind for o in needs} == {Organisation.Kind.HOST}
    assert needs.values("host").distinct().count() == 3  # hospital, university, ministry
    assert set(needs.values_list("country", flat=True)) == {"PH"}
    for order in orders:
        assert order.quota is not None and order.country == "DE"
        assert order.quota.agreement.origin_country == "PH"
        assert order.quota.drawn_positions() >= order.positions
    # Without ESCO the needs sit in the built-in ISCO-08 groups and still ask for skills.
    assert not published.filter(isco_group__isnull=True).exists()
    assert all(o.skills.exists() for o in published)
    assert OpportunityLanguage.objects.filter(language="en", min_level="B2").exists()
    assert OpportunityLanguage.objects.filter(language="de", min_level="B1").exists()
    assert {"PHP", "USD", "EUR"} <= set(PackageItem.objects.values_list("currency", flat=True))

    page = client.get("/opportunities/").content.decode()
    assert "Intensive care nursing mentor" in page
    assert "Registered nurses for hospital wards" in page


def test_applications_come_from_members_who_agreed_to_matching(demo_registry):
    run("seed_opportunities")
    applications = Application.objects.all()
    assert applications.filter(origin=Application.Origin.APPLIED).count() >= 11
    assert applications.filter(origin=Application.Origin.INVITED).exists()
    consenting = set(Member.objects.consenting(Purpose.MATCHING).values_list("pk", flat=True))
    assert set(applications.values_list("member_id", flat=True)) <= consenting
    demo_member = Member.objects.get(user__email="member@demo.liaison.test")
    mine = Application.objects.filter(member=demo_member)
    assert mine.count() == 1
    assert mine.get().origin == Application.Origin.APPLIED


def test_the_rankings_and_the_demo_members_suggestions_are_not_empty(demo_registry):
    run("seed_opportunities")
    admin = User.objects.get(email="administrator@demo.liaison.test")
    mentor = Opportunity.objects.get(title="Intensive care nursing mentor")
    assert services.candidates_for(admin, mentor, limit=50).ranking.candidates
    demo_member = Member.objects.get(user__email="member@demo.liaison.test")
    assert mentor.pk in {s.opportunity.pk for s in services.my_opportunities(demo_member)}


def test_a_member_who_withdrew_consent_keeps_their_decision(demo_registry):
    member = Member.objects.filter(user__isnull=True).order_by("pk").first()
    assert member is not None
    record_consent(None, member, Purpose.MATCHING, False)
    run("seed_opportunities")
    assert not member.has_consent(Purpose.MATCHING)
    assert not Application.objects.filter(member=member).exists()


def test_running_it_again_adds_nothing(demo_registry):
    run("seed_opportunities")
    counts = (Opportunity.objects.count(), Application.objects.count(), Skill.objects.count())
    assert "no demo opportunities added" in run("seed_opportunities")
    assert (Opportunity.objects.count(), Application.objects.count(), Skill.objects.count()) == (
        counts
    )


def test_it_uses_esco_occupations_and_skills_when_they_are_imported(demo_registry):
    group = IscoGroup.objects.create(code="2221", label="Nursing professionals")
    nurse = Occupation.objects.create(
        uri="http://data.europa.eu/esco/occupation/18e14e61-495b-44cc-a7c6-df4c625934ba",
        label="specialist nurse",
        isco_group=group,
    )
    supervise = Skill.objects.create(
        uri="http://data.europa.eu/esco/skill/other-version", label="supervise nursing staff"
    )
    assert "on ESCO occupations" in run("seed_opportunities")
    mentor = Opportunity.objects.get(title="Intensive care nursing mentor")
    assert mentor.occupation == nurse and mentor.isco_group == group
    assert mentor.skills.filter(skill=supervise).exists()


def test_it_needs_an_administrator(db):
    with pytest.raises(CommandError, match="run seed_demo first"):
        run("seed_opportunities")
    assert not Opportunity.objects.exists()


# --- links -------------------------------------------------------------------------------------


def test_a_member_finds_their_opportunities_and_placements_from_home(client, db):
    user = user_with_role(Role.MEMBER)
    MemberFactory(user=user)
    client.force_login(user)
    home = client.get(reverse("portal:member-home"))
    assert home.status_code == 200
    html = home.content.decode()
    assert 'href="/matching/me/"' in html
    assert 'href="/placements/mine/"' in html
    assert client.get("/matching/me/").status_code == 200
    assert client.get("/placements/mine/").status_code == 200


def test_an_officer_sees_the_matches_of_a_member_a_consular_officer_does_not(client, db):
    member = MemberFactory(country_of_residence="FR")
    link = f'href="/matching/members/{member.pk}/"'
    officer = user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "FR")
    client.force_login(officer)
    assert link in client.get(f"/registry/members/{member.pk}/").content.decode()
    assert client.get(f"/matching/members/{member.pk}/").status_code == 200
    consul = user_with_role(Role.CONSULAR_OFFICER, ScopeKind.COUNTRY, "FR")
    client.force_login(consul)
    page = client.get(f"/registry/members/{member.pk}/")
    assert page.status_code == 200
    assert link not in page.content.decode()


def test_the_host_focal_point_and_officers_reach_the_ranking_from_the_opportunity(client, nurse):
    hospital = OrganisationFactory(kind=Organisation.Kind.HOST, name="Cebu Heart Centre")
    opportunity = OpportunityFactory(published=True, host=hospital, country="FR", occupation=nurse)
    assert opportunity.status == Status.PUBLISHED
    link = f'href="/matching/opportunities/{opportunity.pk}/"'
    for user in (
        user_with_role(Role.HOST_FOCAL_POINT, ScopeKind.INSTITUTION, str(hospital.pk)),
        user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "FR"),
    ):
        client.force_login(user)
        page = client.get(f"/opportunities/manage/{opportunity.pk}/")
        assert page.status_code == 200
        assert link in page.content.decode()
        assert client.get(f"/matching/opportunities/{opportunity.pk}/").status_code == 200
