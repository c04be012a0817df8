"""Opportunities end to end in a real Chromium: a member finds an opportunity on the portal with
a filter and applies (or is told why they may not), a programme officer reads the ranking of
candidates and invites one, and moves a placement one step; axe on the portal and the ranking."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from liaison.accounts.models import User
from liaison.accounts.roles import Role
from liaison.opportunities.models import (
    Application,
    Opportunity,
    OpportunityLanguage,
    OpportunitySkill,
)
from liaison.placements.models import Placement, State
from liaison.registry.models import (
    Availability,
    Member,
    MemberLanguage,
    MemberSkill,
    Organisation,
)
from liaison.registry.services import record_consent
from liaison.taxonomy.models import IscoGroup, Occupation, Skill
from tests.factories import (
    MemberFactory,
    OpportunityFactory,
    OrganisationFactory,
    PlacementFactory,
    ProgrammeFactory,
    officer_in,
    user_with_role,
)

from .conftest import submit_code, submit_password, totp_code
from .test_browser import describe, path_of, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-horse-battery-9"


def with_password(user: User) -> User:
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def member_with_account(*, consents: bool) -> Member:
    """A member of France with an account (role member), consenting to matching or not."""
    user = with_password(user_with_role(Role.MEMBER))
    member: Member = MemberFactory(user=user, email=user.email)
    if consents:
        record_consent(None, member, "matching", True)
    return member


def sign_in_member(page: Page, member: Member) -> None:
    assert member.user is not None
    submit_password(page, member.user.email, PASSWORD)
    assert not path_of(page).startswith("/accounts/"), page.locator("main").inner_text()


def sign_in_officer(page: Page) -> User:
    """A programme officer for France, signed in with password and authenticator code."""
    officer = with_password(officer_in("FR"))
    submit_password(page, officer.email, PASSWORD)
    assert path_of(page) == "/accounts/2fa/authenticate/"
    submit_code(page, totp_code(officer.totp_secret))
    assert path_of(page) == "/backoffice/", page.locator("main").inner_text()
    return officer


def soon(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def portal() -> dict[str, Opportunity]:
    """Two published opportunities (a nurse trainer in Lyon, a virtual software mentor for
    Germany) and a draft in France that the portal must not show."""
    hospital = OrganisationFactory(name="Lyon University Hospital", kind=Organisation.Kind.HOST)
    nurse: Opportunity = OpportunityFactory(
        published=True, host=hospital, title="Emergency nurse trainer"
    )
    mentor: Opportunity = OpportunityFactory(
        published=True,
        title="Software mentor",
        country="DE",
        city="Berlin",
        modality="virtual",
        sector="ict",
    )
    draft: Opportunity = OpportunityFactory(title="Midwife trainer (draft)")
    return {"nurse": nurse, "mentor": mentor, "draft": draft}


# 1. A member on the portal ----------------------------------------------------------------------


def test_a_consenting_member_filters_the_portal_applies_and_sees_the_application(
    page: Page, portal: dict[str, Opportunity]
):
    member = member_with_account(consents=True)
    sign_in_member(page, member)

    page.get_by_role("link", name="Opportunities", exact=True).click()
    assert path_of(page) == "/opportunities/"
    results = page.locator("main ul.list-unstyled")
    expect(page.get_by_text("2 opportunities")).to_be_visible()
    expect(results).not_to_contain_text("Midwife trainer")
    violations = serious_violations(page)
    assert not violations, describe(violations)

    # Only France, temporary on site: the software mentor (Germany, virtual) goes.
    page.get_by_label("Country").select_option("FR")
    page.get_by_label("Modality").select_option("temporary")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 opportunity", exact=True)).to_be_visible()
    expect(results.locator("h2")).to_have_text(["Emergency nurse trainer"])
    expect(page.get_by_label("Country")).to_have_value("FR")

    page.get_by_role("link", name="Emergency nurse trainer").click()
    assert path_of(page) == f"/opportunities/{portal['nurse'].pk}/"
    expect(page.locator("main h1")).to_have_text("Emergency nurse trainer")
    page.get_by_label("A few words to the programme (optional)").fill(
        "I trained triage nurses in Lyon for six years."
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Your application is sent.")
    expect(page.locator("#h-apply + p")).to_contain_text("You applied on")
    expect(page.get_by_role("button", name="Apply", exact=True)).to_have_count(0)

    application = Application.objects.get(opportunity=portal["nurse"], member=member)
    assert application.origin == "applied"
    assert application.message == "I trained triage nurses in Lyon for six years."
    assert application.accepted_at is not None

    page.get_by_role("link", name="My applications").click()
    assert path_of(page) == "/opportunities/mine/"
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Emergency nurse trainer")
    expect(rows.first).to_contain_text("Lyon University Hospital")
    expect(rows.first).to_contain_text("Applied")


def test_a_member_without_consent_to_matching_is_told_why_and_cannot_apply(
    page: Page, portal: dict[str, Opportunity]
):
    member = member_with_account(consents=False)
    sign_in_member(page, member)

    page.goto(f"/opportunities/{portal['nurse'].pk}/")
    apply_box = page.locator("section[aria-labelledby=h-apply]")
    expect(apply_box).to_contain_text(
        "Applying shares your profile with the programme. First agree to “Matching with "
        "opportunities”."
    )
    expect(apply_box.get_by_role("button")).to_have_count(0)
    consents = apply_box.get_by_role("link", name="What my data is used for")
    expect(consents).to_be_visible()
    consents.click()
    assert path_of(page) == "/me/consents/"
    expect(page.locator("main h1")).to_have_text("What my data is used for")
    assert not Application.objects.filter(member=member).exists()


# 2. A programme officer ranks and invites -------------------------------------------------------


@pytest.fixture
def ranked_need() -> tuple[Opportunity, Member, Member]:
    """A published need for a nurse trainer in Lyon asking triage and wound care (required) and
    French; Amina (triage, French, available, consenting) and Bruno (the same, no consent)."""
    group, _created = IscoGroup.objects.get_or_create(
        code="2221", defaults={"label": "Nursing professionals"}
    )
    nurse = Occupation.objects.create(
        uri="http://data.europa.eu/esco/occupation/nurse-browser", label="nurse", isco_group=group
    )
    triage = Skill.objects.create(uri="http://data.europa.eu/esco/skill/triage-b", label="triage")
    wound = Skill.objects.create(uri="http://data.europa.eu/esco/skill/wound-b", label="wound care")
    need: Opportunity = OpportunityFactory(
        published=True,
        programme=ProgrammeFactory(name="Health skills transfer"),
        title="Emergency nurse trainer",
        occupation=nurse,
        starts=soon(30),
        ends=soon(90),
    )
    for skill in (triage, wound):
        OpportunitySkill.objects.create(opportunity=need, skill=skill, essential=True)
    OpportunityLanguage.objects.create(
        opportunity=need, language="fr", min_level="B2", mandatory=True
    )

    def person(given: str, consents: bool) -> Member:
        member: Member = MemberFactory(given_name=given, family_name="Haddad", city="Lyon")
        MemberSkill.objects.create(member=member, skill=triage, years=5)
        MemberLanguage.objects.create(member=member, language="fr", level="native")
        Availability.objects.create(
            member=member, modality="temporary", starts=soon(1), ends=soon(365)
        )
        record_consent(None, member, "matching", consents)
        return member

    return need, person("Amina", True), person("Bruno", False)


def test_an_officer_reads_why_a_candidate_ranks_and_invites_them(
    page: Page, ranked_need: tuple[Opportunity, Member, Member]
):
    need, amina, bruno = ranked_need
    officer = sign_in_officer(page)

    page.goto(f"/matching/opportunities/{need.pk}/")
    expect(page.locator("main h1")).to_have_text("Candidates for Emergency nurse trainer")
    violations = serious_violations(page)
    assert not violations, describe(violations)
    candidates = page.locator("main ol > li")
    # Bruno has the skill but did not agree to be matched: not ranked.
    expect(candidates).to_have_count(1)
    card = candidates.filter(has_text="Amina Haddad")
    expect(page.locator("main")).not_to_contain_text("Bruno Haddad")

    card.get_by_text("Why this score").click()
    skills_row = card.locator("tr", has=page.locator("th", has_text="Skills"))
    expect(skills_row).to_be_visible()
    expect(skills_row).to_contain_text("1 of 2 required skills: triage; missing: wound care.")
    expect(card.locator("tr", has=page.locator("th", has_text="Languages"))).to_contain_text(
        "French"
    )

    invite = card.get_by_role("button", name="Invite Amina Haddad")
    with page.expect_navigation():
        invite.click()
    assert path_of(page) == f"/matching/opportunities/{need.pk}/"
    expect(page.locator(".messages")).to_contain_text("Amina Haddad is invited to apply.")
    card = page.locator("main ol > li").filter(has_text="Amina Haddad")
    expect(card.locator(".badge", has_text="invited")).to_be_visible()
    expect(card.get_by_role("button", name=re.compile("^Invite"))).to_have_count(0)

    invitation = Application.objects.get(opportunity=need, member=amina)
    assert invitation.origin == "invited"
    assert invitation.created_by == officer
    assert invitation.accepted_at is None
    assert not Application.objects.filter(member=bruno).exists()


# 3. A programme officer moves a placement ------------------------------------------------------


def test_an_officer_records_a_contract_with_the_step_button_and_sees_the_new_state(page: Page):
    placement: Placement = PlacementFactory(state=State.SELECTED)
    sign_in_officer(page)

    page.goto("/placements/")
    page.get_by_role("link", name=placement.reference).click()
    assert path_of(page) == f"/placements/{placement.pk}/"
    expect(page.locator("main h1 small")).to_have_text("Selected")

    step = page.locator("form", has=page.locator("legend", has_text="Record the contract"))
    step.get_by_label("contract starts").fill(soon(7).isoformat())
    step.get_by_label("contract ends").fill(soon(36).isoformat())
    step.get_by_label("days of work contracted").fill("20")
    with page.expect_navigation():
        step.get_by_role("button", name="Record the contract").click()

    assert path_of(page) == f"/placements/{placement.pk}/"
    expect(page.locator(".messages")).to_contain_text(
        f"{placement.reference}: “Record the contract” done."
    )
    expect(page.locator("main h1 small")).to_have_text("Contracted")
    expect(page.get_by_role("button", name="Record the contract")).to_have_count(0)
    expect(page.get_by_role("button", name="Confirm the start")).to_be_visible()
    placement.refresh_from_db()
    assert placement.state == State.CONTRACTED
    assert (placement.starts, placement.ends, placement.contract_days) == (soon(7), soon(36), 20)
