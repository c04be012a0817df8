"""The ranking page (officers, the host institution's focal point), invitations from it, the
opportunities matched to a member, and a member's own suggestions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison.accounts.roles import Role, ScopeKind
from liaison.audit.models import AuditEvent
from liaison.opportunities.models import Application
from liaison.registry.models import MemberSkill, Organisation
from tests.factories import OrganisationFactory, ProgrammeFactory, user_with_role


def ranking_url(opportunity, **query):
    url = reverse("matching:opportunity-ranking", args=[opportunity.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def listed(response) -> list[str]:
    return [item.candidate.name.removesuffix(" Test") for item in response.context["result"].listed]


@pytest.fixture
def officer(db):
    return user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "FR")


@pytest.fixture
def focal_point(hospital):
    return user_with_role(Role.HOST_FOCAL_POINT, ScopeKind.INSTITUTION, str(hospital.pk))


@pytest.mark.django_db
def test_an_officer_sees_the_ranking_with_each_part_explained(client, officer, need, four):
    client.force_login(officer)
    response = client.get(ranking_url(need))
    assert response.status_code == 200
    assert listed(response) == ["Amina", "Bruno", "Chloé", "Dmitri"]
    page = response.content.decode()
    assert page.index("Amina Test") < page.index("Bruno Test") < page.index("Chloé Test")
    assert "100.0 / 100" in page
    assert "Works as nurse, the occupation asked." in page
    assert "emergency triage (narrower than triage, counts ¾)" in page
    assert "4 people have a required skill or the occupation asked." in page
    views = AuditEvent.objects.filter(action="view", reason=f"ranked for opportunity #{need.pk}")
    assert sorted(views.values_list("object_id", flat=True)) == sorted(
        str(m.pk) for m in four.values()
    )


@pytest.mark.django_db
def test_officers_invite_the_members_in_their_scope_from_the_ranking(client, officer, need, four):
    client.force_login(officer)
    page = client.get(ranking_url(need)).content.decode()
    amina, chloe = four["amina"], four["chloe"]
    assert reverse("matching:invite", args=[need.pk, amina.pk]) in page
    assert reverse("registry:member-detail", args=[amina.pk]) in page
    # Chloé lives in Canada, outside the officer's scope: listed, not linked, not invitable.
    assert reverse("matching:invite", args=[need.pk, chloe.pk]) not in page
    assert reverse("registry:member-detail", args=[chloe.pk]) not in page
    back = ranking_url(need, limit=10)
    response = client.post(reverse("matching:invite", args=[need.pk, amina.pk]), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    invitation = Application.objects.get(opportunity=need, member=amina)
    assert (invitation.origin, invitation.created_by) == ("invited", officer)
    page = client.get(back).content.decode()
    assert "invited" in page
    assert reverse("matching:invite", args=[need.pk, amina.pk]) not in page
    outside = client.post(reverse("matching:invite", args=[need.pk, chloe.pk]))
    assert outside.status_code == 404
    assert not Application.objects.filter(member=chloe).exists()


@pytest.mark.django_db
def test_an_invitation_the_service_refuses_is_explained(client, officer, need, four):
    need.status = "draft"
    need.save(update_fields=["status"])
    client.force_login(officer)
    response = client.post(
        reverse("matching:invite", args=[need.pk, four["amina"].pk]), follow=True
    )
    assert "Invitations go out for validated or published opportunities" in (
        response.content.decode()
    )
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_the_share_of_women_option_brings_in_the_best_qualified_women(
    client, officer, need, four, person
):
    for i in range(9):  # 92 points each: all of Amina's but teaching
        person(
            f"Man{i}",
            "male",
            occupation="nurse",
            education="7",
            skills=[("triage", 5), ("wound", 3)],
            languages={"fr": "native", "en": "C1"},
        )
    client.force_login(officer)
    men = [f"Man{i}" for i in range(9)]
    assert listed(client.get(ranking_url(need, limit=10))) == ["Amina", *men]
    plain = client.get(ranking_url(need, limit=10, share=30))  # the box not ticked
    assert listed(plain) == ["Amina", *men]
    response = client.get(ranking_url(need, limit=10, women="on", share=30))
    page = response.content.decode()
    # Three women asked for; two qualify: Chloé (57) takes the last man's place.
    assert listed(response) == ["Amina", *men[:8], "Chloé"]
    assert [item.candidate.promoted for item in response.context["result"].listed][-1]
    assert "added to reach the share of women" in page
    assert "Only 2 qualified women: all are listed" in page


@pytest.mark.django_db
def test_a_programme_share_of_women_applies_until_the_officer_changes_it(
    client, officer, make_need, four
):
    opportunity = make_need(programme=ProgrammeFactory(min_share_women=50))
    client.force_login(officer)
    response = client.get(ranking_url(opportunity))
    assert response.context["ranking"].women_share == 50
    assert response.context["form"]["women"].initial is True
    assert "The programme asks for 50%." in response.content.decode()
    assert response.context["ranking"].women_needed == 25


@pytest.mark.django_db
def test_a_host_focal_point_sees_only_their_institutions_rankings(
    client, focal_point, need, make_need, four
):
    elsewhere = make_need(host=OrganisationFactory(kind=Organisation.Kind.HOST))
    client.force_login(focal_point)
    # The host sees no one who has not applied: only how many qualify.
    response = client.get(ranking_url(need))
    assert response.status_code == 200
    assert listed(response) == [] and response.context["result"].withheld == 4
    assert "Chloé" not in response.content.decode()
    Application.objects.create(opportunity=need, member=four["amina"], origin="applied")
    response = client.get(ranking_url(need))
    assert listed(response) == ["Amina"] and response.context["result"].withheld == 3
    page = response.content.decode()
    assert reverse("matching:invite", args=[need.pk, four["amina"].pk]) not in page
    assert reverse("registry:member-detail", args=[four["amina"].pk]) not in page
    assert client.get(ranking_url(elsewhere)).status_code == 404
    assert (
        client.post(reverse("matching:invite", args=[need.pk, four["amina"].pk])).status_code == 403
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.ANALYST, Role.CONSULAR_OFFICER, Role.MEMBER])
def test_other_roles_see_no_ranking(client, need, four, role):
    client.force_login(user_with_role(role))
    assert client.get(ranking_url(need)).status_code == 403
    assert not AuditEvent.objects.filter(action="view").exists()


@pytest.mark.django_db
def test_an_officer_outside_the_opportunitys_scope_gets_not_found(client, need, four):
    client.force_login(user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "DE"))
    assert client.get(ranking_url(need)).status_code == 404


@pytest.mark.django_db
def test_the_page_reads_the_same_queries_however_many_are_listed(client, officer, need, person):
    client.force_login(officer)
    for name in ("Anna", "Bea"):
        person(name, occupation="nurse", skills=[("triage", 2)])
    client.get(ranking_url(need))  # content types and the like, cached once
    with CaptureQueriesContext(connection) as two:
        assert len(listed(client.get(ranking_url(need)))) == 2
    for name in ("Cleo", "Dora"):
        person(name, occupation="nurse", skills=[("wound", 2)])
    with CaptureQueriesContext(connection) as four:
        assert len(listed(client.get(ranking_url(need)))) == 4
    # One audit entry per person listed; nothing else grows with the list.
    assert len(four) - len(two) == 2


@pytest.mark.django_db
def test_a_changed_profile_is_ranked_as_it_is_now(client, officer, need, four, esco):
    client.force_login(officer)
    assert listed(client.get(ranking_url(need))) == ["Amina", "Bruno", "Chloé", "Dmitri"]
    MemberSkill.objects.create(member=four["dmitri"], skill=esco["triage"], years=9)
    assert listed(client.get(ranking_url(need))) == ["Amina", "Bruno", "Dmitri", "Chloé"]


# --- opportunities for a member ----------------------------------------------------------------


@pytest.mark.django_db
def test_an_officer_sees_the_opportunities_matched_to_a_member_in_scope(
    client, officer, need, four
):
    client.force_login(officer)
    response = client.get(reverse("matching:member-opportunities", args=[four["amina"].pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert need.title in page and "100.0 / 100" in page
    assert "Works as nurse, the occupation asked." in page
    outside = reverse("matching:member-opportunities", args=[four["chloe"].pk])
    assert client.get(outside).status_code == 404


@pytest.mark.django_db
def test_a_host_focal_point_cannot_match_a_member(client, focal_point, need, four):
    client.force_login(focal_point)
    url = reverse("matching:member-opportunities", args=[four["amina"].pk])
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_a_member_sees_the_opportunities_that_fit_them(client, need, person):
    user = user_with_role(Role.MEMBER)
    member = person(
        "Amina",
        occupation="nurse",
        education="7",
        skills=[("triage", 5), ("wound", 3)],
        languages={"fr": "native", "en": "C1"},
        consent=None,
    )
    member.user = user
    member.save()
    client.force_login(user)
    url = reverse("matching:my-opportunities")
    page = client.get(url).content.decode()
    assert need.title in page
    assert "Why it fits me" in page
    assert "You have not agreed to be matched with opportunities" in page
    from liaison.registry.services import record_consent

    record_consent(user, member, "matching", True)
    assert "You have not agreed" not in client.get(url).content.decode()


@pytest.mark.django_db
def test_a_member_without_a_profile_is_asked_for_one(client, need):
    client.force_login(user_with_role(Role.MEMBER))
    response = client.get(reverse("matching:my-opportunities"))
    assert response.status_code == 200
    assert "Fill in my profile" in response.content.decode()


@pytest.mark.django_db
def test_a_draft_is_not_ranked_so_it_cannot_be_used_to_look_people_up(
    client, focal_point, officer, need, four
):
    need.status = "draft"
    need.save(update_fields=["status"])
    for user in (focal_point, officer):
        client.force_login(user)
        assert client.get(ranking_url(need)).status_code == 403
    assert not AuditEvent.objects.filter(action="view").exists()
