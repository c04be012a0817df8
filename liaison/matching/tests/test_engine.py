"""The ranking engine: hard filters, candidates, the women-share option, live profiles, and
agreement between the SQL bound and the exact scores."""

from __future__ import annotations

import datetime

import pytest

from liaison.matching import engine, facts
from liaison.matching.engine import Plan, rank_members, rank_opportunities
from liaison.matching.scoring import failures, relevant, total
from liaison.opportunities.models import Opportunity
from liaison.registry.models import Availability, Member, MemberLanguage, MemberSkill
from liaison.registry.services import record_consent
from tests.factories import LabourAgreementFactory, ProgrammeFactory, QuotaFactory

D = datetime.date
AMINA = {
    "occupation": "nurse",
    "education": "7",
    "skills": [("triage", 5), ("wound", 3), ("teaching", 2)],
    "languages": {"fr": "native", "en": "C1"},
}


def names(opportunity: Opportunity, **options) -> list[str]:
    ranking = rank_members(facts.load_need(opportunity), **options)
    return [c.name.removesuffix(" Test") for c in ranking.candidates]


# --- hard filters ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_members_who_consent_to_matching_are_ranked(need, person):
    person("Amina", **AMINA)
    person("Never", **AMINA, consent=None)
    person("Refused", **AMINA, consent=False)
    withdrawn = person("Withdrawn", **AMINA)
    record_consent(None, withdrawn, "matching", False)
    renewed = person("Renewed", **AMINA, consent=False)
    record_consent(None, renewed, "matching", True)
    assert names(need) == ["Amina", "Renewed"]


@pytest.mark.django_db
def test_availability_must_be_in_an_accepted_way_and_cover_the_dates(need, person):
    person("Covers", **AMINA, windows=[("temporary", D(2026, 3, 1), D(2026, 5, 31))])
    person("Open", **AMINA, windows=[("temporary", None, None)])
    person("Virtual", **AMINA, windows=[("virtual", None, None)])
    person("Late", **AMINA, windows=[("temporary", D(2026, 3, 2), None)])
    person("Early", **AMINA, windows=[("temporary", None, D(2026, 5, 30))])
    person("Nothing", **AMINA, windows=[])
    person(
        "Second",
        **AMINA,
        windows=[("virtual", None, None), ("temporary", D(2026, 2, 1), D(2026, 6, 1))],
    )
    assert sorted(names(need)) == ["Covers", "Open", "Second"]


@pytest.mark.django_db
def test_days_of_work_fit_when_the_availability_holds_them_within_the_dates(make_need, person):
    opportunity = make_need(duration_days=30)
    person("May", **AMINA, windows=[("temporary", D(2026, 5, 1), D(2026, 7, 31))])  # 31 days
    person("Short", **AMINA, windows=[("temporary", D(2026, 5, 10), D(2026, 9, 1))])  # 22
    person("Before", **AMINA, windows=[("temporary", D(2026, 1, 1), D(2026, 3, 30))])  # 30
    assert sorted(names(opportunity)) == ["Before", "May"]


@pytest.mark.django_db
def test_an_open_ended_opportunity_needs_an_open_ended_availability(make_need, person):
    opportunity = make_need(modality="permanent", ends=None)
    person("Stays", **AMINA, windows=[("permanent", D(2026, 1, 1), None)])
    person("Leaves", **AMINA, windows=[("permanent", D(2026, 1, 1), D(2030, 1, 1))])
    person("Temporary", **AMINA, windows=[("temporary", None, None)])
    assert names(opportunity) == ["Stays"]


@pytest.mark.django_db
def test_a_job_abroad_accepts_either_way_on_site(esco, person):
    agreement = LabourAgreementFactory(origin_country="PH", destination_country="DE")
    quota = QuotaFactory(agreement=agreement)
    from tests.factories import OpportunityFactory

    opportunity = OpportunityFactory(
        job_order=True,
        quota=quota,
        programme=agreement.programme,
        occupation=esco["nurse"],
        status="published",
    )
    person("Temporary", **{**AMINA, "languages": {}}, windows=[("temporary", None, None)])
    person("Permanent", **{**AMINA, "languages": {}}, windows=[("permanent", None, None)])
    person("Virtual", **{**AMINA, "languages": {}}, windows=[("virtual", None, None)])
    assert sorted(names(opportunity)) == ["Permanent", "Temporary"]


@pytest.mark.django_db
def test_mandatory_languages_need_their_minimum_level(need, person):
    person("Native", **AMINA)
    person("B2", **{**AMINA, "languages": {"fr": "B2"}})
    person("B1", **{**AMINA, "languages": {"fr": "B1", "en": "C2"}})
    person("None", **{**AMINA, "languages": {"en": "C2"}})
    assert names(need) == ["Native", "B2"]


@pytest.mark.django_db
def test_a_programme_asking_for_years_abroad_counts_them_from_the_work_history(
    make_need, person, settings
):
    settings.LIAISON_ORIGIN_COUNTRY = "PH"
    year = datetime.date.today().year
    opportunity = make_need(programme=ProgrammeFactory(min_years_abroad=3))
    person("Long", **AMINA, jobs=[(None, "FR", year - 4, None)])
    person("Recent", **AMINA, jobs=[(None, "FR", year - 2, None)])
    person("Home", **AMINA, jobs=[(None, "PH", year - 10, None)])
    person("Unknown", **AMINA)
    assert names(opportunity) == ["Long"]


@pytest.mark.django_db
def test_a_labour_agreement_admits_nationals_of_its_country_of_origin(esco, person):
    from tests.factories import OpportunityFactory

    quota = QuotaFactory(agreement=LabourAgreementFactory(origin_country="EC"))
    opportunity = OpportunityFactory(
        job_order=True,
        quota=quota,
        programme=quota.agreement.programme,
        occupation=esco["nurse"],
        status="published",
    )
    person("Ecuadorian", **AMINA, nationalities=["EC", "ES"])
    person("Filipina", **AMINA, nationalities=["PH"])
    person("Stateless", **AMINA, nationalities=[])
    assert names(opportunity) == ["Ecuadorian"]


@pytest.mark.django_db
def test_candidates_hold_a_required_skill_or_the_occupation_now_or_before(need, person):
    person("Lecturer", occupation="lecturer", education="8", skills=[("budget", 20)])
    person("Midwife", occupation="midwife", education="8")  # the same minor group only
    person("Sibling", skills=[("vital", 1)])  # next to triage: points, not candidacy
    person("Broader", skills=[("assessment", 1)])  # broader than triage: the same
    person("Desired", skills=[("teaching", 9)])  # a desired skill: the same
    person("Narrower", skills=[("emergency", 1)])  # narrower than triage: a candidate
    person("Required", skills=[("wound", 1)])
    person("Specialist", occupation="specialist")  # next to nurse in ESCO
    person("Past", jobs=[("specialist", "FR", 2000, 2010)])  # worked next to the occupation
    assert sorted(names(need)) == ["Narrower", "Past", "Required", "Specialist"]


@pytest.mark.django_db
def test_desired_skills_make_candidates_when_none_is_required(make_need, person):
    opportunity = make_need(skills=[("teaching", False)], occupation=None)
    person("Teacher", skills=[("teaching", 3)])
    person("Nurse", occupation="nurse", skills=[("triage", 3)])
    assert names(opportunity) == ["Teacher"]


@pytest.mark.django_db
def test_an_opportunity_naming_a_minor_group_finds_members_within_it(make_need, esco, person):
    opportunity = make_need(occupation=None, isco_group=esco["groups"]["222"], skills=[])
    person("Midwife", occupation="midwife")
    person("Nurse", occupation="nurse")
    person("Physio", occupation="physio")
    assert sorted(names(opportunity)) == ["Midwife", "Nurse"]


# --- the engine agrees with the rules --------------------------------------------------------


@pytest.mark.django_db
def test_the_statement_keeps_exactly_the_qualified_candidates_with_their_exact_scores(
    make_need, four, person
):
    opportunity = make_need(duration_days=20, programme=ProgrammeFactory(min_years_abroad=1))
    year = datetime.date.today().year
    abroad = [(None, "CA", year - 3, None)]
    person("Lecturer", occupation="lecturer", skills=[("budget", 20)], jobs=abroad)
    person("Past", city="Marseille", jobs=[("specialist", "FR", 2000, 2010)], skills=[("wound", 2)])
    person("Nowhere", occupation="nurse", jobs=abroad, windows=[("virtual", None, None)])
    person("Quiet", occupation="nurse", jobs=abroad, languages={"fr": "B1"})
    person("Shy", occupation="nurse", jobs=abroad, consent=False)
    person("Fits", occupation="nurse", jobs=abroad, skills=[("wound", 2)], city="Lille")
    person("Tight", occupation="nurse", jobs=abroad, windows=[("temporary", D(2026, 5, 12), None)])
    person("Short", occupation="nurse", jobs=abroad, windows=[("temporary", D(2026, 5, 13), None)])
    n = facts.load_need(opportunity)
    rows, considered = Plan.build(n).fetch(after=None, women_only=False, limit=100)
    profiles = facts.load_profiles(list(Member.objects.values_list("pk", flat=True)))
    relevant_ones = {pk for pk, p in profiles.items() if relevant(n, p)}
    qualified = {pk for pk in relevant_ones if not failures(n, profiles[pk])}
    # Amina, Bruno and Dmitri have no job abroad; Chloé and Past have.
    assert {profiles[r.member_id].name.removesuffix(" Test") for r in rows} == {
        "Chloé",
        "Past",
        "Fits",
        "Tight",
    }
    assert {r.member_id for r in rows} == qualified
    assert considered == len(relevant_ones) == 11
    for row in rows:
        assert abs(row.score - total(n, profiles[row.member_id]) * 1000) <= 20
        assert 0 <= row.bound - row.score <= 2000  # only the city is counted at its best
    assert [r.bound for r in rows] == sorted((r.bound for r in rows), reverse=True)


@pytest.mark.django_db
def test_small_windows_and_batches_give_the_same_ranking(need, person, monkeypatch):
    for i in range(12):
        years = i % 6
        person(
            f"P{i:02}",
            "female" if i % 3 else "male",
            occupation="nurse" if i % 2 else "midwife",
            education=str(4 + i % 4),
            skills=[("triage", years), ("wound", None)][: 1 + i % 2],
            languages={"fr": "native", "en": ["A2", "B1", "C1"][i % 3]},
            windows=[("temporary", None, None)] if i % 4 else [("virtual", None, None)],
        )
    expected = names(need, limit=5, women_share=80)
    monkeypatch.setattr(engine, "EXTRA", -8)  # read one candidate at a time
    assert names(need, limit=5, women_share=80) == expected
    assert len(expected) == 5


# --- the share of women -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_share_of_women_brings_in_the_best_qualified_women(need, four):
    # Plain top two: Amina (100) and Bruno (79.5). Two women asked: Chloé (57) replaces Bruno.
    assert names(need, limit=2) == ["Amina", "Bruno"]
    ranking = rank_members(facts.load_need(need), limit=2, women_share=100)
    assert [(c.name, c.promoted) for c in ranking.candidates] == [
        ("Amina Test", False),
        ("Chloé Test", True),
    ]
    assert (ranking.women_needed, ranking.women_listed, ranking.women_short) == (2, 2, False)


@pytest.mark.django_db
def test_the_share_changes_nothing_when_the_plain_ranking_already_reaches_it(need, four):
    ranking = rank_members(facts.load_need(need), limit=3, women_share=50)
    assert [c.name for c in ranking.candidates] == ["Amina Test", "Bruno Test", "Chloé Test"]
    assert not any(c.promoted for c in ranking.candidates)


@pytest.mark.django_db
def test_the_share_does_not_apply_when_no_qualified_woman_exists(need, person):
    person("Bruno", "male", **AMINA)
    person("Dmitri", "male", occupation="physio", skills=[("wound", None)])
    person("Zoé", "female", **AMINA, consent=None)  # not agreeing to matching: not qualified
    person("Yara", "female", occupation="lecturer", skills=[("budget", 3)])  # nothing relevant
    ranking = rank_members(facts.load_need(need), limit=2, women_share=50)
    assert [c.name for c in ranking.candidates] == ["Bruno Test", "Dmitri Test"]
    assert (ranking.women_needed, ranking.women_listed, ranking.women_short) == (1, 0, True)


@pytest.mark.django_db
def test_the_share_lists_every_qualified_woman_when_there_are_too_few(need, four, person):
    person("Ivan", "male", **AMINA)
    ranking = rank_members(facts.load_need(need), limit=4, women_share=100)
    assert [(c.name, c.promoted) for c in ranking.candidates] == [
        ("Amina Test", False),
        ("Ivan Test", False),
        ("Bruno Test", False),
        ("Chloé Test", False),
    ]
    assert (ranking.women_needed, ranking.women_listed, ranking.women_short) == (4, 2, True)


# --- live profiles ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_changed_profile_ranks_as_it_is_now(need, four, esco):
    assert names(need) == ["Amina", "Bruno", "Chloé", "Dmitri"]
    MemberSkill.objects.create(member=four["dmitri"], skill=esco["triage"], years=9)
    # Dmitri: skills 32, occupation 4, experience 15, education 10, languages 10, place 5.
    ranking = rank_members(facts.load_need(need))
    assert [(c.name, round(c.score, 1)) for c in ranking.candidates][2] == ("Dmitri Test", 76.0)
    MemberLanguage.objects.filter(member=four["bruno"], language="fr").update(level="B1")
    Availability.objects.filter(member=four["chloe"]).delete()
    record_consent(None, four["amina"], "matching", False)
    assert names(need) == ["Dmitri"]


# --- opportunities for a member ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_member_sees_the_open_opportunities_they_qualify_for_best_first(make_need, person, esco):
    best = make_need(title="Nurse trainer")
    virtual = make_need(title="Online triage course", modality="virtual")
    teaching = make_need(
        title="Teaching assistant", occupation=esco["lecturer"], skills=[("teaching", True)]
    )
    make_need(title="Closed", status="closed")
    make_need(title="Too late", apply_by=datetime.date.today() - datetime.timedelta(days=1))
    make_need(title="Budget officer", occupation=esco["lecturer"], skills=[("budget", True)])
    amina = person("Amina", **AMINA)
    profile = facts.load_profiles([amina.pk])[amina.pk]
    found = rank_opportunities(profile)
    assert [s.opportunity.title for s in found] == ["Nurse trainer", "Teaching assistant"]
    assert found[0].score == pytest.approx(100)
    assert found[0].opportunity == best
    assert virtual.pk not in [s.opportunity.pk for s in found]  # not available online
    assert teaching.pk == found[1].opportunity.pk


@pytest.mark.django_db
def test_a_member_who_has_not_agreed_sees_suggestions_only_for_themselves(need, person):
    member = person("Amina", **AMINA, consent=None)
    profile = facts.load_profiles([member.pk])[member.pk]
    assert rank_opportunities(profile) == []
    assert [s.opportunity.pk for s in rank_opportunities(profile, require_consent=False)] == [
        need.pk
    ]


@pytest.mark.django_db
def test_a_member_sees_an_opportunity_naming_only_their_occupation_group(make_need, esco, person):
    group_only = make_need(
        title="Midwifery mentor", occupation=None, isco_group=esco["groups"]["222"], skills=[]
    )
    make_need(title="Physio", occupation=esco["physio"], skills=[("budget", True)])
    midwife = person("Mona", occupation="midwife")
    profile = facts.load_profiles([midwife.pk])[midwife.pk]
    assert [s.opportunity.pk for s in rank_opportunities(profile)] == [group_only.pk]
