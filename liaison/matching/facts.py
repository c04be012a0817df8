"""Reading the facts the scoring rules work on: an opportunity's ``Need`` and members'
``Profile``s, from the live tables (a few queries per batch of members, however many)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.utils import timezone

from liaison.core import bulk
from liaison.matching.models import SkillRelation
from liaison.matching.scoring import (
    SKILL_CREDIT,
    AskedLanguage,
    AskedSkill,
    HeldSkill,
    Job,
    Need,
    Profile,
    SkillLink,
    Window,
)
from liaison.opportunities.models import Opportunity, OpportunityLanguage, OpportunitySkill
from liaison.registry.models import (
    Availability,
    Consent,
    Member,
    MemberLanguage,
    MemberSkill,
    Purpose,
    WorkExperience,
)
from liaison.taxonomy.isco import ISCO_GROUPS
from liaison.taxonomy.models import Occupation


def isco_label(code: str | None, label: str | None) -> str:
    if not code:
        return ""
    builtin = ISCO_GROUPS.get(code)
    return f"{code} {builtin if builtin is not None else label or ''}".strip()


def _rows(queryset: Any, field: str, ids: Sequence[int], *values: str) -> Iterable[Any]:
    for part in bulk.among(queryset, field, list(ids)):
        yield from part.values_list(*values)


# --- needs ----------------------------------------------------------------------------------


def skill_links(asked: Iterable[int]) -> dict[int, tuple[SkillLink, ...]]:
    """Every skill that counts for one of ``asked``, with its best relation to each."""
    asked_ids = set(asked)
    best: dict[tuple[int, int], str] = {(a, a): "exact" for a in asked_ids}

    def offer(skill: int, asked_id: int, relation: str) -> None:
        key = (skill, asked_id)
        current = best.get(key)
        if current is None or SKILL_CREDIT[relation] > SKILL_CREDIT[current]:
            best[key] = relation

    if asked_ids:
        ids = sorted(asked_ids)
        relations = SkillRelation.objects.all()
        for skill, broader in _rows(relations, "broader_id", ids, "skill_id", "broader_id"):
            offer(skill, broader, "narrower")  # the member's skill is narrower than the one asked
        broaders: dict[int, set[int]] = defaultdict(set)
        for skill, broader in _rows(relations, "skill_id", ids, "skill_id", "broader_id"):
            offer(broader, skill, "broader")
            broaders[broader].add(skill)
        if broaders:
            for sibling, broader in _rows(
                relations, "broader_id", sorted(broaders), "skill_id", "broader_id"
            ):
                for asked_id in broaders[broader]:
                    if sibling != asked_id:
                        offer(sibling, asked_id, "sibling")
    links: dict[int, list[SkillLink]] = defaultdict(list)
    for (skill, asked_id), relation in sorted(best.items()):
        links[skill].append(SkillLink(asked_id, relation))
    return {skill: tuple(found) for skill, found in links.items()}


def load_needs(opportunities: Sequence[Opportunity]) -> dict[int, Need]:
    """The needs of these opportunities (loaded with ``programme``, ``occupation``,
    ``isco_group`` and ``quota__agreement``, or fetched here)."""
    ids = [o.pk for o in opportunities]
    skills: dict[int, list[AskedSkill]] = defaultdict(list)
    asked_rows = OpportunitySkill.objects.order_by("-essential", "skill__label", "pk")
    for opp, skill, label, essential in _rows(
        asked_rows, "opportunity_id", ids, "opportunity_id", "skill_id", "skill__label", "essential"
    ):
        skills[opp].append(AskedSkill(skill, label, essential))
    languages: dict[int, list[AskedLanguage]] = defaultdict(list)
    language_rows = OpportunityLanguage.objects.order_by("-mandatory", "language")
    for opp, code, level, mandatory in _rows(
        language_rows, "opportunity_id", ids, "opportunity_id", "language", "min_level", "mandatory"
    ):
        languages[opp].append(AskedLanguage(code, level, mandatory))
    links = skill_links(s.skill_id for found in skills.values() for s in found)
    by_asked: dict[int, list[tuple[int, SkillLink]]] = defaultdict(list)
    for skill, found_links in links.items():
        for link in found_links:
            by_asked[link.asked_id].append((skill, link))
    occupations = {o.occupation_id for o in opportunities if o.occupation_id}
    neighbours: dict[int, dict[int, str]] = defaultdict(dict)
    if occupations:
        for pk, broader in Occupation.objects.filter(pk__in=occupations).values_list(
            "pk", "broader_id"
        ):
            if broader:
                neighbours[pk][broader] = "broader"
        for pk, broader in Occupation.objects.filter(broader_id__in=occupations).values_list(
            "pk", "broader_id"
        ):
            neighbours[broader][pk] = "narrower"
    this_year = timezone.localdate().year
    needs = {}
    for o in opportunities:
        asked = skills.get(o.pk, [])
        own: dict[int, list[SkillLink]] = defaultdict(list)
        for skill_asked in asked:
            for skill, link in by_asked.get(skill_asked.skill_id, ()):
                own[skill].append(link)
        nationals_of = ""
        if o.kind == Opportunity.Kind.JOB_ORDER and o.quota_id:
            assert o.quota is not None
            nationals_of = o.quota.agreement.origin_country.code or ""
        group = o.isco_group
        needs[o.pk] = Need(
            opportunity_id=o.pk,
            title=o.title,
            skills=tuple(asked),
            links={skill: tuple(found) for skill, found in own.items()},
            occupation_id=o.occupation_id,
            occupation_label=o.occupation.label if o.occupation else "",
            neighbours=dict(neighbours.get(o.occupation_id or 0, {})),
            isco_code=group.code if group else "",
            isco_label=isco_label(group.code, group.label) if group else "",
            education_level=o.education_level,
            years_experience=o.years_experience,
            modality=o.modality,
            starts=o.starts,
            ends=o.ends,
            duration_days=o.duration_days,
            country=o.country.code or "",
            city=o.city,
            languages=tuple(languages.get(o.pk, [])),
            min_years_abroad=o.programme.min_years_abroad,
            nationals_of=nationals_of,
            origin_country=nationals_of or settings.LIAISON_ORIGIN_COUNTRY,
            min_share_women=o.programme.min_share_women,
            this_year=this_year,
        )
    return needs


def opportunity_queryset() -> Any:
    return Opportunity.objects.select_related(
        "programme", "occupation", "isco_group", "quota__agreement", "host"
    )


def load_need(opportunity: Opportunity) -> Need:
    return load_needs([opportunity])[opportunity.pk]


# --- profiles -------------------------------------------------------------------------------


def consenting_ids(ids: Sequence[int]) -> set[int]:
    """Those of ``ids`` whose latest decision on matching is a consent."""
    latest: dict[int, bool] = {}
    rows = Consent.objects.filter(purpose=Purpose.MATCHING, channel="").order_by(
        "member_id", "-recorded_at", "-pk"
    )
    for member_id, granted in _rows(rows, "member_id", ids, "member_id", "granted"):
        latest.setdefault(member_id, granted)
    return {m for m, granted in latest.items() if granted}


def windows_of(ids: Sequence[int]) -> dict[int, list[Window]]:
    found: dict[int, list[Window]] = defaultdict(list)
    rows = Availability.objects.order_by("member_id", "pk")
    for member_id, modality, starts, ends in _rows(
        rows, "member_id", ids, "member_id", "modality", "starts", "ends"
    ):
        found[member_id].append(Window(modality, starts, ends))
    return found


def languages_of(
    ids: Sequence[int], only: Iterable[str] | None = None
) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = defaultdict(dict)
    rows = MemberLanguage.objects.order_by("member_id", "language")
    wanted = sorted(set(only)) if only is not None else None
    if wanted is not None:
        if not wanted:
            return found
        rows = rows.filter(language__in=wanted)
    for member_id, code, level in _rows(rows, "member_id", ids, "member_id", "language", "level"):
        found[member_id][code] = level
    return found


def jobs_of(ids: Sequence[int]) -> dict[int, list[Job]]:
    found: dict[int, list[Job]] = defaultdict(list)
    rows = WorkExperience.objects.order_by("member_id", "-start_year", "pk")
    for member_id, title, occupation, label, code, country, start, end in _rows(
        rows,
        "member_id",
        ids,
        "member_id",
        "title",
        "occupation_id",
        "occupation__label",
        "occupation__isco_group__code",
        "country",
        "start_year",
        "end_year",
    ):
        found[member_id].append(
            Job(title or label or "", occupation, code or "", str(country or ""), start, end)
        )
    return found


def _countries(value: Any) -> frozenset[str]:
    if not value:
        return frozenset()
    if isinstance(value, str):
        return frozenset(c for c in value.split(",") if c)
    return frozenset(str(getattr(c, "code", c)) for c in value)


def load_profiles(ids: Sequence[int], *, filters: bool = True) -> dict[int, Profile]:
    """Full profiles of these members (those that exist), in a few queries. ``filters=False``
    leaves out what only the hard filters read (availability and consent: they are taken as
    met), for people the ranking's statement has already checked."""
    ids = list(ids)
    skills: dict[int, list[HeldSkill]] = defaultdict(list)
    skill_rows = MemberSkill.objects.order_by("member_id", "skill__label", "pk")
    for member_id, skill, label, level, years in _rows(
        skill_rows, "member_id", ids, "member_id", "skill_id", "skill__label", "level", "years"
    ):
        skills[member_id].append(HeldSkill(skill, label, level, years))
    languages = languages_of(ids)
    windows = windows_of(ids) if filters else {}
    jobs = jobs_of(ids)
    consenting = consenting_ids(ids) if filters else set(ids)
    profiles = {}
    for row in _rows(
        Member.objects.all(),
        "pk",
        ids,
        "pk",
        "given_name",
        "family_name",
        "sex",
        "occupation_id",
        "occupation__label",
        "isco_group__code",
        "isco_group__label",
        "education_level",
        "country_of_residence",
        "city",
        "nationalities",
    ):
        pk, given, family, sex, occupation, occupation_label, code, group_label = row[:8]
        education, country, city, nationalities = row[8:]
        profiles[pk] = Profile(
            member_id=pk,
            name=f"{given} {family}".strip(),
            sex=sex,
            skills=tuple(skills.get(pk, ())),
            occupation_id=occupation,
            occupation_label=occupation_label or "",
            isco_code=code or "",
            isco_label=isco_label(code, group_label),
            education_level=education,
            country=str(country or ""),
            city=city,
            languages=languages.get(pk, {}),
            windows=tuple(windows.get(pk, ())),
            jobs=tuple(jobs.get(pk, ())),
            nationalities=_countries(nationalities),
            consents=pk in consenting,
        )
    return profiles
