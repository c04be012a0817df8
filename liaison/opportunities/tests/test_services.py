"""The rules of opportunities, quotas and applications, through the services other apps call."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from liaison.accounts.permissions import visible
from liaison.accounts.roles import Role, ScopeKind
from liaison.audit.models import AuditEvent
from liaison.opportunities import services
from liaison.opportunities.models import (
    Application,
    LabourAgreement,
    Opportunity,
    OpportunityLanguage,
    OpportunitySkill,
    PackageItem,
    Programme,
    Quota,
    Status,
)
from liaison.opportunities.services import LanguageNeed, PackageLine, SkillNeed
from liaison.registry.services import record_consent
from tests.factories import (
    LabourAgreementFactory,
    MemberFactory,
    OpportunityFactory,
    ProgrammeFactory,
    QuotaFactory,
    user_with_role,
)

D = datetime.date


def _need(hospital, nurse, **overrides) -> Opportunity:
    fields = {
        "host": hospital,
        "programme": ProgrammeFactory(),
        "title": "Emergency nurse trainer",
        "terms_of_reference": "Train the emergency ward's nurses in triage.",
        "occupation": nurse,
        "education_level": "6",
        "years_experience": 5,
        "modality": "temporary",
        "country": "FR",
        "city": "Lyon",
        "starts": D(2026, 3, 1),
        "ends": D(2026, 5, 31),
        "duration_days": 30,
        "positions": 2,
        "sector": "health",
    }
    fields.update(overrides)
    return Opportunity(**fields)


def _job_order(employer, quota, nurse, **overrides) -> Opportunity:
    fields = {
        "host": employer,
        "programme": quota.agreement.programme,
        "quota": quota,
        "title": "Nurse, Berlin",
        "terms_of_reference": "Ward nurse under the agreement.",
        "occupation": nurse,
        "modality": "job_abroad",
        "country": "DE",
        "city": "Berlin",
        "starts": D(2026, 4, 1),
        "ends": D(2028, 3, 31),
        "positions": 4,
        "sector": "health",
    }
    fields.update(overrides)
    return Opportunity(**fields)


PACKAGE = [
    PackageLine("travel", Decimal("900.00"), "EUR"),
    PackageLine("per_diem", Decimal("85.50"), "EUR", period="day"),
    PackageLine("family_allowance", Decimal("15000"), "PHP", period="month"),
]


def _nothing_stored() -> None:
    assert Opportunity.objects.count() == 0
    assert OpportunitySkill.objects.count() == 0
    assert OpportunityLanguage.objects.count() == 0
    assert PackageItem.objects.count() == 0


# --- creating and changing ---------------------------------------------------------------------


def test_a_focal_point_posts_a_need_with_skills_languages_and_package(
    focal_point, hospital, nurse, triage, teaching
):
    opportunity = services.save_opportunity(
        focal_point,
        _need(hospital, nurse),
        skills=[SkillNeed(triage, essential=True), SkillNeed(teaching, essential=False)],
        languages=[LanguageNeed("fr", "B2"), LanguageNeed("en", "B1", mandatory=False)],
        package=PACKAGE,
    )
    stored = Opportunity.objects.get(pk=opportunity.pk)
    assert stored.status == Status.DRAFT
    assert stored.kind == Opportunity.Kind.NEED
    assert stored.created_by == focal_point
    assert stored.isco_group.code == "2221"  # from the ESCO occupation
    assert {(s.skill.label, s.essential) for s in stored.skills.all()} == {
        ("triage", True),
        ("teaching", False),
    }
    assert {(x.language, x.min_level, x.mandatory) for x in stored.languages.all()} == {
        ("fr", "B2", True),
        ("en", "B1", False),
    }
    assert [(p.kind, p.amount, p.currency, p.period) for p in stored.package.all()] == [
        ("travel", Decimal("900.00"), "EUR", "once"),
        ("per_diem", Decimal("85.50"), "EUR", "day"),
        ("family_allowance", Decimal("15000.00"), "PHP", "month"),
    ]
    assert AuditEvent.objects.filter(
        action="create", object_id=str(stored.pk), content_type__model="opportunity"
    ).exists()


def test_an_opportunity_that_ends_before_it_starts_is_refused_and_nothing_is_stored(
    focal_point, hospital, nurse, triage
):
    with pytest.raises(ValidationError) as error:
        services.save_opportunity(
            focal_point,
            _need(hospital, nurse, starts=D(2026, 6, 1), ends=D(2026, 5, 1)),
            skills=[SkillNeed(triage)],
            package=PACKAGE,
        )
    assert error.value.message_dict["ends"] == [
        "The end date (05/01/2026) is before the start date (06/01/2026)."
    ]
    _nothing_stored()


def test_a_duration_longer_than_the_dates_is_refused(focal_point, hospital, nurse):
    with pytest.raises(ValidationError) as error:
        services.save_opportunity(
            focal_point, _need(hospital, nurse, ends=D(2026, 3, 10), duration_days=11)
        )
    assert (
        "11 days of work do not fit in the 10 days" in error.value.message_dict["duration_days"][0]
    )
    _nothing_stored()


@pytest.mark.parametrize("code", ["XYZ", "EURO", "eur", ""])
def test_a_currency_that_does_not_exist_is_refused_and_nothing_is_stored(
    focal_point, hospital, nurse, triage, code
):
    with pytest.raises(ValidationError) as error:
        services.save_opportunity(
            focal_point,
            _need(hospital, nurse),
            skills=[SkillNeed(triage)],
            package=[PACKAGE[0], PackageLine("stipend", Decimal("100"), code)],
        )
    assert error.value.message_dict["package"] == [
        f"Item 2: “{code}” is not an ISO 4217 currency code (e.g. EUR, USD, PHP)."
    ]
    _nothing_stored()


def test_a_negative_amount_is_refused(focal_point, hospital, nurse):
    with pytest.raises(ValidationError) as error:
        services.save_opportunity(
            focal_point,
            _need(hospital, nurse),
            package=[PackageLine("salary", Decimal("-1.00"), "EUR", period="month")],
        )
    assert error.value.message_dict["package"] == ["Item 1: the amount -1.00 is negative."]
    _nothing_stored()


def test_unknown_languages_and_levels_are_refused(focal_point, hospital, nurse):
    with pytest.raises(ValidationError) as error:
        services.save_opportunity(
            focal_point,
            _need(hospital, nurse),
            languages=[LanguageNeed("xx", "B2"), LanguageNeed("fr", "B7")],
        )
    assert error.value.message_dict["languages"] == [
        "“xx” is not an ISO 639 language code.",
        "“B7” is not a CEFR level (A1 to C2, or mother tongue).",
    ]
    _nothing_stored()


def test_negative_positions_and_experience_are_refused(focal_point, hospital, nurse):
    with pytest.raises(ValidationError) as error:
        services.save_opportunity(
            focal_point, _need(hospital, nurse, positions=0, years_experience=-2)
        )
    assert set(error.value.message_dict) >= {"positions", "years_experience"}
    _nothing_stored()


def test_only_host_institutions_and_employers_post_opportunities(focal_point, admin, nurse):
    from tests.factories import OrganisationFactory

    association = OrganisationFactory(name="Filipino nurses in Lyon")
    with pytest.raises(ValidationError) as error:
        services.save_opportunity(admin, _need(association, nurse))
    assert error.value.message_dict["host"] == [
        "Filipino nurses in Lyon is a association; opportunities come from host institutions "
        "or employers."
    ]
    _nothing_stored()


def test_a_focal_point_cannot_post_for_another_institution(focal_point, nurse):
    from tests.factories import OrganisationFactory

    other = OrganisationFactory(kind="host")
    with pytest.raises(ValidationError) as error:
        services.save_opportunity(focal_point, _need(other, nurse))
    assert "scope" in error.value.message_dict["host"][0]
    _nothing_stored()


def test_people_without_the_role_post_nothing(stranger, hospital, nurse):
    with pytest.raises(PermissionDenied):
        services.save_opportunity(stranger, _need(hospital, nurse))
    _nothing_stored()


def test_a_need_is_not_a_job_abroad_and_draws_on_no_quota(admin, hospital, nurse):
    with pytest.raises(ValidationError) as error:
        services.save_opportunity(
            admin, _need(hospital, nurse, modality="job_abroad", quota=QuotaFactory())
        )
    assert set(error.value.message_dict) == {"modality", "quota"}
    _nothing_stored()


def test_editing_replaces_skills_and_keeps_what_is_not_given(
    focal_point, hospital, nurse, triage, teaching
):
    opportunity = services.save_opportunity(
        focal_point,
        _need(hospital, nurse),
        skills=[SkillNeed(triage)],
        languages=[LanguageNeed("fr", "B2")],
        package=PACKAGE,
    )
    opportunity.title = "Emergency nurse trainer (3 months)"
    services.save_opportunity(focal_point, opportunity, skills=[SkillNeed(teaching, False)])
    stored = Opportunity.objects.get(pk=opportunity.pk)
    assert stored.title == "Emergency nurse trainer (3 months)"
    assert [s.skill.label for s in stored.skills.all()] == ["teaching"]
    assert stored.languages.count() == 1
    assert stored.package.count() == 3


def test_a_validated_opportunity_cannot_be_edited_until_returned(officer, nurse, triage):
    opportunity = OpportunityFactory(status=Status.VALIDATED, occupation=nurse)
    opportunity.title = "Changed"
    with pytest.raises(ValidationError) as error:
        services.save_opportunity(officer, opportunity)
    assert error.value.messages == [
        "The opportunity is “Validated”: it can be changed only after it is returned for changes."
    ]
    assert Opportunity.objects.get(pk=opportunity.pk).title != "Changed"


def test_a_focal_point_cannot_edit_a_submitted_opportunity(focal_point, hospital, nurse):
    opportunity = OpportunityFactory(host=hospital, status=Status.SUBMITTED, occupation=nurse)
    opportunity.title = "Changed"
    with pytest.raises(PermissionDenied):
        services.save_opportunity(focal_point, opportunity)
    assert Opportunity.objects.get(pk=opportunity.pk).title != "Changed"


# --- agreements and quotas ---------------------------------------------------------------------


def test_an_agreement_that_ends_before_it_starts_is_refused(admin):
    programme = ProgrammeFactory(labour=True)
    agreement = LabourAgreement(
        programme=programme,
        name="PH-DE nurses",
        origin_country="PH",
        destination_country="DE",
        valid_from=D(2027, 1, 1),
        valid_until=D(2026, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        services.save_agreement(admin, agreement)
    assert error.value.message_dict["valid_until"] == [
        "The agreement ends (01/01/2026) before it starts (01/01/2027)."
    ]
    assert LabourAgreement.objects.count() == 0


def test_an_agreement_joins_two_different_countries_under_a_labour_programme(admin):
    agreement = LabourAgreement(
        programme=ProgrammeFactory(),  # a skills transfer programme
        name="PH-PH",
        origin_country="PH",
        destination_country="PH",
        valid_from=D(2026, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        services.save_agreement(admin, agreement)
    assert set(error.value.message_dict) == {"programme", "destination_country"}
    assert LabourAgreement.objects.count() == 0


def test_a_quota_overlapping_another_of_the_same_sector_is_refused(admin):
    existing = QuotaFactory(starts=D(2026, 1, 1), ends=D(2026, 6, 30), sector="health")
    overlapping = Quota(
        agreement=existing.agreement,
        sector="health",
        starts=D(2026, 6, 1),
        ends=D(2026, 12, 31),
        positions=5,
    )
    with pytest.raises(ValidationError) as error:
        services.save_quota(admin, overlapping)
    assert error.value.message_dict["starts"] == [
        "The period overlaps the Health quota of this agreement from 01/01/2026 to 06/30/2026; "
        "a sector has one quota at a time."
    ]
    assert Quota.objects.count() == 1
    # Another sector, or the next period, is fine.
    services.save_quota(
        admin,
        Quota(
            agreement=existing.agreement,
            sector="ict",
            starts=D(2026, 6, 1),
            ends=D(2026, 12, 31),
            positions=5,
        ),
    )
    services.save_quota(
        admin,
        Quota(
            agreement=existing.agreement,
            sector="health",
            starts=D(2026, 7, 1),
            ends=D(2026, 12, 31),
            positions=5,
        ),
    )
    assert Quota.objects.count() == 3


def test_a_quota_with_negative_dates_or_outside_its_agreement_is_refused(admin):
    agreement = LabourAgreementFactory(valid_from=D(2026, 1, 1), valid_until=D(2026, 12, 31))
    backwards = Quota(
        agreement=agreement, sector="health", starts=D(2026, 5, 1), ends=D(2026, 4, 1), positions=3
    )
    with pytest.raises(ValidationError) as error:
        services.save_quota(admin, backwards)
    assert error.value.message_dict["ends"] == [
        "The period ends (04/01/2026) before it starts (05/01/2026)."
    ]
    outside = Quota(
        agreement=agreement, sector="health", starts=D(2026, 5, 1), ends=D(2027, 4, 1), positions=3
    )
    with pytest.raises(ValidationError) as error:
        services.save_quota(admin, outside)
    assert error.value.message_dict["starts"] == [
        "The period must lie within the agreement's validity (01/01/2026 – 12/31/2026)."
    ]
    assert Quota.objects.count() == 0


def test_a_quota_cannot_be_lowered_below_what_job_orders_draw(admin, employer, nurse):
    quota = QuotaFactory(positions=10)
    services.save_opportunity(admin, _job_order(employer, quota, nurse, positions=6))
    quota.positions = 5
    with pytest.raises(ValidationError) as error:
        services.save_quota(admin, quota)
    assert error.value.message_dict["positions"] == [
        "Job orders already draw 6 positions; the quota cannot be lower."
    ]
    assert Quota.objects.get(pk=quota.pk).positions == 10


# --- job orders draw down quotas ---------------------------------------------------------------


def test_job_orders_draw_down_their_quota_and_an_overdraw_is_refused(admin, employer, nurse):
    quota = QuotaFactory(positions=10)
    first = services.save_opportunity(admin, _job_order(employer, quota, nurse, positions=6))
    assert first.kind == Opportunity.Kind.JOB_ORDER
    assert Quota.objects.with_drawn().get(pk=quota.pk).drawn == 6
    with pytest.raises(ValidationError) as error:
        services.save_opportunity(admin, _job_order(employer, quota, nurse, positions=5))
    assert error.value.message_dict["positions"] == [
        f"The quota {quota} has 4 of 10 positions left (6 drawn by other job orders); 5 asked."
    ]
    assert Opportunity.objects.count() == 1
    services.save_opportunity(admin, _job_order(employer, quota, nurse, positions=4))
    assert quota.drawn_positions() == 10


def test_changing_a_job_order_gives_back_its_own_positions_first(admin, employer, nurse):
    quota = QuotaFactory(positions=10)
    order = services.save_opportunity(admin, _job_order(employer, quota, nurse, positions=6))
    order.positions = 10
    services.save_opportunity(admin, order)
    order.positions = 11
    with pytest.raises(ValidationError):
        services.save_opportunity(admin, order)
    assert Opportunity.objects.get(pk=order.pk).positions == 10


def test_a_cancelled_job_order_gives_its_positions_back(admin, employer, nurse):
    quota = QuotaFactory(positions=10)
    order = services.save_opportunity(admin, _job_order(employer, quota, nurse, positions=10))
    services.cancel(admin, order, reason="The employer withdrew.")
    assert quota.drawn_positions() == 0
    services.save_opportunity(admin, _job_order(employer, quota, nurse, positions=10))


def test_a_job_order_must_fit_its_quota(admin, employer, nurse):
    quota = QuotaFactory(starts=D(2026, 1, 1), ends=D(2026, 12, 31), sector="health")
    other_programme = ProgrammeFactory(labour=True)
    with pytest.raises(ValidationError) as error:
        services.save_opportunity(
            admin,
            _job_order(
                employer,
                quota,
                nurse,
                sector="ict",
                starts=D(2027, 2, 1),
                country="IT",
                programme=other_programme,
                modality="virtual",
            ),
        )
    assert set(error.value.message_dict) == {"sector", "starts", "country", "quota", "modality"}
    assert error.value.message_dict["sector"] == [
        "The quota is for Health; this job order is in Information technology."
    ]
    unattached = _job_order(employer, quota, nurse)
    unattached.quota = None
    with pytest.raises(ValidationError) as error:
        services.save_opportunity(admin, unattached)
    assert error.value.message_dict["quota"] == [
        "A job order draws on a quota of a labour agreement: choose one."
    ]
    assert Opportunity.objects.count() == 0


def test_draw_quota_refuses_to_run_outside_a_transaction(transactional_db):
    quota = QuotaFactory()
    with pytest.raises(RuntimeError):
        services.draw_quota(quota, 1)


# --- the workflow ------------------------------------------------------------------------------


def test_a_need_goes_from_draft_to_closed_with_a_row_per_step(
    focal_point, officer, hospital, nurse, triage
):
    opportunity = services.save_opportunity(
        focal_point, _need(hospital, nurse), skills=[SkillNeed(triage)]
    )
    services.submit(focal_point, opportunity)
    services.validate(officer, opportunity)
    services.publish(officer, opportunity)
    stored = Opportunity.objects.get(pk=opportunity.pk)
    assert stored.status == Status.PUBLISHED
    assert stored.validated_by == officer
    assert stored.validated_at is not None and stored.published_at is not None
    services.close(officer, opportunity)
    stored.refresh_from_db()
    assert stored.status == Status.CLOSED and stored.closed_at is not None
    assert [(t.name, t.from_status, t.to_status, t.actor) for t in stored.transitions.all()] == [
        ("submit", "draft", "submitted", focal_point),
        ("validate", "submitted", "validated", officer),
        ("publish", "validated", "published", officer),
        ("close", "published", "closed", officer),
    ]
    assert (
        AuditEvent.objects.filter(content_type__model="opportunity", object_id=str(stored.pk))
        .filter(changes__status__isnull=False, action="update")
        .count()
        == 4
    )


def test_a_step_not_allowed_from_the_current_state_changes_nothing(officer, nurse):
    opportunity = OpportunityFactory(occupation=nurse)  # a draft
    with pytest.raises(ValidationError) as error:
        services.publish(officer, opportunity)
    assert error.value.messages == [
        "The opportunity is “Draft”: “Publish” cannot be taken from there."
    ]
    assert Opportunity.objects.get(pk=opportunity.pk).status == Status.DRAFT
    assert opportunity.transitions.count() == 0
    with pytest.raises(ValidationError):
        services.transition(officer, opportunity, "teleport")


def test_submitting_needs_a_skill_and_returning_needs_a_reason(officer, nurse, triage):
    opportunity = OpportunityFactory(occupation=nurse)
    with pytest.raises(ValidationError) as error:
        services.submit(officer, opportunity)
    assert "skills" in error.value.message_dict
    OpportunitySkill.objects.create(opportunity=opportunity, skill=triage)
    services.submit(officer, opportunity)
    with pytest.raises(ValidationError) as error:
        services.return_for_changes(officer, opportunity, reason="  ")
    assert error.value.message_dict == {"reason": ["Say why: the host institution will read it."]}
    assert Opportunity.objects.get(pk=opportunity.pk).status == Status.SUBMITTED
    services.return_for_changes(officer, opportunity, reason="Add the per diem.")
    assert opportunity.transitions.last().reason == "Add the per diem."


def test_an_officer_outside_the_opportunitys_country_cannot_move_it(nurse):
    opportunity = OpportunityFactory(status=Status.SUBMITTED, occupation=nurse, country="SN")
    with pytest.raises(PermissionDenied):
        services.validate(
            user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "FR"), opportunity
        )
    services.validate(
        user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.PROGRAMME, opportunity.programme.code),
        opportunity,
    )


# Every step, from each of its source states, for every role (each granted everywhere).
STEP_CASES = [
    (step.name, source, role)
    for step in __import__("liaison.opportunities.workflows", fromlist=["STEPS"]).STEPS.values()
    for source in sorted(step.sources)
    for role in Role.values
]


@pytest.mark.parametrize(("step", "source", "role"), STEP_CASES)
def test_every_step_for_every_role(db, nurse, triage, step, source, role):
    from liaison.accounts.permissions import RULES
    from liaison.opportunities.workflows import STEPS

    definition = STEPS[step]
    opportunity = OpportunityFactory(status=source, occupation=nurse)
    OpportunitySkill.objects.create(opportunity=opportunity, skill=triage)
    actor = user_with_role(role)
    if role in RULES[definition.action]:
        services.transition(actor, opportunity, step, reason="Because.")
        assert Opportunity.objects.get(pk=opportunity.pk).status == definition.target
        assert opportunity.transitions.get().actor == actor
    else:
        with pytest.raises(PermissionDenied):
            services.transition(actor, opportunity, step, reason="Because.")
        assert Opportunity.objects.get(pk=opportunity.pk).status == source
        assert not opportunity.transitions.exists()


# --- applications and invitations --------------------------------------------------------------


def test_a_consenting_member_applies_once(applicant):
    opportunity = OpportunityFactory(published=True)
    application = services.apply(applicant.user, opportunity, applicant, message="I trained 40.")
    assert application.origin == Application.Origin.APPLIED
    assert application.accepted_at is not None
    with pytest.raises(ValidationError) as error:
        services.apply(applicant.user, opportunity, applicant)
    assert error.value.messages == ["You have already applied to this opportunity."]
    assert Application.objects.count() == 1


def test_a_member_without_consent_to_matching_cannot_apply(applicant):
    record_consent(applicant.user, applicant, "matching", False)  # withdrawn
    opportunity = OpportunityFactory(published=True)
    with pytest.raises(ValidationError) as error:
        services.apply(applicant.user, opportunity, applicant)
    assert "first agree to “Matching with opportunities”" in error.value.messages[0]
    assert Application.objects.count() == 0


@pytest.mark.parametrize("status", ["draft", "submitted", "validated", "closed", "cancelled"])
def test_members_apply_only_to_published_opportunities(applicant, status):
    opportunity = OpportunityFactory(status=status)
    with pytest.raises(ValidationError):
        services.apply(applicant.user, opportunity, applicant)
    assert Application.objects.count() == 0


def test_applications_close_on_their_date(applicant):
    opportunity = OpportunityFactory(published=True, apply_by=D(2020, 1, 1))
    with pytest.raises(ValidationError) as error:
        services.apply(applicant.user, opportunity, applicant)
    assert error.value.messages == ["Applications closed on 01/01/2020."]


def test_a_member_applies_only_for_themselves(applicant):
    other = user_with_role(Role.MEMBER)
    MemberFactory(user=other)
    with pytest.raises(PermissionDenied):
        services.apply(other, OpportunityFactory(published=True), applicant)
    assert Application.objects.count() == 0


def test_an_officer_invites_and_the_member_accepts_by_applying(officer, applicant):
    opportunity = OpportunityFactory(published=True)
    invitation = services.invite(officer, opportunity, applicant, message="Your profile fits.")
    assert invitation.origin == Application.Origin.INVITED
    assert invitation.accepted_at is None
    assert invitation.created_by == officer
    with pytest.raises(ValidationError) as error:
        services.invite(officer, opportunity, applicant)
    assert error.value.messages == [f"{applicant.display_name} has already been invited."]
    accepted = services.apply(applicant.user, opportunity, applicant)
    assert accepted.pk == invitation.pk and accepted.accepted_at is not None
    assert Application.objects.get().origin == Application.Origin.INVITED


def test_invitations_need_consent_scope_and_an_open_opportunity(officer, applicant):
    unconsenting = MemberFactory(country_of_residence="FR")
    opportunity = OpportunityFactory(published=True)
    with pytest.raises(ValidationError) as error:
        services.invite(officer, opportunity, unconsenting)
    assert error.value.messages == [
        f"{unconsenting.display_name} has not agreed to be matched with opportunities."
    ]
    abroad = MemberFactory(country_of_residence="DE")
    record_consent(None, abroad, "matching", True)
    with pytest.raises(PermissionDenied):
        services.invite(officer, opportunity, abroad)
    with pytest.raises(ValidationError):
        services.invite(officer, OpportunityFactory(), applicant)  # a draft
    with pytest.raises(PermissionDenied):
        services.invite(officer, OpportunityFactory(published=True, country="SN"), applicant)
    assert Application.objects.count() == 0


# --- scopes ------------------------------------------------------------------------------------


def test_focal_points_see_their_institutions_opportunities_only(focal_point, hospital):
    mine = OpportunityFactory(host=hospital)
    OpportunityFactory()
    qs = visible(focal_point, "opportunities.view", Opportunity.objects.all())
    assert list(qs) == [mine]


def test_an_institution_named_by_a_slug_selects_nothing_rather_than_failing(db):
    OpportunityFactory()
    slug = user_with_role(Role.HOST_FOCAL_POINT, ScopeKind.INSTITUTION, "demo-hospital")
    assert list(visible(slug, "opportunities.view", Opportunity.objects.all())) == []


def test_programme_officers_see_their_programmes(db):
    programme = ProgrammeFactory(code="mida-health")
    mine = OpportunityFactory(programme=programme, country="SN")
    OpportunityFactory(country="SN")
    officer = user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.PROGRAMME, "mida-health")
    assert list(visible(officer, "opportunities.view", Opportunity.objects.all())) == [mine]
    assert Programme.objects.get(code="mida-health").opportunities.get() == mine
