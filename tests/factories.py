"""Factories shared by the apps' tests."""

from __future__ import annotations

import datetime

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.hashers import make_password

from liaison.accounts.models import RoleGrant, User
from liaison.accounts.roles import STAFF_ROLES, Role, ScopeKind
from liaison.registry.models import Member, Organisation


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.LazyFunction(lambda: make_password(None))  # unusable until set

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


def user_with_role(
    role: str, scope_kind: str = ScopeKind.GLOBAL, scope_value: str = "", **kwargs
) -> User:
    """A user holding ``role``; staff roles come with a TOTP authenticator already set up
    (its secret in ``user.totp_secret``), as the MFA rule requires."""
    user: User = UserFactory(**kwargs)
    RoleGrant.objects.create(user=user, role=role, scope_kind=scope_kind, scope_value=scope_value)
    if role in STAFF_ROLES:
        user.totp_secret = generate_totp_secret()
        TOTP.activate(user, user.totp_secret)
    return user


def officer_in(country: str) -> User:
    return user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, country)


class MemberFactory(factory.django.DjangoModelFactory[Member]):
    class Meta:
        model = Member

    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    sex = "female"
    birth_date = datetime.date(1985, 5, 17)
    country_of_residence = "FR"
    city = "Lyon"


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Association {n}")
    kind = Organisation.Kind.ASSOCIATION
    country = "FR"
