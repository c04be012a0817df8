from __future__ import annotations

import pytest

from liaison.accounts.roles import Role, ScopeKind
from liaison.taxonomy.models import Occupation
from tests.factories import MemberFactory, user_with_role


@pytest.mark.django_db
def test_member_list_and_api_cost_the_same_queries_for_few_or_many_rows(
    client, django_assert_max_num_queries
):
    occupation = Occupation.objects.create(uri="http://data.europa.eu/esco/occupation/n", label="n")
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    MemberFactory.create_batch(2, occupation=occupation)
    with django_assert_max_num_queries(14) as few:
        client.get("/registry/members/")
    MemberFactory.create_batch(30, occupation=occupation)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/registry/members/")
    with django_assert_max_num_queries(14) as few_api:
        client.get("/api/v1/registry/members/")
    MemberFactory.create_batch(30)
    with django_assert_max_num_queries(len(few_api.captured_queries)):
        client.get("/api/v1/registry/members/")


@pytest.mark.django_db
def test_officers_search_members_in_their_scope_across_scripts_and_accents(client):
    officer = user_with_role(Role.CONSULAR_OFFICER, ScopeKind.COUNTRY, "FR")
    MemberFactory(given_name="Zoë", family_name="Benaïssa", country_of_residence="FR")
    MemberFactory(given_name="Мария", family_name="Иванова", country_of_residence="FR")
    MemberFactory(given_name="Zoe", family_name="Benaissa", country_of_residence="DE")
    client.force_login(officer)
    found = client.get("/registry/members/", {"q": "zoe benaissa"}).context["page"]
    assert [m.family_name for m in found] == ["Benaïssa"]
    cyrillic = client.get("/registry/members/", {"q": "mariya"}).context["page"]
    assert [m.given_name for m in cyrillic] == ["Мария"]


@pytest.mark.django_db
def test_hostile_text_in_a_name_is_shown_as_text(client):
    MemberFactory(given_name="<script>alert(1)</script>", country_of_residence="FR")
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    page = client.get("/registry/members/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.django_db
def test_officers_verify_organisations_in_their_scope(client):
    from liaison.registry.models import Organisation, OrganisationMembership
    from tests.factories import OrganisationFactory

    inside = OrganisationFactory(country="FR")
    outside = OrganisationFactory(country="DE")
    chair = MemberFactory(family_name="Chair")
    OrganisationMembership.objects.create(organisation=inside, member=chair, role="chair")
    client.force_login(user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "FR"))
    page = client.get(f"/registry/organisations/{inside.pk}/").content.decode()
    assert "Chair" in page
    client.post(f"/registry/organisations/{inside.pk}/verify/", {"verification": "verified"})
    assert Organisation.objects.get(pk=inside.pk).verified
    bad = client.post(
        f"/registry/organisations/{inside.pk}/verify/", {"verification": "maybe"}, follow=True
    )
    assert "Choose a verification status" in bad.content.decode()
    assert (
        client.post(
            f"/registry/organisations/{outside.pk}/verify/", {"verification": "verified"}
        ).status_code
        == 404
    )
    assert Organisation.objects.get(pk=outside.pk).verification == "unverified"
