from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.template import Context, Template
from django.test import RequestFactory

from liaison.accounts import permissions
from liaison.accounts.models import RoleGrant
from liaison.accounts.roles import Role, ScopeKind
from liaison.accounts.services import grant_role
from liaison.registry.models import Member
from tests.factories import MemberFactory, UserFactory, user_with_role


@pytest.mark.django_db
def test_a_decision_says_why():
    officer = user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "FR")
    inside, outside = (
        MemberFactory(country_of_residence="FR"),
        MemberFactory(country_of_residence="DE"),
    )
    assert permissions.check(officer, "registry.view_member", inside)
    denied = permissions.check(officer, "registry.view_member", outside)
    assert not denied and "outside your scope" in denied.reason
    no_role = permissions.check(UserFactory(), "registry.view_member")
    assert not no_role and "roles do not include" in no_role.reason
    assert "Sign in" in permissions.check(None, "registry.view_member").reason


@pytest.mark.django_db
def test_querysets_narrow_to_the_union_of_scopes():
    officer = user_with_role(Role.CONSULAR_OFFICER, ScopeKind.COUNTRY, "FR")
    RoleGrant.objects.create(
        user=officer, role=Role.CONSULAR_OFFICER, scope_kind=ScopeKind.COUNTRY, scope_value="BE"
    )
    permissions.forget_grants(officer)
    for country in ("FR", "BE", "DE"):
        MemberFactory(country_of_residence=country)
    seen = permissions.visible(officer, "registry.view_member", Member.objects.all())
    assert sorted(str(m.country_of_residence) for m in seen) == ["BE", "FR"]
    assert (
        permissions.visible(UserFactory(), "registry.view_member", Member.objects.all()).count()
        == 0
    )
    admin = user_with_role(Role.ADMINISTRATOR)
    assert permissions.visible(admin, "registry.view_member", Member.objects.all()).count() == 3


@pytest.mark.django_db
def test_an_object_out_of_scope_is_not_found_rather_than_forbidden():
    officer = user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "FR")
    outside = MemberFactory(country_of_residence="DE")
    with pytest.raises(Http404):
        permissions.get_visible_or_404(
            officer, "registry.view_member", Member.objects.all(), pk=outside.pk
        )
    with pytest.raises(Http404):
        permissions.get_visible_or_404(
            officer, "registry.view_member", Member.objects.all(), pk="x"
        )


@pytest.mark.django_db
def test_expired_grants_give_nothing():
    import datetime

    officer = user_with_role(Role.ADMINISTRATOR)
    RoleGrant.objects.filter(user=officer).update(valid_until=datetime.date(2020, 1, 1))
    permissions.forget_grants(officer)
    assert not permissions.check(officer, "audit.view")


@pytest.mark.django_db
def test_grants_are_validated():
    user = UserFactory()
    with pytest.raises(ValidationError, match="not an ISO 3166 country code"):
        grant_role(None, user, Role.CONSULAR_OFFICER, ScopeKind.COUNTRY, "XX")
    with pytest.raises(ValidationError):
        grant_role(None, user, Role.ANALYST, ScopeKind.GLOBAL, "FR")
    grant = grant_role(None, user, Role.CONSULAR_OFFICER, ScopeKind.COUNTRY, "sn")
    assert grant.scope_value == "SN"
    with pytest.raises(ValidationError):
        grant_role(None, user, Role.CONSULAR_OFFICER, ScopeKind.COUNTRY, "SN")


def test_unknown_actions_are_a_programming_error():
    with pytest.raises(KeyError, match="Unknown permission action"):
        permissions.check(
            type("U", (), {"is_authenticated": True, "is_active": True, "_liaison_grants": []})(),
            "nothing.at_all",
        )


@pytest.mark.django_db
def test_templates_ask_the_same_permission_api():
    officer = user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "FR")
    inside, outside = (
        MemberFactory(country_of_residence="FR"),
        MemberFactory(country_of_residence="DE"),
    )
    request = RequestFactory().get("/")
    request.user = officer
    template = Template('{% load permissions %}{% can "registry.view_member" m as ok %}{{ ok }}')
    assert template.render(Context({"request": request, "m": inside})) == "True"
    assert template.render(Context({"request": request, "m": outside})) == "False"
