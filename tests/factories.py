"""Factories shared by the apps' tests."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.hashers import make_password

from liaison.accounts.models import RoleGrant, User
from liaison.accounts.roles import STAFF_ROLES, Role, ScopeKind
from liaison.opportunities.models import (
    Application,
    LabourAgreement,
    Opportunity,
    Programme,
    Quota,
)
from liaison.placements.models import Placement
from liaison.registry.models import Member, Organisation
from liaison.remittances.models import Corridor, Observation, Provider


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


# --- opportunities -----------------------------------------------------------------------------


class ProgrammeFactory(factory.django.DjangoModelFactory[Programme]):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Skills transfer {n}")
    code = factory.Sequence(lambda n: f"programme-{n}")
    kind = "skills_transfer"

    class Params:
        labour = factory.Trait(
            kind="labour_agreement",
            name=factory.Sequence(lambda n: f"Labour mobility {n}"),
        )


class LabourAgreementFactory(factory.django.DjangoModelFactory[LabourAgreement]):
    class Meta:
        model = LabourAgreement

    programme = factory.SubFactory(ProgrammeFactory, labour=True)
    name = factory.Sequence(lambda n: f"Agreement {n}")
    origin_country = "PH"
    destination_country = "DE"
    valid_from = datetime.date(2026, 1, 1)
    valid_until = datetime.date(2028, 12, 31)


class QuotaFactory(factory.django.DjangoModelFactory[Quota]):
    class Meta:
        model = Quota

    agreement = factory.SubFactory(LabourAgreementFactory)
    sector = "health"
    starts = datetime.date(2026, 1, 1)
    ends = datetime.date(2026, 12, 31)
    positions = 10


class OpportunityFactory(factory.django.DjangoModelFactory[Opportunity]):
    """A host institution's need in France (the walk's officers' scope), as a draft; traits
    ``published`` and ``job_order`` (an employer's job order drawing on a quota)."""

    class Meta:
        model = Opportunity

    kind = "need"
    host = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.HOST)
    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Emergency nurse trainer {n}")
    terms_of_reference = "Train the emergency ward's nurses in triage."
    isco_group = None
    modality = "temporary"
    country = "FR"
    city = "Lyon"
    starts = datetime.date(2026, 3, 1)
    ends = datetime.date(2026, 5, 31)
    positions = 1
    sector = "health"
    status = "draft"

    class Params:
        published = factory.Trait(
            status="published",
            published_at=factory.LazyFunction(
                lambda: datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)
            ),
        )
        job_order = factory.Trait(
            kind="job_order",
            host=factory.SubFactory(
                OrganisationFactory, kind=Organisation.Kind.EMPLOYER, country="DE"
            ),
            quota=factory.SubFactory(QuotaFactory),
            programme=factory.SelfAttribute("quota.agreement.programme"),
            modality="job_abroad",
            country="DE",
            city="Berlin",
        )


class ApplicationFactory(factory.django.DjangoModelFactory[Application]):
    class Meta:
        model = Application

    opportunity = factory.SubFactory(OpportunityFactory, published=True)
    member = factory.SubFactory(MemberFactory)
    origin = "applied"


# --- placements --------------------------------------------------------------------------------


class PlacementFactory(factory.django.DjangoModelFactory[Placement]):
    """A candidate's placement in state "applied", from an accepted application to a published
    need in France; trait ``labour``: to a job order in Germany under a labour agreement."""

    class Meta:
        model = Placement

    application = factory.SubFactory(
        ApplicationFactory,
        accepted_at=factory.LazyFunction(
            lambda: datetime.datetime(2026, 1, 6, tzinfo=datetime.UTC)
        ),
    )
    opportunity = factory.SelfAttribute("application.opportunity")
    member = factory.SelfAttribute("application.member")
    track = "mission"
    state = "applied"
    sex = factory.SelfAttribute("member.sex")
    expert_country = factory.SelfAttribute("member.country_of_residence")

    class Params:
        labour = factory.Trait(
            application=factory.SubFactory(
                ApplicationFactory,
                opportunity=factory.SubFactory(OpportunityFactory, published=True, job_order=True),
                accepted_at=factory.LazyFunction(
                    lambda: datetime.datetime(2026, 1, 6, tzinfo=datetime.UTC)
                ),
            ),
            track="labour",
        )


class ProviderFactory(factory.django.DjangoModelFactory[Provider]):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Provider {n}")
    kind = Provider.Kind.MONEY_TRANSFER_OPERATOR


class CorridorFactory(factory.django.DjangoModelFactory[Corridor]):
    """France (EUR) to Senegal (XOF) unless told otherwise."""

    class Meta:
        model = Corridor
        django_get_or_create = (
            "source_country",
            "source_currency",
            "destination_country",
            "destination_currency",
        )

    source_country = "FR"
    source_currency = "EUR"
    destination_country = "SN"
    destination_currency = "XOF"


class ObservationFactory(factory.django.DjangoModelFactory[Observation]):
    """A verified, transparent price of sending EUR 185 (USD 200) for a EUR 5 fee at 650 XOF
    per euro against an interbank 655.957 in 2026 Q3, cash at an agent, cash pickup, next day."""

    class Meta:
        model = Observation

    corridor = factory.SubFactory(CorridorFactory)
    provider = factory.SubFactory(ProviderFactory)
    year = 2026
    quarter = 3
    price_point = 200
    amount_sent = Decimal("185.00")
    fee = Decimal("5.00")
    exchange_rate = Decimal("650")
    interbank_rate = Decimal("655.957")
    speed = "next_day"
    instrument = "cash"
    access_point = "agent"
    pickup = "cash"
    transparent = True
    source = Observation.Source.SURVEY
    status = Observation.Status.VERIFIED
    collected_on = datetime.date(2026, 8, 14)
