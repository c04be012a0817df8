"""Demo opportunities on top of the synthetic registry (``seed_demo``): a skills transfer
programme whose host institutions post needs, a labour agreement with quotas and job orders,
and a few applications, all written through the services as an administrator would.

Occupations and skills are ESCO's when the ESCO import has run (found by label). Without it,
needs fall back to the ISCO-08 groups built in, and the few skills they ask for are added under
their real ESCO URIs (a later ``import_esco`` updates the same rows, keyed by URI): submitting
an opportunity needs at least one skill.

The registry's synthetic members have no consents and no availability, which the matching
engine's hard filters read; members who have recorded neither get a deterministic share of
both here (marked ``source="demo"``), so that rankings are not empty. Real decisions are never
overwritten.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from liaison.accounts.models import RoleGrant, User
from liaison.accounts.roles import Role, ScopeKind
from liaison.core import bulk
from liaison.opportunities import services
from liaison.opportunities.models import (
    Application,
    LabourAgreement,
    Opportunity,
    Programme,
    Quota,
)
from liaison.opportunities.services import LanguageNeed, PackageLine, SkillNeed
from liaison.registry.models import (
    Availability,
    Consent,
    Member,
    MemberLanguage,
    MemberSkill,
    Organisation,
    Purpose,
)
from liaison.registry.services import current_notice_version, record_consent
from liaison.taxonomy.models import IscoGroup, Occupation, Skill

HOSPITAL = "Demo General Hospital"  # made by seed_demo; its focal point signs in
UNIVERSITY = "Demo National University"
MINISTRY = "Demo Ministry of Information and Communications Technology"
CLINIC_EMPLOYER = "Demo Klinikum Stuttgart"
ELECTRICAL_EMPLOYER = "Demo Elektrotechnik Bayern GmbH"
DESTINATION = "DE"
SKILLS_PROGRAMME = "demo-skills-transfer"
LABOUR_PROGRAMME = "demo-labour-de"

# The origin's currency, for per diems and local salaries (the demo origins of seed_demo).
CURRENCIES = {"PH": "PHP", "MA": "MAD", "EC": "USD"}
# The language a host institution works in besides the national one (ISO 639-1).
WORKING_LANGUAGES = {"PH": ("en", "tl"), "MA": ("fr", "ar"), "EC": ("es", "en")}
CITIES = {"PH": ("Manila", "Quezon City", "Pasig"), "MA": ("Rabat", "Casablanca", "Rabat")}

# Share of the members without any decision who agree to matching, and of those, who give
# each way of contributing (open-ended).
CONSENT_SHARE = 0.6
AVAILABILITY_SHARES = {"virtual": 0.7, "temporary": 0.5, "permanent": 0.3}

ESCO_SKILL = "http://data.europa.eu/esco/skill/"
DEMO_MEMBER = "member@demo.liaison.test"  # seed_demo's member login


@dataclass(frozen=True)
class Asked:
    """A skill by its ESCO URI (the part after ``/skill/``) and preferred label."""

    uuid: str
    label: str
    essential: bool = True


@dataclass(frozen=True)
class NeedSpec:
    host: str
    title: str
    occupation: str  # ESCO preferred label
    isco: str  # the ISCO-08 unit group, used when the occupation is not there
    skills: tuple[Asked, ...]
    modality: str
    sector: str
    starts_in: int  # days from today
    weeks: int | None  # None: open-ended
    duration_days: int | None = None
    education: str = ""
    years: int = 0
    positions: int = 1
    package: tuple[tuple[str, str, str, str], ...] = ()  # kind, amount, currency, period
    terms: str = ""
    languages: tuple[tuple[str, str, bool], ...] = field(default=())


NURSING = Asked("1023ac61-250f-4eef-b7a9-238cf071685f", "provide professional care in nursing")
SUPERVISE_NURSES = Asked("43e346fb-ddc8-4679-b975-e5d0644e40ad", "supervise nursing staff")
NURSING_BASICS = Asked(
    "516e324b-03fc-4d3b-9986-e46e9834cd43", "implement fundamentals of nursing", False
)
HYGIENE = Asked("0450eaee-1a00-4622-8f4e-5356fce816d2", "hygiene in a health care setting")
CHILDBIRTH = Asked("103770db-5ed7-4208-ac72-cf174dd677e9", "childbirth")
MENTOR = Asked("a584a638-a2c0-4b3c-bdf3-a64f87225be9", "mentor individuals", False)
TREATMENT = Asked("f274995e-9781-4c7f-a246-25577ee51dc6", "develop patient treatment strategies")
HEALTH_POLICY_PRACTICE = Asked(
    "1979dafb-85ce-45da-acfe-d55353930755", "implement policy in healthcare practices", False
)
STATISTICS = Asked("382c11ed-20d5-4ae7-b60e-15fec527fa6c", "apply statistical analysis techniques")
RESEARCH_DATA = Asked("08b04e53-ed25-41a2-9f90-0b9cd939ba3d", "manage research data")
CURRICULUM = Asked("7ee872de-db39-4ae3-8e19-75d1a2cdf697", "develop curriculum", False)
CURRICULUM_ADVICE = Asked(
    "142a5319-60cb-42a2-891f-90ba92af18b1", "advise on curriculum development"
)
ENGINEERING = Asked("209a5498-3449-4689-8ed9-bd08cab4fd78", "engineering principles")
PROPOSALS = Asked("0ee7b0d6-db98-4785-9948-f2ef415d155a", "write research proposals")
LITERATURE = Asked("0d282d6e-8cb9-4339-8e7d-cfafed96b5ed", "conduct literature research", False)
INFORM_POLICY = Asked(
    "0b5aaee4-c948-4853-bf8d-b9cd6c4917ee", "inform policy makers on health-related challenges"
)
ADVISE_POLICY = Asked("1553446e-ee05-435a-91a6-acfe7f848432", "advise policy makers in healthcare")
PROGRAMMING = Asked("21d2f96d-35f7-4e3f-9745-c533d2dd6e97", "computer programming")
DATABASE = Asked("29fb0fb5-dfc4-4098-ac9b-3a712000f48f", "manage database", False)
PATTERNS = Asked("06670261-ea6b-4b52-a915-c7d4ff837f74", "identify statistical patterns")
ONLINE_TRAINING = Asked("0d7f2cce-245a-4d02-9b8d-2e9946cc4c5d", "deliver online training", False)
WIRING = Asked("d15e92c4-c8dc-48cd-a1f6-94fe13347f87", "electrical wiring plans")
SWITCHES = Asked("c3d1ada5-1d97-4a23-be2a-9ff39296775b", "install electric switches")
REPAIR_WIRING = Asked("af1c7b89-679b-4fae-b67c-ed05c669719c", "repair wiring", False)

LOCAL = "LOCAL"  # stands for the origin's currency in the packages below


def _needs() -> tuple[NeedSpec, ...]:
    return (
        NeedSpec(
            HOSPITAL,
            "Intensive care nursing mentor",
            "specialist nurse",
            "2221",
            (NURSING, SUPERVISE_NURSES, NURSING_BASICS),
            "temporary",
            "health",
            60,
            12,
            duration_days=30,
            education="6",
            years=5,
            package=(("travel", "1400", "USD", "once"), ("per_diem", "3500", LOCAL, "day")),
            terms="Coach the ICU nursing team on protocols for ventilated patients, on the ward, "
            "for one month within the quarter.",
        ),
        NeedSpec(
            HOSPITAL,
            "Midwifery trainer for rural birthing centres",
            "midwife",
            "2222",
            (CHILDBIRTH, HYGIENE, MENTOR),
            "temporary",
            "health",
            75,
            8,
            duration_days=21,
            education="6",
            years=3,
            package=(("travel", "1400", "USD", "once"), ("per_diem", "3500", LOCAL, "day")),
            terms="Train midwives of three rural birthing centres on safe delivery and hygiene.",
        ),
        NeedSpec(
            HOSPITAL,
            "Telemedicine adviser in general practice",
            "general practitioner",
            "2211",
            (TREATMENT, HEALTH_POLICY_PRACTICE),
            "virtual",
            "health",
            30,
            26,
            duration_days=40,
            education="7",
            years=8,
            package=(("stipend", "800", "USD", "month"),),
            terms="Two remote consultations a week with the hospital's rural outreach doctors.",
        ),
        NeedSpec(
            UNIVERSITY,
            "Visiting lecturer in data science",
            "data scientist",
            "2511",
            (STATISTICS, RESEARCH_DATA, CURRICULUM),
            "temporary",
            "education",
            90,
            16,
            duration_days=45,
            education="7",
            years=4,
            package=(
                ("travel", "1200", "EUR", "once"),
                ("per_diem", "3000", LOCAL, "day"),
                ("equipment", "500", "USD", "once"),
            ),
            terms="Teach a graduate module on applied statistics and research data management.",
        ),
        NeedSpec(
            UNIVERSITY,
            "Curriculum adviser for civil engineering",
            "civil engineer",
            "2142",
            (CURRICULUM_ADVICE, ENGINEERING),
            "virtual",
            "education",
            45,
            20,
            duration_days=20,
            education="7",
            years=10,
            package=(("stipend", "600", "USD", "month"),),
            terms="Review the civil engineering curriculum against current accreditation rules.",
        ),
        NeedSpec(
            UNIVERSITY,
            "Research methods mentor for junior faculty",
            "university research assistant",
            "2310",
            (PROPOSALS, LITERATURE),
            "virtual",
            "education",
            30,
            24,
            education="8",
            years=5,
            package=(("stipend", "500", "USD", "month"),),
            terms="Mentor five junior lecturers in writing their first research grant proposals.",
        ),
        NeedSpec(
            MINISTRY,
            "Public health policy adviser",
            "public health policy officer",
            "2422",
            (INFORM_POLICY, ADVISE_POLICY),
            "temporary",
            "public",
            60,
            10,
            duration_days=30,
            education="7",
            years=8,
            package=(("travel", "1400", "USD", "once"), ("per_diem", "4000", LOCAL, "day")),
            terms="Advise the ministry's e-health unit on the national telehealth policy.",
        ),
        NeedSpec(
            MINISTRY,
            "Software developer for e-government services",
            "software developer",
            "2512",
            (PROGRAMMING, DATABASE),
            "permanent",
            "ict",
            120,
            None,
            education="6",
            years=5,
            package=(
                ("salary", "120000", LOCAL, "month"),
                ("travel", "1500", "USD", "once"),
                ("family_allowance", "15000", LOCAL, "month"),
            ),
            terms="Return to lead the development of the citizens' online services portal.",
        ),
        NeedSpec(
            MINISTRY,
            "Statistics capacity-building expert",
            "statistician",
            "2120",
            (PATTERNS, STATISTICS, ONLINE_TRAINING),
            "virtual",
            "public",
            30,
            12,
            duration_days=15,
            education="7",
            years=6,
            package=(("stipend", "700", "USD", "month"),),
            terms="Train the ministry's analysts in survey statistics, online, in short sessions.",
        ),
    )


def _job_orders() -> tuple[NeedSpec, ...]:
    return (
        NeedSpec(
            CLINIC_EMPLOYER,
            "Registered nurses for hospital wards",
            "nurse responsible for general care",
            "2221",
            (NURSING, HYGIENE, NURSING_BASICS),
            "job_abroad",
            "health",
            120,
            None,
            education="6",
            years=2,
            positions=25,
            package=(
                ("salary", "3200", "EUR", "month"),
                ("travel", "900", "EUR", "once"),
            ),
            terms="Permanent contracts on the hospital's wards, after recognition of the degree; "
            "German courses to B2 paid by the employer.",
            languages=(("en", "B1", True), ("de", "B1", False)),
        ),
        NeedSpec(
            ELECTRICAL_EMPLOYER,
            "Electricians for building installations",
            "electrician",
            "7411",
            (WIRING, SWITCHES, REPAIR_WIRING),
            "job_abroad",
            "engineering",
            150,
            None,
            education="3",
            years=3,
            positions=10,
            package=(
                ("salary", "2900", "EUR", "month"),
                ("travel", "900", "EUR", "once"),
            ),
            terms="Installation work on residential and office sites in Bavaria.",
            languages=(("en", "A2", True), ("de", "A2", False)),
        ),
    )


@dataclass
class DemoResult:
    opportunities: int = 0
    applications: int = 0
    invitations: int = 0
    consents: int = 0
    skills: int = 0
    esco: bool = False
    skipped: bool = False
    notes: list[str] = field(default_factory=list)


def administrator() -> User | None:
    """An active administrator with a grant everywhere (seed_demo makes one)."""
    grant = (
        RoleGrant.objects.active()
        .filter(role=Role.ADMINISTRATOR, scope_kind=ScopeKind.GLOBAL)
        .select_related("user")
        .order_by("user_id")
        .first()
    )
    return grant.user if grant else None


def seed(actor: User, *, origin: str, seed: int = 1) -> DemoResult:
    """Add the demo programmes and opportunities, unless some opportunity exists already."""
    result = DemoResult()
    if Opportunity.objects.exists():
        result.skipped = True
        return result
    with transaction.atomic():
        today = timezone.localdate()
        result.esco = Occupation.objects.exists()
        hosts = _hosts(origin)
        skills_programme = services.save_programme(
            actor,
            Programme(
                name="Diaspora Skills for Development (demo)",
                code=SKILLS_PROGRAMME,
                kind=Programme.Kind.SKILLS_TRANSFER,
                description="Short missions, remote support and returns of diaspora "
                "professionals to public hospitals, universities and ministries (MIDA-style).",
                min_share_women=25,
            ),
        )
        labour_programme = services.save_programme(
            actor,
            Programme(
                name="Skilled workers for Germany (demo)",
                code=LABOUR_PROGRAMME,
                kind=Programme.Kind.LABOUR_AGREEMENT,
                description="Fair recruitment of nurses and craftspeople under a bilateral "
                "labour agreement.",
            ),
        )
        agreement = services.save_agreement(
            actor,
            LabourAgreement(
                programme=labour_programme,
                name=f"{origin}–{DESTINATION} agreement on skilled workers (demo)",
                origin_country=origin,
                destination_country=DESTINATION,
                valid_from=today - datetime.timedelta(days=180),
                valid_until=today + datetime.timedelta(days=3 * 365),
            ),
        )
        quotas = {
            sector: services.save_quota(
                actor,
                Quota(
                    agreement=agreement,
                    sector=sector,
                    starts=today - datetime.timedelta(days=30),
                    ends=today + datetime.timedelta(days=335),
                    positions=positions,
                ),
            )
            for sector, positions in (("health", 500), ("engineering", 200))
        }
        working = WORKING_LANGUAGES.get(origin, ("en", ""))
        currency = CURRENCIES.get(origin, "USD")
        cities = CITIES.get(origin, ("", "", ""))
        posted: list[Opportunity] = []
        for number, spec in enumerate(_needs()):
            languages = [LanguageNeed(working[0], "B2")]
            if working[1] and spec.modality != "virtual":
                languages.append(LanguageNeed(working[1], "B1", mandatory=False))
            posted.append(
                _post(
                    actor,
                    spec,
                    today,
                    host=hosts[spec.host],
                    programme=skills_programme,
                    country=origin,
                    city=cities[number % len(cities)],
                    languages=languages,
                    currency=currency,
                )
            )
        for spec in _job_orders():
            posted.append(
                _post(
                    actor,
                    spec,
                    today,
                    host=hosts[spec.host],
                    programme=labour_programme,
                    country=DESTINATION,
                    city="Stuttgart" if spec.sector == "health" else "Munich",
                    languages=[LanguageNeed(c, lvl, m) for c, lvl, m in spec.languages],
                    currency=currency,
                    quota=quotas[spec.sector],
                )
            )
        result.opportunities = len(posted)
        result.consents = _matching_profiles(seed)
        result.skills = _skill_holders(posted, seed, working[0])
        _applications(actor, posted, seed, result)
        _officer_programmes(result)
    return result


def _hosts(origin: str) -> dict[str, Organisation]:
    """The host institutions (the hospital from seed_demo, a university, a ministry) and the
    employers in the country of destination."""
    specs = (
        (HOSPITAL, Organisation.Kind.HOST, origin, ["health"]),
        (UNIVERSITY, Organisation.Kind.HOST, origin, ["education"]),
        (MINISTRY, Organisation.Kind.HOST, origin, ["public", "ict"]),
        (CLINIC_EMPLOYER, Organisation.Kind.EMPLOYER, DESTINATION, ["health"]),
        (ELECTRICAL_EMPLOYER, Organisation.Kind.EMPLOYER, DESTINATION, ["engineering"]),
    )
    found: dict[str, Organisation] = {}
    for name, kind, country, sectors in specs:
        organisation, _created = Organisation.objects.get_or_create(
            name=name,
            kind=kind,
            defaults={
                "country": country,
                "sectors": sectors,
                "verification": Organisation.Verification.VERIFIED,
            },
        )
        found[name] = organisation
    return found


def _occupation(spec: NeedSpec) -> tuple[Occupation | None, IscoGroup | None]:
    occupation = Occupation.objects.filter(label=spec.occupation).order_by("pk").first()
    if occupation is not None:
        return occupation, None
    group = (
        IscoGroup.objects.filter(code__in=[spec.isco, spec.isco[:3], spec.isco[:2]])
        .order_by("-code")
        .first()
    )
    return None, group


def _skill(asked: Asked) -> Skill:
    uri = ESCO_SKILL + asked.uuid
    skill = Skill.objects.filter(uri=uri).first()
    if skill is None:
        skill = Skill.objects.filter(label=asked.label).order_by("pk").first()
    if skill is None:
        skill = Skill.objects.create(uri=uri, label=asked.label)
    return skill


def _post(
    actor: User,
    spec: NeedSpec,
    today: datetime.date,
    *,
    host: Organisation,
    programme: Programme,
    country: str,
    city: str,
    languages: list[LanguageNeed],
    currency: str,
    quota: Quota | None = None,
) -> Opportunity:
    occupation, group = _occupation(spec)
    starts = today + datetime.timedelta(days=spec.starts_in)
    ends = starts + datetime.timedelta(weeks=spec.weeks) if spec.weeks else None
    opportunity = Opportunity(
        host=host,
        programme=programme,
        quota=quota,
        title=spec.title,
        terms_of_reference=spec.terms,
        occupation=occupation,
        isco_group=group,
        education_level=spec.education,
        years_experience=spec.years,
        modality=spec.modality,
        country=country,
        city=city,
        starts=starts,
        ends=ends,
        duration_days=spec.duration_days,
        apply_by=starts - datetime.timedelta(days=21),
        positions=spec.positions,
        sector=spec.sector,
    )
    package = [
        PackageLine(
            kind,
            Decimal(amount),
            currency if code == LOCAL else code,
            period,
        )
        for kind, amount, code, period in spec.package
    ]
    services.save_opportunity(
        actor,
        opportunity,
        skills=[SkillNeed(_skill(a), a.essential) for a in spec.skills],
        languages=languages,
        package=package,
    )
    for step in (services.submit, services.validate, services.publish):
        opportunity = step(actor, opportunity)
    return opportunity


def _matching_profiles(seed: int) -> int:
    """Consent to matching and open-ended availability for a deterministic share of the
    members who recorded neither; the demo member's login always among them."""
    rng = random.Random(seed)
    decided = Consent.objects.filter(purpose=Purpose.MATCHING).values("member_id")
    available = Availability.objects.values("member_id")
    open_ids = list(
        Member.objects.exclude(pk__in=decided)
        .exclude(pk__in=available)
        .order_by("pk")
        .values_list("pk", "user_id")
    )
    chosen = [pk for pk, user_id in open_ids if user_id is not None or rng.random() < CONSENT_SHARE]
    if not chosen:
        return 0
    notice = current_notice_version()
    bulk.insert(
        Consent,
        [
            {
                "member_id": pk,
                "purpose": Purpose.MATCHING,
                "channel": "",
                "granted": True,
                "notice_version": notice,
                "source": "demo",
            }
            for pk in chosen
        ],
    )
    windows: list[dict[str, Any]] = []
    for pk in chosen:
        ways = [m for m, share in AVAILABILITY_SHARES.items() if rng.random() < share]
        for modality in ways or ["virtual"]:
            windows.append({"member_id": pk, "modality": modality})
    bulk.insert(Availability, windows)
    return len(chosen)


def _skill_holders(posted: list[Opportunity], seed: int, language: str) -> int:
    """Synthetic members hold skills drawn from all of ESCO, so hardly any holds what a need
    asks: give a dozen consenting members per opportunity one to three of its skills (the
    rankings' candidates). The demo member's login gets the first need's skills, open-ended
    availability in every way and good ``language`` (the needs' working language)."""
    rng = random.Random(seed + 2)
    consenting = list(
        Member.objects.consenting(Purpose.MATCHING)
        .filter(user__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    asked = {o.pk: list(o.skills.order_by("pk").values_list("skill_id", flat=True)) for o in posted}
    held = set(
        MemberSkill.objects.filter(
            skill_id__in={s for ids in asked.values() for s in ids}
        ).values_list("member_id", "skill_id")
    )
    rows: list[dict[str, Any]] = []

    def give(member_id: int, skill_id: int) -> None:
        if (member_id, skill_id) not in held:
            held.add((member_id, skill_id))
            rows.append({"member_id": member_id, "skill_id": skill_id, "years": rng.randint(2, 20)})

    for opportunity in posted:
        skill_ids = asked[opportunity.pk]
        for member_id in rng.sample(consenting, min(12, len(consenting))):
            for skill_id in rng.sample(skill_ids, rng.randint(1, len(skill_ids))):
                give(member_id, skill_id)
    demo_member = Member.objects.filter(user__email=DEMO_MEMBER).first()
    if demo_member is not None and posted:
        for skill_id in asked[posted[0].pk]:
            give(demo_member.pk, skill_id)
        ways = set(demo_member.availability.values_list("modality", flat=True))
        bulk.insert(
            Availability,
            [
                {"member_id": demo_member.pk, "modality": m}
                for m in AVAILABILITY_SHARES
                if m not in ways
            ],
        )
        spoken = demo_member.languages.filter(language=language).first()
        if spoken is None:
            MemberLanguage.objects.create(member=demo_member, language=language, level="C1")
        elif spoken.level not in ("C1", "C2", "native"):
            spoken.level = "C1"
            spoken.save(update_fields=["level"])
    bulk.insert(MemberSkill, rows)
    return len(rows)


def _applications(actor: User, posted: list[Opportunity], seed: int, result: DemoResult) -> None:
    """The demo member's login applies to the first need; for each opportunity, two consenting
    members of its occupation's major group applied (recorded for them: they have no login),
    and the administrator invites one more."""
    rng = random.Random(seed + 1)
    consenting = list(
        Member.objects.consenting(Purpose.MATCHING)
        .order_by("pk")
        .values_list("pk", "isco_group__code", "user_id")
    )
    demo_member = Member.objects.filter(user__email=DEMO_MEMBER).select_related("user").first()
    taken: set[tuple[int, int]] = set()
    if demo_member is not None and demo_member.user is not None and posted:
        if not Member.objects.consenting(Purpose.MATCHING).filter(pk=demo_member.pk).exists():
            record_consent(demo_member.user, demo_member, Purpose.MATCHING, True, source="demo")
        services.apply(
            demo_member.user,
            posted[0],
            demo_member,
            message="I led an intensive care team abroad for six years and can come in spring.",
        )
        taken.add((posted[0].pk, demo_member.pk))
        result.applications += 1
    if not consenting:
        result.notes.append("No member consents to matching: no other applications.")
        return
    now = timezone.now()
    for opportunity in posted:
        code = opportunity.isco_group.code if opportunity.isco_group else ""
        near = [
            pk for pk, group, user in consenting if user is None and (group or "")[:1] == code[:1]
        ]
        pool = near if len(near) >= 3 else [pk for pk, _g, user in consenting if user is None]
        picks = rng.sample(pool, min(3, len(pool)))
        for pk in picks[:2]:
            if (opportunity.pk, pk) in taken:
                continue
            application = Application(
                opportunity=opportunity,
                member_id=pk,
                origin=Application.Origin.APPLIED,
                accepted_at=now,
            )
            application.full_clean(validate_constraints=False)
            application.save()
            taken.add((opportunity.pk, pk))
            result.applications += 1
        for pk in picks[2:]:
            if (opportunity.pk, pk) in taken:
                continue
            member = Member.objects.get(pk=pk)
            services.invite(
                actor, opportunity, member, message="Your profile fits this mission well."
            )
            taken.add((opportunity.pk, pk))
            result.invitations += 1


def _officer_programmes(result: DemoResult) -> None:
    """The demo programme officer (scoped to a country of residence by seed_demo) also runs
    the two demo programmes, so their rankings and members' matches show something."""
    officer = User.objects.filter(email="programme-officer@demo.liaison.test").first()
    if officer is None:
        return
    for code in (SKILLS_PROGRAMME, LABOUR_PROGRAMME):
        RoleGrant.objects.get_or_create(
            user=officer,
            role=Role.PROGRAMME_OFFICER,
            scope_kind=ScopeKind.PROGRAMME,
            scope_value=code,
        )
    result.notes.append("The demo programme officer runs the demo programmes.")
