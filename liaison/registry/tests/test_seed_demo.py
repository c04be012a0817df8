from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import call_command

from liaison.accounts.models import User
from liaison.accounts.roles import Role
from liaison.registry.demo import PROFILES
from liaison.registry.models import Member, MemberLanguage, Organisation


def _snapshot():
    return list(
        Member.objects.order_by("pk").values_list(
            "given_name", "family_name", "sex", "birth_date", "country_of_residence", "city"
        )
    )


def _wipe():
    Organisation.objects.all().delete()
    Member.objects.all().delete()


@pytest.mark.django_db
def test_the_same_seed_builds_the_same_registry_and_another_seed_another():
    call_command("seed_demo", "--members", "300", "--seed", "7", "--no-accounts")
    first = _snapshot()
    _wipe()
    call_command("seed_demo", "--members", "300", "--seed", "7", "--no-accounts")
    assert _snapshot() == first
    _wipe()
    call_command("seed_demo", "--members", "300", "--seed", "8", "--no-accounts")
    assert _snapshot() != first


@pytest.mark.django_db
def test_host_countries_follow_the_real_diaspora(capsys):
    call_command("seed_demo", "--members", "2000", "--origin", "MA", "--no-accounts")
    hosts = Counter(Member.objects.values_list("country_of_residence", flat=True))
    assert hosts.most_common(1)[0][0] == "FR"
    assert set(hosts) <= set(PROFILES["MA"].hosts)
    assert MemberLanguage.objects.filter(language="ar", level="native").count() == 2000
    assert Organisation.objects.exists()
    assert Member.objects.filter(nationalities="MA").count() == 2000


@pytest.mark.django_db
def test_demo_logins_exist_for_every_role_and_a_second_run_reuses_them(capsys):
    call_command("seed_demo", "--members", "50")
    out = capsys.readouterr().out
    for role in Role.values:
        assert role in out
    users = User.objects.count()
    call_command("seed_demo", "--members", "50", "--if-empty")
    assert "already has members" in capsys.readouterr().out
    assert User.objects.count() == users
    assert Member.objects.count() == 50
    member = User.objects.get(email="member@demo.liaison.test")
    assert member.check_password("liaison-demo-2026")
    assert member.member_profile is not None
