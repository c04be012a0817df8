"""Scores worked out by hand, part by part, for the need in conftest.py.

The need: a nurse (ISCO 2221) in Lyon, on site from 1 March to 31 May 2026; required skills
triage and wound care, desired teaching (weights 2, 2, 1: 16, 16 and 8 points); a bachelor's
(ISCED 6); 4 years of experience; French B2 required, English B1 desired.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from liaison.matching import facts
from liaison.matching.engine import rank_members
from liaison.matching.scoring import WEIGHTS, match, women_needed


def _parts(need, member):
    result = match(facts.load_need(need), facts.load_profiles([member.pk])[member.pk])
    return result, {p.key: p for p in result.parts}


def test_the_weights_add_up_to_one_hundred():
    assert sum(WEIGHTS.values()) == 100


@pytest.mark.django_db
def test_a_perfect_fit_scores_one_hundred_with_every_part_explained(need, four):
    result, parts = _parts(need, four["amina"])
    assert result.score == pytest.approx(100)
    assert {k: p.points for k, p in parts.items()} == {
        "skills": 40,
        "occupation": 20,
        "experience": 15,
        "education": 10,
        "languages": 10,
        "place": 5,
    }
    assert parts["skills"].why == (
        "2 of 2 required skills: triage, wound care. 1 of 1 desired skills: teaching."
    )
    assert parts["occupation"].why == "Works as nurse, the occupation asked."
    assert parts["experience"].why == "5 years practising a skill asked; 4 years asked."
    assert parts["education"].why == (
        "Master's or equivalent level; Bachelor's or equivalent level or above asked."
    )
    assert parts["place"].why == "Lives in Lyon, where the work is."
    assert [p.max for p in result.parts] == [40, 20, 15, 10, 10, 5]


@pytest.mark.django_db
def test_a_narrower_skill_and_a_narrower_occupation_count_for_less(need, four):
    result, parts = _parts(need, four["bruno"])
    # triage through emergency triage (narrower): 16 x 3/4 = 12; wound care 16; no teaching.
    assert parts["skills"].points == pytest.approx(28)
    assert "emergency triage (narrower than triage, counts ¾)" in parts["skills"].why
    assert "missing: teaching" in parts["skills"].why
    # specialist nurse is one step narrower than nurse in ESCO: 20 x 0.8.
    assert parts["occupation"].points == pytest.approx(16)
    assert parts["occupation"].why == "Works as specialist nurse, next to nurse in ESCO."
    # 6 years of emergency triage count as experience (4 asked).
    assert parts["experience"].points == pytest.approx(15)
    assert parts["education"].points == pytest.approx(10)
    # French met, English A2 one level short of the desired B1: (1 + 0.5) / 2 of 10.
    assert parts["languages"].points == pytest.approx(7.5)
    assert "English A2 (B1 desired)" in parts["languages"].why
    # Paris is in France but not Lyon: 60% of 5.
    assert parts["place"].points == pytest.approx(3)
    assert parts["place"].why == "Lives in France, where the work is."
    assert result.score == pytest.approx(79.5)


@pytest.mark.django_db
def test_a_sibling_skill_and_a_past_occupation_count_from_the_work_history(need, four):
    result, parts = _parts(need, four["chloe"])
    # vital signs is triage's sibling under patient assessment: 16 x 1/4 = 4; teaching 8.
    assert parts["skills"].points == pytest.approx(12)
    assert "vital signs (next to triage in ESCO, counts ¼)" in parts["skills"].why
    # A midwife (same minor group 222, 45%) who worked as a nurse (the occupation asked).
    assert parts["occupation"].points == pytest.approx(20)
    assert parts["occupation"].why == "Worked as nurse, the occupation asked."
    # 6 years as a nurse, 8 years of teaching: the more counts, capped at the 4 asked.
    assert parts["experience"].points == pytest.approx(15)
    # Short-cycle tertiary (5) is one level short of a bachelor's (6): half.
    assert parts["education"].points == pytest.approx(5)
    # French met, no English: half of 10.
    assert parts["languages"].points == pytest.approx(5)
    assert "English not spoken (B1 desired)" in parts["languages"].why
    assert parts["place"].points == 0
    assert parts["place"].why == "Lives in Canada; the work is in France."
    assert result.score == pytest.approx(57)


@pytest.mark.django_db
def test_a_broader_skill_counts_half_and_gives_no_years_of_practice(need, four):
    result, parts = _parts(need, four["dmitri"])
    # triage through patient assessment (broader): 16 x 1/2 = 8; wound care 16.
    assert parts["skills"].points == pytest.approx(24)
    assert parts["skills"].why == (
        "1 of 2 required skills: wound care; patient assessment (broader than triage, "
        "counts ½). 0 of 1 desired skills: missing: teaching."
    )
    # A physiotherapist (2264) shares only the sub-major group 22: 20%.
    assert parts["occupation"].points == pytest.approx(4)
    assert parts["experience"].points == 0
    assert parts["experience"].why == "No relevant experience recorded; 4 years asked."
    assert result.score == pytest.approx(53)


@pytest.mark.django_db
def test_the_ranking_orders_by_those_scores(need, four):
    ranking = rank_members(facts.load_need(need))
    assert [(c.name, round(c.score, 1)) for c in ranking.candidates] == [
        ("Amina Test", 100.0),
        ("Bruno Test", 79.5),
        ("Chloé Test", 57.0),
        ("Dmitri Test", 53.0),
    ]
    assert [c.rank for c in ranking.candidates] == [1, 2, 3, 4]


@pytest.mark.django_db
def test_years_of_experience_count_in_proportion_up_to_the_years_asked(make_need, person):
    opportunity = make_need(years_experience=8)
    member = person("Emma", occupation="nurse", skills=[("triage", 2)])
    _result, parts = _parts(opportunity, member)
    assert parts["experience"].points == pytest.approx(15 * 2 / 8)


@pytest.mark.django_db
def test_without_minimum_education_or_languages_those_parts_are_full(make_need, person):
    opportunity = make_need(education_level="", languages=[])
    member = person("Emma", occupation="nurse", skills=[("triage", 2)], languages={})
    _result, parts = _parts(opportunity, member)
    assert parts["education"].points == 10
    assert parts["education"].why == "No minimum asked."
    assert parts["languages"].points == 10
    assert parts["languages"].why == "No language asked."


@pytest.mark.django_db
def test_remote_work_gives_every_place_full_points(make_need, person):
    opportunity = make_need(modality="virtual")
    member = person(
        "Emma",
        country="CA",
        city="Toronto",
        skills=[("triage", 1)],
        windows=[("virtual", None, None)],
    )
    _result, parts = _parts(opportunity, member)
    assert parts["place"].points == 5
    assert parts["place"].why == "Remote work: the place does not matter."


@pytest.mark.django_db
def test_explanations_are_written_in_the_readers_language(need, four):
    with translation.override("fr"):
        _result, parts = _parts(need, four["bruno"])
    assert "français" in parts["languages"].why
    assert "anglais" in parts["languages"].why
    assert "France" in parts["place"].why


@pytest.mark.parametrize(
    ("share", "size", "needed"), [(None, 10, 0), (0, 10, 0), (25, 10, 3), (30, 10, 3), (50, 3, 2)]
)
def test_women_needed_rounds_up(share, size, needed):
    assert women_needed(share, size) == needed
