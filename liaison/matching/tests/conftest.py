"""A small world for matching: a few ISCO groups, ESCO occupations and skills with their
hierarchy, a nurse trainer's need in Lyon, and people who fit it more or less well.

The scores of Amina, Bruno, Chloé and Dmitri are worked out by hand in ``test_scoring.py``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from liaison.matching.models import SkillRelation
from liaison.opportunities.models import Opportunity, OpportunityLanguage, OpportunitySkill
from liaison.registry.models import (
    Availability,
    Member,
    MemberLanguage,
    MemberSkill,
    Organisation,
    WorkExperience,
)
from liaison.registry.services import record_consent
from liaison.taxonomy.models import IscoGroup, Occupation, Skill
from tests.factories import MemberFactory, OpportunityFactory, OrganisationFactory, ProgrammeFactory

D = datetime.date


@pytest.fixture
def esco(db: Any) -> dict[str, Any]:
    groups = {}
    for code, label in [
        ("2", "Professionals"),
        ("22", "Health professionals"),
        ("222", "Nursing and midwifery professionals"),
        ("2221", "Nursing professionals"),
        ("2222", "Midwifery professionals"),
        ("226", "Other health professionals"),
        ("2264", "Physiotherapists"),
        ("23", "Teaching professionals"),
        ("231", "University and higher education teachers"),
        ("2310", "University and higher education teachers"),
    ]:
        # Major and sub-major groups are built in (taxonomy's migration 0002).
        groups[code], _created = IscoGroup.objects.get_or_create(
            code=code, defaults={"label": label}
        )

    def occupation(key: str, label: str, group: str, broader: Occupation | None = None) -> Any:
        return Occupation.objects.create(
            uri=f"http://data.europa.eu/esco/occupation/{key}",
            label=label,
            isco_group=groups[group],
            broader=broader,
        )

    nurse = occupation("nurse", "nurse", "2221")
    skills = {
        key: Skill.objects.create(uri=f"http://data.europa.eu/esco/skill/{key}", label=label)
        for key, label in [
            ("triage", "triage"),
            ("wound", "wound care"),
            ("teaching", "teaching"),
            ("emergency", "emergency triage"),
            ("assessment", "patient assessment"),
            ("vital", "vital signs"),
            ("suturing", "suturing"),
            ("budget", "budgeting"),
        ]
    }
    # ESCO's skills pillar: emergency triage < triage < patient assessment > vital signs.
    SkillRelation.objects.create(skill=skills["emergency"], broader=skills["triage"])
    SkillRelation.objects.create(skill=skills["triage"], broader=skills["assessment"])
    SkillRelation.objects.create(skill=skills["vital"], broader=skills["assessment"])
    return {
        "groups": groups,
        "nurse": nurse,
        "specialist": occupation("specialist", "specialist nurse", "2221", nurse),
        "midwife": occupation("midwife", "midwife", "2222"),
        "physio": occupation("physio", "physiotherapist", "2264"),
        "lecturer": occupation("lecturer", "lecturer", "2310"),
        **skills,
    }


@pytest.fixture
def hospital(db: Any) -> Any:
    return OrganisationFactory(name="Lyon University Hospital", kind=Organisation.Kind.HOST)


@pytest.fixture
def make_need(esco: dict[str, Any], hospital: Organisation) -> Callable[..., Opportunity]:
    def make(
        *,
        skills: Iterable[tuple[str, bool]] = (
            ("triage", True),
            ("wound", True),
            ("teaching", False),
        ),
        languages: Iterable[tuple[str, str, bool]] = (("fr", "B2", True), ("en", "B1", False)),
        **fields: Any,
    ) -> Opportunity:
        values: dict[str, Any] = {
            "title": "Emergency nurse trainer",
            "host": hospital,
            "occupation": esco["nurse"],
            "education_level": "6",
            "years_experience": 4,
            "modality": "temporary",
            "country": "FR",
            "city": "Lyon",
            "starts": D(2026, 3, 1),
            "ends": D(2026, 5, 31),
            "status": "published",
            "published_at": datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC),
        }
        values.update(fields)
        opportunity: Opportunity = OpportunityFactory(**values)
        for key, essential in skills:
            OpportunitySkill.objects.create(
                opportunity=opportunity, skill=esco[key], essential=essential
            )
        for code, level, mandatory in languages:
            OpportunityLanguage.objects.create(
                opportunity=opportunity, language=code, min_level=level, mandatory=mandatory
            )
        return opportunity

    return make


@pytest.fixture
def need(make_need: Callable[..., Opportunity]) -> Opportunity:
    return make_need()


@pytest.fixture
def person(esco: dict[str, Any]) -> Callable[..., Member]:
    """A member with skills (key, years), languages, availability windows (modality, from,
    until), jobs (occupation key, country, from, until) and, unless told, consent."""

    def make(
        name: str,
        sex: str = "female",
        *,
        country: str = "FR",
        city: str = "Lyon",
        occupation: str | None = None,
        education: str = "",
        skills: Iterable[tuple[str, int | None]] = (),
        languages: dict[str, str] | None = None,
        windows: Iterable[tuple[str, datetime.date | None, datetime.date | None]] = (
            ("temporary", D(2026, 1, 1), D(2026, 12, 31)),
        ),
        jobs: Iterable[tuple[str | None, str, int | None, int | None]] = (),
        nationalities: Iterable[str] = ("PH",),
        consent: bool | None = True,
    ) -> Member:
        member: Member = MemberFactory(
            given_name=name,
            family_name="Test",
            sex=sex,
            country_of_residence=country,
            city=city,
            occupation=esco[occupation] if occupation else None,
            education_level=education,
            nationalities=list(nationalities),
        )
        for key, years in skills:
            MemberSkill.objects.create(member=member, skill=esco[key], years=years)
        for code, level in (languages if languages is not None else {"fr": "native"}).items():
            MemberLanguage.objects.create(member=member, language=code, level=level)
        for modality, starts, ends in windows:
            Availability.objects.create(member=member, modality=modality, starts=starts, ends=ends)
        for job, where, start, end in jobs:
            WorkExperience.objects.create(
                member=member,
                title=esco[job].label if job else "volunteer",
                occupation=esco[job] if job else None,
                country=where,
                start_year=start,
                end_year=end,
            )
        if consent is not None:
            record_consent(None, member, "matching", consent)
        return member

    return make


@pytest.fixture
def four(person: Callable[..., Member]) -> dict[str, Member]:
    """Amina, Bruno, Chloé and Dmitri: 100, 79.5, 57 and 53 points for ``need``."""
    return {
        "amina": person(
            "Amina",
            occupation="nurse",
            education="7",
            skills=[("triage", 5), ("wound", 3), ("teaching", 2)],
            languages={"fr": "native", "en": "C1"},
        ),
        "bruno": person(
            "Bruno",
            "male",
            city="Paris",
            occupation="specialist",
            education="6",
            skills=[("emergency", 6), ("wound", 1)],
            languages={"fr": "C1", "en": "A2"},
            windows=[("temporary", None, None)],
        ),
        "chloe": person(
            "Chloé",
            country="CA",
            city="Montréal",
            occupation="midwife",
            education="5",
            skills=[("vital", 10), ("teaching", 8)],
            languages={"fr": "native"},
            windows=[("temporary", D(2026, 2, 1), D(2026, 6, 30))],
            jobs=[("nurse", "CA", 2010, 2016)],
        ),
        "dmitri": person(
            "Dmitri",
            "male",
            occupation="physio",
            education="6",
            skills=[("assessment", None), ("wound", None)],
            languages={"fr": "B2", "en": "B1"},
            windows=[("temporary", D(2026, 3, 1), D(2026, 5, 31))],
        ),
    }


@pytest.fixture
def programme(db: Any) -> Any:
    return ProgrammeFactory()
