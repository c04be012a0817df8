"""The matching API: rankings with every part of every score explained, scope, options."""

from __future__ import annotations

import pytest
from django.urls import reverse

from liaison.accounts.roles import Role, ScopeKind
from liaison.registry.models import MemberSkill, Organisation
from liaison.registry.services import record_consent
from tests.factories import OrganisationFactory, ProgrammeFactory, user_with_role


def candidates_url(opportunity) -> str:
    return reverse("api:matching-candidates", args=[opportunity.pk])


@pytest.fixture
def officer(db):
    return user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "FR")


@pytest.fixture
def api(client):
    def get(user, url, **extra):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client.get(url, HTTP_ACCEPT="application/json", **extra)

    return get


@pytest.mark.django_db
def test_the_ranking_lists_each_candidate_with_every_part_explained(api, officer, need, four):
    response = api(officer, candidates_url(need))
    assert response.status_code == 200
    data = response.json()
    assert data["opportunity"] == {"id": need.pk, "title": need.title}
    assert (data["limit"], data["considered"], data["women_share"]) == (50, 4, None)
    assert [(c["rank"], c["name"], c["score"]) for c in data["candidates"]] == [
        (1, "Amina Test", 100.0),
        (2, "Bruno Test", 79.5),
        (3, "Chloé Test", 57.0),
        (4, "Dmitri Test", 53.0),
    ]
    bruno = data["candidates"][1]
    assert bruno["member"] == four["bruno"].pk
    assert bruno["application"] == "" and bruno["promoted"] is False
    assert [(p["key"], p["points"], p["max"]) for p in bruno["parts"]] == [
        ("skills", 28.0, 40),
        ("occupation", 16.0, 20),
        ("experience", 15.0, 15),
        ("education", 10.0, 10),
        ("languages", 7.5, 10),
        ("place", 3.0, 5),
    ]
    assert bruno["parts"][1]["label"] == "Occupation"
    assert bruno["parts"][1]["why"] == "Works as specialist nurse, next to nurse in ESCO."


@pytest.mark.django_db
def test_the_options_choose_the_length_and_the_share_of_women(api, officer, need, four):
    data = api(officer, candidates_url(need) + "?limit=2&women_share=100").json()
    assert [(c["name"], c["promoted"]) for c in data["candidates"]] == [
        ("Amina Test", False),
        ("Chloé Test", True),
    ]
    assert (data["women_needed"], data["women_listed"], data["women_short"]) == (2, 2, False)


@pytest.mark.django_db
def test_the_programmes_share_of_women_applies_unless_another_is_asked(
    api, officer, make_need, four
):
    opportunity = make_need(programme=ProgrammeFactory(min_share_women=100))
    data = api(officer, candidates_url(opportunity) + "?limit=2").json()
    assert [c["name"] for c in data["candidates"]] == ["Amina Test", "Chloé Test"]
    data = api(officer, candidates_url(opportunity) + "?limit=2&women_share=0").json()
    assert [c["name"] for c in data["candidates"]] == ["Amina Test", "Bruno Test"]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["limit=0", "limit=101", "women_share=101", "limit=x"])
def test_bad_options_are_refused_with_the_reason(api, officer, need, query):
    response = api(officer, candidates_url(need) + "?" + query)
    assert response.status_code == 400
    assert set(response.json()) <= {"limit", "women_share"}


@pytest.mark.django_db
def test_explanations_come_in_the_callers_language(api, officer, need, four):
    data = api(officer, candidates_url(need), HTTP_ACCEPT_LANGUAGE="fr").json()
    languages = data["candidates"][1]["parts"][4]
    assert "français" in languages["why"] and "anglais" in languages["why"]


@pytest.mark.django_db
def test_a_changed_profile_is_ranked_as_it_is_now(api, officer, need, four, esco):
    before = [c["name"] for c in api(officer, candidates_url(need)).json()["candidates"]]
    MemberSkill.objects.create(member=four["dmitri"], skill=esco["triage"], years=9)
    record_consent(None, four["bruno"], "matching", False)
    after = [c["name"] for c in api(officer, candidates_url(need)).json()["candidates"]]
    assert before == ["Amina Test", "Bruno Test", "Chloé Test", "Dmitri Test"]
    assert after == ["Amina Test", "Dmitri Test", "Chloé Test"]


@pytest.mark.django_db
def test_scope_a_focal_point_sees_their_institution_only_and_analysts_nothing(
    api, hospital, need, make_need, four
):
    focal_point = user_with_role(Role.HOST_FOCAL_POINT, ScopeKind.INSTITUTION, str(hospital.pk))
    elsewhere = make_need(host=OrganisationFactory(kind=Organisation.Kind.HOST))
    assert api(focal_point, candidates_url(need)).status_code == 200
    assert api(focal_point, candidates_url(elsewhere)).status_code == 404
    assert api(user_with_role(Role.ANALYST), candidates_url(need)).status_code == 403
    assert api(user_with_role(Role.CONSULAR_OFFICER), candidates_url(need)).status_code == 403
    assert api(None, candidates_url(need)).status_code in (401, 403)
    german = user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "DE")
    assert api(german, candidates_url(need)).status_code == 404


@pytest.mark.django_db
def test_opportunities_for_a_member_in_the_officers_scope(api, officer, hospital, need, four):
    url = reverse("api:matching-member-opportunities", args=[four["amina"].pk])
    data = api(officer, url).json()
    assert [(s["rank"], s["opportunity"]["id"], s["score"]) for s in data] == [(1, need.pk, 100.0)]
    assert data[0]["opportunity"]["country"] == "FR"
    assert data[0]["parts"][0]["key"] == "skills"
    outside = reverse("api:matching-member-opportunities", args=[four["chloe"].pk])
    assert api(officer, outside).status_code == 404
    focal_point = user_with_role(Role.HOST_FOCAL_POINT, ScopeKind.INSTITUTION, str(hospital.pk))
    assert api(focal_point, url).status_code == 403


@pytest.mark.django_db
def test_a_members_own_suggestions(api, need, person):
    user = user_with_role(Role.MEMBER)
    url = reverse("api:matching-my-opportunities")
    assert api(user, url).status_code == 404  # no profile yet
    member = person("Amina", occupation="nurse", skills=[("triage", 5)], consent=None)
    member.user = user
    member.save()
    data = api(user, url).json()
    assert [s["opportunity"]["id"] for s in data] == [need.pk]
    assert api(user_with_role(Role.PROGRAMME_OFFICER), url).status_code == 403
