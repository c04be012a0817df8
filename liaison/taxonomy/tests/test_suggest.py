from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from liaison.taxonomy.suggest import suggest

ESCO = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "esco"


@pytest.fixture(scope="module")
def esco(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("import_esco", str(ESCO))
    yield
    with django_db_blocker.unblock():
        from liaison.taxonomy.isco import ISCO_GROUPS
        from liaison.taxonomy.models import (
            IscoGroup,
            Occupation,
            Skill,
            SkillGroup,
            TaxonomyImport,
        )

        Occupation.objects.all().delete()
        IscoGroup.objects.exclude(code__in=list(ISCO_GROUPS)).delete()
        Skill.objects.all().delete()
        SkillGroup.objects.all().delete()
        TaxonomyImport.objects.all().delete()


def _labels(text, kind="occupation", n=3):
    return [s.label for s in suggest(text, kind, n)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("plumbr", "plumber"),  # a typo
        ("civil enginer", "civil engineer"),
        ("data analist", "data analyst"),
        ("software engineer", "software developer"),  # an ESCO alternative label
        ("engineer software", "software developer"),  # another word order
        ("teacher maths", "mathematics teacher at secondary school"),
    ],
)
def test_free_text_finds_the_occupation_meant(esco, typed, expected):
    assert expected in _labels(typed)


@pytest.mark.django_db
def test_a_typo_in_one_word_still_ranks_that_word_first(esco):
    matched = [s.matched for s in suggest("nurce", "occupation", 3)]
    assert all("nurse" in label.split() for label in matched), matched


@pytest.mark.django_db
def test_skills_are_suggested_with_typos(esco):
    assert "perform project management" in _labels("project managment", "skill", 5)


@pytest.mark.django_db
def test_isco_groups_work_without_esco_data():
    labels = _labels("health profesionals", "isco", 3)
    assert labels[0] == "Health professionals"


@pytest.mark.django_db
def test_the_api_serves_suggestions_and_rejects_an_unknown_kind(client, esco):
    response = client.get("/api/v1/taxonomy/suggestions/", {"q": "plumbr", "kind": "occupation"})
    assert response.status_code == 200
    assert response.json()["results"][0]["label"] == "plumber"
    bad = client.get("/api/v1/taxonomy/suggestions/", {"q": "x", "kind": "planet"})
    assert bad.status_code == 400
    assert "kind" in bad.json()
