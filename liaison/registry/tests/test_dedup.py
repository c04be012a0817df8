from __future__ import annotations

import datetime

import pytest

from liaison.accounts.roles import Role, ScopeKind
from liaison.registry import dedup
from liaison.registry.models import (
    DuplicateCandidate,
    Member,
    MemberLanguage,
    MemberSkill,
    Merge,
)
from liaison.taxonomy.models import Skill
from tests.factories import MemberFactory, user_with_role

BORN = datetime.date(1987, 3, 14)


def p(given, family, birth=BORN, **kw):
    return dedup.Person(
        kw.pop("pk", 0),
        dedup._norm(given),
        dedup._norm(family),
        kw.get("sex", "female"),
        birth,
        kw.get("email", ""),
        kw.get("phone", ""),
        kw.get("city", ""),
        kw.get("country", "FR"),
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (p("Amina", "Diallo"), p("Amina", "Dialo")),  # a typo
        (p("Amina", "Diallo"), p("Diallo", "Amina")),  # names swapped
        (p("Mohammed", "Benali"), p("Muhammad", "Benaly")),  # transliteration variants
        (p("Amina", "Diallo"), p("Amina", "Diallo", birth=None)),  # a missing field
        (
            p("Amina", "Diallo", birth=datetime.date(1987, 3, 4)),
            p("Amina", "Diallo", birth=datetime.date(1987, 4, 3)),
        ),
        (
            p("A", "Diallo", email="a@x.org", birth=None),
            p("Aminata", "Diallo", email="a@x.org", birth=None),
        ),
    ],
)
def test_the_same_person_written_differently_scores_as_a_duplicate(a, b):
    likelihood, _evidence = dedup.score(a, b)
    assert likelihood >= dedup.THRESHOLD


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (p("Amina", "Diallo"), p("Amina", "Diallo", birth=datetime.date(1960, 11, 2))),
        (p("Amina", "Diallo"), p("Moussa", "Traore")),
        (p("Amina", "Diallo", sex="female"), p("Amadou", "Diallo", sex="male")),
    ],
)
def test_different_people_do_not(a, b):
    likelihood, _evidence = dedup.score(a, b)
    assert likelihood < dedup.THRESHOLD


def test_blocking_brings_transliteration_variants_together():
    assert dedup.skeleton("Mohammed") == dedup.skeleton("Muhammad") == "mhmd"
    assert dedup.block_keys(p("Mohammed", "Benali", birth=None)) & dedup.block_keys(
        p("Muhammad", "Benaly", birth=None)
    )


@pytest.mark.django_db
def test_registry_search_finds_pairs_once_and_keeps_decisions():
    a = MemberFactory(given_name="Amina", family_name="Diallo", birth_date=BORN)
    b = MemberFactory(given_name="Amina", family_name="Dialo", birth_date=BORN)
    MemberFactory(given_name="Moussa", family_name="Traore", birth_date=BORN)
    assert dedup.find() == 1
    candidate = DuplicateCandidate.objects.get()
    assert (candidate.first_id, candidate.second_id) == (a.pk, b.pk)
    dedup.mark_distinct(None, candidate)
    assert dedup.find() == 0
    assert DuplicateCandidate.objects.get().status == "distinct"


@pytest.mark.django_db
def test_an_officer_merges_field_by_field_and_can_undo(client):
    officer = user_with_role(Role.CONSULAR_OFFICER, ScopeKind.COUNTRY, "FR")
    skill = Skill.objects.create(uri="http://data.europa.eu/esco/skill/s", label="triage")
    other_skill = Skill.objects.create(uri="http://data.europa.eu/esco/skill/o", label="surgery")
    a = MemberFactory(given_name="Amina", family_name="Diallo", birth_date=BORN, city="Lyon")
    b = MemberFactory(
        given_name="Amina",
        family_name="Dialo",
        birth_date=BORN,
        city="Paris",
        phone="+33612345678",
        id_document_number="P-778899",
        consular_jurisdiction="Lyon",
    )
    MemberSkill.objects.create(member=a, skill=skill)
    MemberSkill.objects.create(member=b, skill=skill)
    MemberSkill.objects.create(member=b, skill=other_skill)
    MemberLanguage.objects.create(member=b, language="wo", level="native")
    dedup.find()
    candidate = DuplicateCandidate.objects.get()
    client.force_login(officer)
    page = client.get(f"/registry/duplicates/{candidate.pk}/")
    assert set(page.context["form"].fields) == {"family_name", "city", "phone"}
    response = client.post(
        f"/registry/duplicates/{candidate.pk}/",
        {"decision": "merge", "family_name": "first", "city": "second", "phone": "second"},
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.family_name, a.city, a.phone) == ("Diallo", "Paris", "+33612345678")
    assert not Member.objects.filter(pk=b.pk).exists()
    assert sorted(a.skills.values_list("skill__label", flat=True)) == ["surgery", "triage"]
    assert list(a.languages.values_list("language", flat=True)) == ["wo"]
    trail = Merge.objects.get()
    assert "P-778899" not in str(trail.merged_data)  # the trail keeps it encrypted
    client.post(f"/registry/merges/{trail.pk}/undo/")
    restored = Member.objects.get(pk=b.pk)
    a.refresh_from_db()
    assert (a.city, a.phone) == ("Lyon", "")
    assert (restored.family_name, restored.city, restored.phone) == (
        "Dialo",
        "Paris",
        "+33612345678",
    )
    # Its copy of a skill the survivor also had comes back too, with everything else.
    assert sorted(restored.skills.values_list("skill__label", flat=True)) == ["surgery", "triage"]
    assert list(a.skills.values_list("skill__label", flat=True)) == ["triage"]
    assert (restored.id_document_number, restored.consular_jurisdiction) == ("P-778899", "Lyon")
    assert list(restored.languages.values_list("language", flat=True)) == ["wo"]
    assert DuplicateCandidate.objects.get().status == "open"
    second_undo = client.post(f"/registry/merges/{trail.pk}/undo/", follow=True)
    assert "already been undone" in second_undo.content.decode()


@pytest.mark.django_db
def test_pairs_outside_an_officers_scope_are_not_shown(client):
    MemberFactory(
        given_name="Amina", family_name="Diallo", birth_date=BORN, country_of_residence="DE"
    )
    MemberFactory(
        given_name="Amina", family_name="Diallo", birth_date=BORN, country_of_residence="DE"
    )
    dedup.find()
    candidate = DuplicateCandidate.objects.get()
    client.force_login(user_with_role(Role.CONSULAR_OFFICER, ScopeKind.COUNTRY, "FR"))
    assert client.get(f"/registry/duplicates/{candidate.pk}/").status_code == 404
    assert client.get("/registry/duplicates/").context["page"].paginator.count == 0
