"""Synthetic demo registry: realistic, deterministic for a seed, and fast (bulk inserts).

Host countries follow the approximate shares of each origin country's diaspora in the World
Bank's 2017 bilateral migrant-stock estimates (rounded; "other" spread over the rest). Names come
from Faker's locales for the country of origin, sampled once into pools and drawn from those.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from faker import Faker

from liaison.core import bulk
from liaison.registry.models import (
    Member,
    MemberLanguage,
    MemberSkill,
    Organisation,
    OrganisationMembership,
    Sex,
)
from liaison.taxonomy.models import IscoGroup, Occupation, Skill
from liaison.taxonomy.reference import CefrLevel, IscedLevel


@dataclass(frozen=True)
class OriginProfile:
    country: str
    locales: tuple[str, ...]
    native_languages: tuple[str, ...]
    second_languages: tuple[str, ...]
    female_share: float
    hosts: dict[str, float]


PROFILES = {
    "PH": OriginProfile(
        "PH",
        ("en_PH", "fil_PH"),
        ("tl",),
        ("en",),
        0.56,
        {
            "US": 0.35,
            "SA": 0.12,
            "AE": 0.10,
            "CA": 0.09,
            "JP": 0.05,
            "AU": 0.05,
            "KW": 0.04,
            "QA": 0.04,
            "GB": 0.03,
            "IT": 0.03,
            "SG": 0.02,
            "HK": 0.02,
            "MY": 0.02,
            "DE": 0.01,
            "ES": 0.01,
            "NZ": 0.02,
        },
    ),
    "MA": OriginProfile(
        "MA",
        ("ar_AA", "fr_FR"),
        ("ar",),
        ("fr",),
        0.46,
        {
            "FR": 0.34,
            "ES": 0.22,
            "IT": 0.14,
            "BE": 0.07,
            "NL": 0.06,
            "DE": 0.04,
            "US": 0.03,
            "CA": 0.03,
            "IL": 0.03,
            "SA": 0.01,
            "AE": 0.01,
            "GB": 0.01,
            "LY": 0.01,
        },
    ),
    "EC": OriginProfile(
        "EC",
        ("es_CO", "es_MX"),
        ("es",),
        ("en",),
        0.52,
        {
            "US": 0.42,
            "ES": 0.37,
            "IT": 0.09,
            "CL": 0.02,
            "CO": 0.02,
            "VE": 0.02,
            "CA": 0.01,
            "DE": 0.01,
            "FR": 0.01,
            "PE": 0.01,
            "MX": 0.01,
            "GB": 0.01,
        },
    ),
}

HOST_LANGUAGES = {
    "US": "en",
    "CA": "en",
    "GB": "en",
    "AU": "en",
    "NZ": "en",
    "SG": "en",
    "HK": "en",
    "SA": "ar",
    "AE": "ar",
    "KW": "ar",
    "QA": "ar",
    "LY": "ar",
    "JP": "ja",
    "IT": "it",
    "DE": "de",
    "ES": "es",
    "FR": "fr",
    "BE": "fr",
    "NL": "nl",
    "MY": "ms",
    "IL": "he",
    "CL": "es",
    "CO": "es",
    "VE": "es",
    "PE": "es",
    "MX": "es",
}

CITIES = {
    "US": ["New York", "Los Angeles", "San Francisco", "Chicago", "Houston", "Miami", "Seattle"],
    "CA": ["Toronto", "Vancouver", "Montréal", "Calgary", "Winnipeg"],
    "GB": ["London", "Manchester", "Birmingham", "Leeds"],
    "SA": ["Riyadh", "Jeddah", "Dammam"],
    "AE": ["Dubai", "Abu Dhabi", "Sharjah"],
    "KW": ["Kuwait City"],
    "QA": ["Doha"],
    "JP": ["Tokyo", "Osaka", "Nagoya"],
    "AU": ["Sydney", "Melbourne", "Brisbane", "Perth"],
    "IT": ["Milano", "Roma", "Torino", "Genova"],
    "FR": ["Paris", "Marseille", "Lyon", "Toulouse", "Lille", "Montpellier"],
    "ES": ["Madrid", "Barcelona", "Murcia", "Valencia", "Almería"],
    "BE": ["Bruxelles", "Antwerpen", "Liège"],
    "NL": ["Amsterdam", "Rotterdam", "Utrecht"],
    "DE": ["Berlin", "Frankfurt am Main", "Düsseldorf", "München"],
    "SG": ["Singapore"],
    "HK": ["Hong Kong"],
    "MY": ["Kuala Lumpur"],
    "NZ": ["Auckland"],
    "CL": ["Santiago"],
    "CO": ["Bogotá"],
    "VE": ["Caracas"],
    "PE": ["Lima"],
    "MX": ["Ciudad de México"],
    "IL": ["Tel Aviv"],
    "LY": ["Tripoli"],
}

EDUCATION_WEIGHTS = {
    IscedLevel.PRIMARY: 4,
    IscedLevel.LOWER_SECONDARY: 8,
    IscedLevel.UPPER_SECONDARY: 28,
    IscedLevel.POST_SECONDARY: 10,
    IscedLevel.SHORT_TERTIARY: 10,
    IscedLevel.BACHELOR: 25,
    IscedLevel.MASTER: 12,
    IscedLevel.DOCTORAL: 3,
}
SECOND_LANGUAGE_LEVELS = [CefrLevel.A2, CefrLevel.B1, CefrLevel.B2, CefrLevel.C1, CefrLevel.C2]

ORGANISATION_WORDS = {
    Organisation.Kind.ASSOCIATION: "Association of {nat} in {city}",
    Organisation.Kind.HOMETOWN: "{town} Hometown Association of {city}",
    Organisation.Kind.PROFESSIONAL: "{nat} {trade} Network {country}",
    Organisation.Kind.BUSINESS: "{surname} & Partners",
    Organisation.Kind.NGO: "{nat} Solidarity {city}",
}
NATIONALITY_WORDS = {"PH": "Filipinos", "MA": "Moroccans", "EC": "Ecuadorians"}
HOMETOWNS = {
    "PH": ["Cebu", "Iloilo", "Batangas", "Pampanga", "Ilocos"],
    "MA": ["Nador", "Tanger", "Beni Mellal", "Agadir", "Oujda"],
    "EC": ["Azogues", "Cuenca", "Loja", "Cañar", "Guayaquil"],
}
TRADES = ["Nurses", "Engineers", "Doctors", "Teachers", "IT Professionals", "Entrepreneurs"]


@dataclass
class Pools:
    female: list[str] = field(default_factory=list)
    male: list[str] = field(default_factory=list)
    family: list[str] = field(default_factory=list)


def _name_pools(profile: OriginProfile, seed: int, size: int = 400) -> Pools:
    pools = Pools()
    for i, locale in enumerate(profile.locales):
        fake = Faker(locale)
        fake.seed_instance(seed * 31 + i)
        pools.female += sorted({fake.first_name_female() for _ in range(size)})
        pools.male += sorted({fake.first_name_male() for _ in range(size)})
        pools.family += sorted({fake.last_name() for _ in range(size)})
    return pools


@dataclass
class SeedResult:
    members: int
    skills: int
    languages: int
    organisations: int


def seed(members: int, seed: int = 1, origin: str = "PH", batch: int = 5000) -> SeedResult:
    """Add ``members`` synthetic members (and their skills, languages and organisations)."""
    from liaison.audit.models import AuditEvent
    from liaison.audit.services import record

    profile = PROFILES[origin]
    rng = random.Random(seed)
    pools = _name_pools(profile, seed)
    hosts = list(profile.hosts)
    host_weights = list(profile.hosts.values())
    occupations = list(Occupation.objects.order_by("pk").values_list("pk", "isco_group_id"))
    sub_majors = list(
        IscoGroup.objects.filter(code__regex=r"^[1-9]\d$")
        .order_by("code")
        .values_list("pk", flat=True)
    )
    skill_ids = list(Skill.objects.order_by("pk").values_list("pk", flat=True))
    education = list(EDUCATION_WEIGHTS)
    education_weights = list(EDUCATION_WEIGHTS.values())
    today = datetime.date(2026, 1, 1)  # fixed, so a seed always gives the same ages

    totals = SeedResult(0, 0, 0, 0)
    with transaction.atomic():
        made = 0
        while made < members:
            n = min(batch, members - made)
            rows: list[dict[str, Any]] = []
            for _ in range(n):
                female = rng.random() < profile.female_share
                given = rng.choice(pools.female if female else pools.male)
                family = rng.choice(pools.family)
                host = rng.choices(hosts, host_weights)[0]
                age = int(rng.triangular(18, 75, 34))
                birth = today - datetime.timedelta(days=age * 365 + rng.randrange(365))
                occupation_id: int | None = None
                isco_id: int | None = None
                if occupations:
                    occupation_id, isco_id = rng.choice(occupations)
                elif sub_majors:
                    isco_id = rng.choice(sub_majors)
                rows.append(
                    {
                        "given_name": given,
                        "family_name": family,
                        "search_name": Member.compute_search_name(given, family),
                        "sex": Sex.FEMALE if female else Sex.MALE,
                        "birth_date": birth,
                        "nationalities": [profile.country],
                        "country_of_residence": host,
                        "city": rng.choice(CITIES.get(host, [""])),
                        "education_level": rng.choices(education, education_weights)[0],
                        "occupation_id": occupation_id,
                        "isco_group_id": isco_id,
                    }
                )
            created = bulk.insert(Member, rows, returning_ids=True)
            skills: list[dict[str, Any]] = []
            languages: list[dict[str, Any]] = []
            for member_id, row in zip(created, rows, strict=True):
                if skill_ids:
                    for skill_id in rng.sample(skill_ids, rng.randint(2, 6)):
                        skills.append(
                            {
                                "member_id": member_id,
                                "skill_id": skill_id,
                                "years": rng.randint(1, 25),
                            }
                        )
                native = profile.native_languages[0]
                languages.append(
                    {"member_id": member_id, "language": native, "level": CefrLevel.NATIVE}
                )
                spoken = {native}
                for code in (
                    *profile.second_languages,
                    HOST_LANGUAGES.get(row["country_of_residence"], "en"),
                ):
                    if code not in spoken:
                        spoken.add(code)
                        languages.append(
                            {
                                "member_id": member_id,
                                "language": code,
                                "level": rng.choice(SECOND_LANGUAGE_LEVELS),
                            }
                        )
            bulk.insert(MemberSkill, skills)
            bulk.insert(MemberLanguage, languages)
            totals.members += len(created)
            totals.skills += len(skills)
            totals.languages += len(languages)
            made += n

        totals.organisations = _organisations(rng, profile, pools, max(3, members // 200))
        record(
            AuditEvent.Action.IMPORT,
            Member,
            changes={"demo_seed": seed, "origin": origin, "members": totals.members},
            reason="synthetic demo data",
        )
    return totals


def _organisations(rng: random.Random, profile: OriginProfile, pools: Pools, count: int) -> int:
    kinds = list(ORGANISATION_WORDS)
    hosts = list(profile.hosts)
    weights = list(profile.hosts.values())
    organisations = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        host = rng.choices(hosts, weights)[0]
        city = rng.choice(CITIES.get(host, [host]))
        name = ORGANISATION_WORDS[kind].format(
            nat=NATIONALITY_WORDS.get(profile.country, profile.country),
            city=city,
            town=rng.choice(HOMETOWNS.get(profile.country, ["Home"])),
            trade=rng.choice(TRADES),
            country=host,
            surname=rng.choice(pools.family),
        )
        organisations.append(
            Organisation(
                name=name,
                kind=kind,
                country=host,
                city=city,
                verification=Organisation.Verification.VERIFIED
                if rng.random() < 0.6
                else Organisation.Verification.UNVERIFIED,
            )
        )
    created = Organisation.objects.bulk_create(organisations)
    links: list[OrganisationMembership] = []
    for organisation in created:
        ids = list(
            Member.objects.filter(country_of_residence=organisation.country)
            .order_by("pk")
            .values_list("pk", flat=True)[:2000]
        )
        if not ids:
            continue
        chosen = rng.sample(ids, min(len(ids), rng.randint(3, 25)))
        links += [
            OrganisationMembership(
                organisation=organisation,
                member_id=member_id,
                role=OrganisationMembership.Role.CHAIR
                if j == 0
                else OrganisationMembership.Role.MEMBER,
            )
            for j, member_id in enumerate(chosen)
        ]
    OrganisationMembership.objects.bulk_create(links, batch_size=2000, ignore_conflicts=True)
    return len(created)
