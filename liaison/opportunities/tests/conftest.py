from __future__ import annotations

import pytest

from liaison.accounts.roles import Role, ScopeKind
from liaison.registry.models import Organisation
from liaison.registry.services import record_consent
from liaison.taxonomy.models import IscoGroup, Occupation, Skill
from tests.factories import MemberFactory, OrganisationFactory, UserFactory, user_with_role


@pytest.fixture
def nurse(db):
    group = IscoGroup.objects.create(code="2221", label="Nursing professionals")
    return Occupation.objects.create(
        uri="http://data.europa.eu/esco/occupation/nurse",
        label="specialist nurse",
        isco_group=group,
    )


@pytest.fixture
def triage(db):
    return Skill.objects.create(uri="http://data.europa.eu/esco/skill/triage", label="triage")


@pytest.fixture
def teaching(db):
    return Skill.objects.create(uri="http://data.europa.eu/esco/skill/teach", label="teaching")


@pytest.fixture
def hospital(db):
    return OrganisationFactory(name="Lyon University Hospital", kind=Organisation.Kind.HOST)


@pytest.fixture
def employer(db):
    return OrganisationFactory(
        name="Klinikum Berlin", kind=Organisation.Kind.EMPLOYER, country="DE"
    )


@pytest.fixture
def officer(db):
    """A programme officer for France (where the needs in these tests are)."""
    return user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "FR")


@pytest.fixture
def admin(db):
    return user_with_role(Role.ADMINISTRATOR)


@pytest.fixture
def focal_point(hospital):
    return user_with_role(Role.HOST_FOCAL_POINT, ScopeKind.INSTITUTION, str(hospital.pk))


@pytest.fixture
def applicant(db):
    """A member with an account who agreed to be matched with opportunities."""
    user = user_with_role(Role.MEMBER)
    member = MemberFactory(user=user, country_of_residence="FR")
    record_consent(user, member, "matching", True)
    return member


@pytest.fixture
def stranger(db):
    return UserFactory()
