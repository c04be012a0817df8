"""How well a member fits an opportunity: hard filters, soft scores and their explanations.

Pure functions over plain facts (``Need``: what an opportunity asks; ``Profile``: what a member
offers), read from the database by ``facts.py``. ``engine.py`` ranks with them: its SQL only
gathers candidates and adds up points that these functions computed, so the rules below are the
only place where a score is defined.

**Hard filters** (a member who fails one is not ranked):

- consent: the member's latest decision on "Matching with opportunities" is a consent;
- availability: a period of the member's, in a way the opportunity's modality accepts
  (``ACCEPTED_AVAILABILITY``), covers the opportunity's dates, or holds its days of work
  (``duration_days``) within them; an open-ended opportunity needs an open-ended availability;
- languages: every mandatory language at its minimum CEFR level or above;
- the programme's eligibility rules: its minimum years abroad (counted from the first job
  recorded outside the country of origin), and for a job order under a labour agreement, the
  nationality of the agreement's country of origin.

**Candidates** are members with something directly relevant to offer (``relevant``): a required
skill (desired ones when none is required), or a narrower ESCO skill of one; or the occupation
asked, or one next to it in ESCO (one step broader or narrower), now or in the work history. An
opportunity naming no occupation but an ISCO group of three or four digits also takes the
members within that group. Broader and sibling skills, desired skills and the ISCO group add
points to candidates but do not make anyone a candidate on their own: at a million members each
of them brings tens of thousands of people with little else in common with the opportunity
(an ISCO unit group holds up to 90 ESCO occupations).

**Soft scores** add up to 100 points; ``WEIGHTS`` is the table, ``RULES`` says in words how each
part is computed (shown to officers beside the ranking).
"""

from __future__ import annotations

import datetime
import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from babel import Locale, UnknownLocaleError
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy
from django_countries import countries

from liaison.taxonomy.reference import CEFR_ORDER, CefrLevel, IscedLevel

# --- the weights: one table ---------------------------------------------------------------------

# Points of each part at best. They add up to 100.
WEIGHTS: dict[str, int] = {
    "skills": 40,
    "occupation": 20,
    "experience": 15,
    "education": 10,
    "languages": 10,
    "place": 5,
}

# Required skills count twice as much as desired ones.
SKILL_WEIGHT = {True: 2, False: 1}
# What a member's skill is worth towards a skill asked, by its place in ESCO's skills pillar.
SKILL_CREDIT = {"exact": 1.0, "narrower": 0.75, "broader": 0.5, "sibling": 0.25}
# Years of practice of a skill count as experience when the skill is held at least this well.
PRACTICE_CREDIT = 0.75
# What the member's occupation is worth: the same ESCO occupation, one step broader or narrower
# in ESCO, within the ISCO group asked, or sharing its first three or two digits.
OCCUPATION_CREDIT = {
    "same": 1.0,
    "esco_neighbour": 0.8,
    "in_group": 0.7,
    "minor_group": 0.45,
    "sub_major_group": 0.2,
}
# Education: the level asked or above, or one level short of it.
EDUCATION_CREDIT = {"met": 1.0, "one_short": 0.5}
# Languages: each asked language counts equally; a desired one a level short counts half.
LANGUAGE_CREDIT = {"met": 1.0, "one_short": 0.5}
# Place, for work on site: living in the city of the work, or in its country.
PLACE_CREDIT = {"same_city": 1.0, "same_country": 0.6}
# Skills that make a member a candidate: the skill asked, or a narrower one.
CANDIDATE_RELATIONS = ("exact", "narrower")
# When an opportunity names no occupation, an ISCO group with at least this many digits makes
# the members within it candidates.
CANDIDATE_GROUP_DIGITS = 3

# Which of the registry's ways of contributing an opportunity's modality accepts. The registry
# has no "job abroad" availability: a job order asks for availability on site, either way.
ACCEPTED_AVAILABILITY: dict[str, tuple[str, ...]] = {
    "virtual": ("virtual",),
    "temporary": ("temporary",),
    "permanent": ("permanent",),
    "job_abroad": ("temporary", "permanent"),
}

assert sum(WEIGHTS.values()) == 100


@dataclass(frozen=True)
class Rule:
    key: str
    label: Promise
    points: int
    how: Promise


RULES: tuple[Rule, ...] = (
    Rule(
        "skills",
        gettext_lazy("Skills"),
        WEIGHTS["skills"],
        gettext_lazy(
            "Required skills count twice, desired ones once. A skill held counts fully, a "
            "narrower ESCO skill three quarters, the broader skill half, a sibling under the "
            "same broader skill a quarter."
        ),
    ),
    Rule(
        "occupation",
        gettext_lazy("Occupation"),
        WEIGHTS["occupation"],
        gettext_lazy(
            "The occupation asked counts fully; one step broader or narrower in ESCO 80%; "
            "within the ISCO group asked 70%; the same first three digits 45%, two digits 20%. "
            "The current occupation counts, or a job of the work history in the same line of "
            "work (ISCO minor group), whichever is closer."
        ),
    ),
    Rule(
        "experience",
        gettext_lazy("Experience"),
        WEIGHTS["experience"],
        gettext_lazy(
            "Years in the same line of work (ISCO minor group) in the work history, or years "
            "of practice of a skill asked, whichever is more, against the years asked (one "
            "year when none are asked)."
        ),
    ),
    Rule(
        "education",
        gettext_lazy("Education"),
        WEIGHTS["education"],
        gettext_lazy(
            "The ISCED level asked or above counts fully, one level short half. Full points "
            "when no level is asked."
        ),
    ),
    Rule(
        "languages",
        gettext_lazy("Languages"),
        WEIGHTS["languages"],
        gettext_lazy(
            "Each language asked counts equally: its minimum CEFR level or above fully, a "
            "desired language one level short half. Full points when none is asked."
        ),
    ),
    Rule(
        "place",
        gettext_lazy("Place"),
        WEIGHTS["place"],
        gettext_lazy(
            "On-site work: living in its city counts fully, in its country 60%. Remote work: "
            "full points for everyone."
        ),
    ),
)


# --- facts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AskedSkill:
    skill_id: int
    label: str
    essential: bool


@dataclass(frozen=True)
class SkillLink:
    """A skill that counts towards ``asked_id``, and how it relates to it in ESCO."""

    asked_id: int
    relation: str  # a key of SKILL_CREDIT

    @property
    def credit(self) -> float:
        return SKILL_CREDIT[self.relation]


@dataclass(frozen=True)
class AskedLanguage:
    code: str
    min_level: str
    mandatory: bool


@dataclass(frozen=True)
class Need:
    """What an opportunity asks, as the engine reads it."""

    opportunity_id: int
    title: str
    skills: tuple[AskedSkill, ...]
    # Every skill that counts for an asked skill (the asked skills themselves included).
    links: Mapping[int, tuple[SkillLink, ...]]
    occupation_id: int | None
    occupation_label: str
    # ESCO occupations one step broader or narrower than the one asked.
    neighbours: Mapping[int, str]
    isco_code: str
    isco_label: str
    education_level: str
    years_experience: int
    modality: str
    starts: datetime.date
    ends: datetime.date | None
    duration_days: int | None
    country: str
    city: str
    languages: tuple[AskedLanguage, ...]
    min_years_abroad: int | None = None
    nationals_of: str = ""  # a labour agreement admits nationals of this country
    origin_country: str = ""  # where "abroad" is counted from
    min_share_women: int | None = None
    this_year: int = field(default_factory=lambda: datetime.date.today().year)

    @property
    def total_skill_weight(self) -> int:
        return sum(SKILL_WEIGHT[s.essential] for s in self.skills)

    @property
    def candidate_prefix(self) -> str:
        """Members whose ISCO code starts with this are candidates by occupation ("" if none):
        only for an opportunity that names a group but no occupation."""
        if self.occupation_id is not None or len(self.isco_code) < CANDIDATE_GROUP_DIGITS:
            return ""
        return self.isco_code

    @property
    def candidate_skills(self) -> frozenset[int]:
        """The asked skills whose holders (or holders of a narrower skill) are candidates."""
        required = {s.skill_id for s in self.skills if s.essential}
        return frozenset(required or {s.skill_id for s in self.skills})

    def makes_candidate(self, link: SkillLink) -> bool:
        return link.relation in CANDIDATE_RELATIONS and link.asked_id in self.candidate_skills

    @property
    def line_prefix(self) -> str:
        """The line of work whose years count as experience: the ISCO minor group asked."""
        return self.isco_code[:3]

    @property
    def experience_target(self) -> int:
        return max(self.years_experience, 1)


@dataclass(frozen=True)
class HeldSkill:
    skill_id: int
    label: str
    level: str = ""
    years: int | None = None


@dataclass(frozen=True)
class Window:
    modality: str
    starts: datetime.date | None
    ends: datetime.date | None


@dataclass(frozen=True)
class Job:
    title: str
    occupation_id: int | None
    isco_code: str
    country: str
    start_year: int | None
    end_year: int | None


@dataclass(frozen=True)
class Profile:
    """What a member offers, as the engine reads it."""

    member_id: int
    name: str
    sex: str
    skills: tuple[HeldSkill, ...] = ()
    occupation_id: int | None = None
    occupation_label: str = ""
    isco_code: str = ""
    isco_label: str = ""
    education_level: str = ""
    country: str = ""
    city: str = ""
    languages: Mapping[str, str] = field(default_factory=dict)
    windows: tuple[Window, ...] = ()
    jobs: tuple[Job, ...] = ()
    nationalities: frozenset[str] = frozenset()
    consents: bool = False


@dataclass(frozen=True)
class Part:
    """One part of a score, as an officer reads it."""

    key: str
    label: str
    points: float
    max: int
    why: str


@dataclass(frozen=True)
class Failure:
    key: str  # consent, availability, language, eligibility
    why: str


@dataclass(frozen=True)
class Match:
    score: float
    parts: tuple[Part, ...]


# --- display helpers ------------------------------------------------------------------------

_translated: dict[tuple[str, str], str] = {}


def _(message: str) -> str:
    """``gettext``, remembered per language: explaining fifty people asks for the same few
    dozen strings fifty times."""
    key = (translation.get_language() or "", message)
    try:
        return _translated[key]
    except KeyError:
        text = _translated[key] = gettext(message)
        return text


@functools.lru_cache(maxsize=4096)
def _language_name(code: str, locale: str) -> str:
    try:
        return str(Locale.parse(locale.replace("-", "_")).languages.get(code) or code)
    except (UnknownLocaleError, ValueError):
        return code


def language_name(code: str) -> str:
    return _language_name(code, translation.get_language() or "en")


def level_name(level: str) -> str:
    return _("mother tongue") if level == CefrLevel.NATIVE else level


def country_name(code: str) -> str:
    return str(countries.name(code)) if code else ""


def _join(items: Iterable[str]) -> str:
    return ", ".join(items)


# --- hard filters ---------------------------------------------------------------------------


def available(need: Need, windows: Iterable[Window]) -> bool:
    """A window in an accepted way covers the dates (or holds the days of work within them)."""
    accepted = ACCEPTED_AVAILABILITY.get(need.modality, ())
    for w in windows:
        if w.modality not in accepted:
            continue
        if need.duration_days:
            first = max(w.starts or need.starts, need.starts)
            ends = [d for d in (w.ends, need.ends) if d is not None]
            if not ends:
                return True
            last = min(ends)
            if (last - first).days + 1 >= need.duration_days:
                return True
        elif (w.starts is None or w.starts <= need.starts) and (
            w.ends is None or (need.ends is not None and w.ends >= need.ends)
        ):
            return True
    return False


def speaks(level: str | None, minimum: str) -> bool:
    return level is not None and CEFR_ORDER.get(level, -1) >= CEFR_ORDER[minimum]


def years_abroad(need: Need, profile: Profile) -> int:
    """Years since the first job recorded outside the country of origin (any country when the
    origin is not set); 0 when none is recorded."""
    starts = [
        j.start_year
        for j in profile.jobs
        if j.start_year is not None and j.country and j.country != need.origin_country
    ]
    return max(0, need.this_year - min(starts)) if starts else 0


def failures(need: Need, profile: Profile) -> list[Failure]:
    """Why the member cannot be ranked for this opportunity (empty when they can)."""
    found: list[Failure] = []
    if not profile.consents:
        found.append(Failure("consent", _("has not agreed to be matched with opportunities")))
    if not available(need, profile.windows):
        found.append(Failure("availability", _("not available in the way and on the dates")))
    for lang in need.languages:
        if lang.mandatory and not speaks(profile.languages.get(lang.code), lang.min_level):
            found.append(
                Failure(
                    "language",
                    _("needs %(language)s at %(level)s at least")
                    % {"language": language_name(lang.code), "level": level_name(lang.min_level)},
                )
            )
    if need.min_years_abroad:
        years = years_abroad(need, profile)
        if years < need.min_years_abroad:
            found.append(
                Failure(
                    "eligibility",
                    _("the programme asks for %(n)s years abroad; %(have)s recorded")
                    % {"n": need.min_years_abroad, "have": years},
                )
            )
    if need.nationals_of and need.nationals_of not in profile.nationalities:
        found.append(
            Failure(
                "eligibility",
                _("the agreement admits nationals of %(country)s")
                % {"country": country_name(need.nationals_of)},
            )
        )
    return found


# --- relevance and soft scores --------------------------------------------------------------


def isco_credit(asked: str, held: str) -> tuple[float, str]:
    """Credit of an ISCO code ``held`` against the code ``asked``, and its kind."""
    if not asked or not held:
        return 0.0, ""
    if held.startswith(asked):
        return OCCUPATION_CREDIT["in_group"], "in_group"
    shared = len(_common_prefix(asked, held))
    if shared >= 3:
        return OCCUPATION_CREDIT["minor_group"], "minor_group"
    if shared == 2:
        return OCCUPATION_CREDIT["sub_major_group"], "sub_major_group"
    return 0.0, ""


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def occupation_credit(need: Need, occupation_id: int | None, isco_code: str) -> tuple[float, str]:
    """Credit of one occupation (current, or of a job) against the one asked."""
    if occupation_id is not None and occupation_id == need.occupation_id:
        return OCCUPATION_CREDIT["same"], "same"
    if occupation_id is not None and occupation_id in need.neighbours:
        return OCCUPATION_CREDIT["esco_neighbour"], "esco_neighbour"
    return isco_credit(need.isco_code, isco_code)


def occupation_is_candidate(need: Need, occupation_id: int | None, isco_code: str) -> bool:
    if occupation_id is not None and (
        occupation_id == need.occupation_id or occupation_id in need.neighbours
    ):
        return True
    prefix = need.candidate_prefix
    return bool(prefix and isco_code.startswith(prefix))


def in_line_of_work(need: Need, job: Job) -> bool:
    if job.occupation_id is not None and (
        job.occupation_id == need.occupation_id or job.occupation_id in need.neighbours
    ):
        return True
    prefix = need.line_prefix
    return bool(prefix and job.isco_code.startswith(prefix))


def job_years(job: Job, this_year: int) -> int:
    if job.start_year is None:
        return 0
    end = job.end_year if job.end_year is not None else this_year
    return max(0, end - job.start_year)


@dataclass(frozen=True)
class SkillHit:
    asked: AskedSkill
    credit: float
    relation: str
    held: HeldSkill | None


def skill_hits(need: Need, profile: Profile) -> list[SkillHit]:
    """For each skill asked, the member's skill that counts most for it (or none)."""
    best: dict[int, tuple[float, str, HeldSkill]] = {}
    for held in profile.skills:
        for link in need.links.get(held.skill_id, ()):
            current = best.get(link.asked_id)
            if current is None or link.credit > current[0]:
                best[link.asked_id] = (link.credit, link.relation, held)
    hits = []
    for asked in need.skills:
        credit, relation, held_skill = best.get(asked.skill_id, (0.0, "", None))
        hits.append(SkillHit(asked, credit, relation, held_skill))
    return hits


def relevant(need: Need, profile: Profile) -> bool:
    """Has the member something directly relevant to offer (see the module's docstring)?"""
    for held in profile.skills:
        if any(need.makes_candidate(link) for link in need.links.get(held.skill_id, ())):
            return True
    if occupation_is_candidate(need, profile.occupation_id, profile.isco_code):
        return True
    return any(occupation_is_candidate(need, j.occupation_id, j.isco_code) for j in profile.jobs)


def skill_points(need: Need, asked: AskedSkill, credit: float) -> float:
    total = need.total_skill_weight
    if not total:
        return 0.0
    return WEIGHTS["skills"] * SKILL_WEIGHT[asked.essential] * credit / total


def experience_points(need: Need, years: int) -> float:
    return WEIGHTS["experience"] * min(years, need.experience_target) / need.experience_target


def education_points(need: Need, level: str) -> float:
    if not need.education_level:
        return float(WEIGHTS["education"])
    if not level:
        return 0.0
    if level >= need.education_level:
        return WEIGHTS["education"] * EDUCATION_CREDIT["met"]
    if int(level) == int(need.education_level) - 1:
        return WEIGHTS["education"] * EDUCATION_CREDIT["one_short"]
    return 0.0


def place_points(need: Need, country: str, city: str) -> float:
    if need.modality == "virtual":
        return float(WEIGHTS["place"])
    if not country or country != need.country:
        return 0.0
    if need.city and city and city.strip().casefold() == need.city.strip().casefold():
        return WEIGHTS["place"] * PLACE_CREDIT["same_city"]
    return WEIGHTS["place"] * PLACE_CREDIT["same_country"]


def place_bound(need: Need, country: str) -> float:
    """The most place can give, knowing the country only (``engine``'s upper bound)."""
    if need.modality == "virtual" or (country and country == need.country):
        return float(WEIGHTS["place"])
    return 0.0


def language_credit(lang: AskedLanguage, level: str | None) -> float:
    if speaks(level, lang.min_level):
        return LANGUAGE_CREDIT["met"]
    if (
        not lang.mandatory
        and level is not None
        and CEFR_ORDER.get(level, -1) == CEFR_ORDER[lang.min_level] - 1
    ):
        return LANGUAGE_CREDIT["one_short"]
    return 0.0


def language_points(need: Need, languages: Mapping[str, str]) -> float:
    if not need.languages:
        return float(WEIGHTS["languages"])
    credits = [language_credit(lang, languages.get(lang.code)) for lang in need.languages]
    return WEIGHTS["languages"] * sum(credits) / len(credits)


# --- the explanation ------------------------------------------------------------------------


def _skills_part(need: Need, profile: Profile) -> Part:
    hits = skill_hits(need, profile)
    points = sum(skill_points(need, h.asked, h.credit) for h in hits)
    if not need.skills:
        why = _("No skill asked.")
    else:
        required = [h for h in hits if h.asked.essential]
        desired = [h for h in hits if not h.asked.essential]
        sentences = []
        for group, label in (
            (required, _("%(held)s of %(total)s required skills")),
            (desired, _("%(held)s of %(total)s desired skills")),
        ):
            if not group:
                continue
            held = [h for h in group if h.relation == "exact"]
            related = [h for h in group if h.relation and h.relation != "exact"]
            missing = [h for h in group if not h.relation]
            text = label % {"held": len(held), "total": len(group)}
            details = []
            if held:
                details.append(_join(h.asked.label for h in held))
            for h in related:
                assert h.held is not None
                details.append(_related_skill(h))
            if missing:
                details.append(
                    _("missing: %(list)s") % {"list": _join(h.asked.label for h in missing)}
                )
            sentences.append(f"{text}: {'; '.join(details)}" if details else text)
        why = ". ".join(sentences) + "."
    return Part("skills", _("Skills"), points, WEIGHTS["skills"], why)


def _related_skill(hit: SkillHit) -> str:
    assert hit.held is not None
    params = {"held": hit.held.label, "asked": hit.asked.label}
    if hit.relation == "narrower":
        return _("%(held)s (narrower than %(asked)s, counts ¾)") % params
    if hit.relation == "broader":
        return _("%(held)s (broader than %(asked)s, counts ½)") % params
    return _("%(held)s (next to %(asked)s in ESCO, counts ¼)") % params


def _occupation_text(kind: str, label: str, need: Need) -> str:
    params = {"held": label, "asked": need.occupation_label or need.isco_label}
    if kind == "same":
        return _("%(held)s, the occupation asked") % params
    if kind == "esco_neighbour":
        return _("%(held)s, next to %(asked)s in ESCO") % params
    if kind == "in_group":
        return _("%(held)s, within the group asked (ISCO %(code)s)") % {
            **params,
            "code": need.isco_code,
        }
    if kind == "minor_group":
        return _("%(held)s, in the same ISCO minor group (%(code)s)") % {
            **params,
            "code": need.isco_code[:3],
        }
    return _("%(held)s, in the same ISCO sub-major group (%(code)s)") % {
        **params,
        "code": need.isco_code[:2],
    }


def best_occupation(need: Need, profile: Profile) -> tuple[float, str, str, str]:
    """(credit, kind, label, source) of the closest of the member's current occupation and the
    jobs of their work history in the line of work; source is "job" for a job."""
    credit, kind = occupation_credit(need, profile.occupation_id, profile.isco_code)
    label = profile.occupation_label or profile.isco_label
    source = ""
    for job in profile.jobs:
        if not in_line_of_work(need, job):
            continue
        job_credit, job_kind = occupation_credit(need, job.occupation_id, job.isco_code)
        if job_credit > credit:
            credit, kind, label, source = job_credit, job_kind, job.title, "job"
    return credit, kind, label, source


def _occupation_part(need: Need, profile: Profile) -> Part:
    credit, kind, label, source = best_occupation(need, profile)
    points = WEIGHTS["occupation"] * credit
    if not credit:
        if profile.occupation_label or profile.isco_label:
            why = _("%(held)s: not close to %(asked)s.") % {
                "held": profile.occupation_label or profile.isco_label,
                "asked": need.occupation_label or need.isco_label,
            }
        else:
            why = _("No occupation recorded.")
    else:
        text = _occupation_text(kind, label, need)
        why = (_("Worked as %(text)s.") if source else _("Works as %(text)s.")) % {"text": text}
    return Part("occupation", _("Occupation"), points, WEIGHTS["occupation"], why)


def experience_years(need: Need, profile: Profile) -> tuple[int, int]:
    """(years in the line of work from the work history, years of practice of skills asked)."""
    work = sum(job_years(j, need.this_year) for j in profile.jobs if in_line_of_work(need, j))
    practice = max(
        (
            held.years or 0
            for held in profile.skills
            if any(link.credit >= PRACTICE_CREDIT for link in need.links.get(held.skill_id, ()))
        ),
        default=0,
    )
    return work, practice


def _experience_part(need: Need, profile: Profile) -> Part:
    work, practice = experience_years(need, profile)
    years = max(work, practice)
    points = experience_points(need, years)
    asked = (
        _("%(n)s years asked") % {"n": need.years_experience}
        if need.years_experience
        else _("none asked")
    )
    if not years:
        why = _("No relevant experience recorded; %(asked)s.") % {"asked": asked}
    elif work >= practice:
        why = _("%(n)s years in this line of work; %(asked)s.") % {"n": work, "asked": asked}
    else:
        why = _("%(n)s years practising a skill asked; %(asked)s.") % {
            "n": practice,
            "asked": asked,
        }
    return Part("experience", _("Experience"), points, WEIGHTS["experience"], why)


def _education_part(need: Need, profile: Profile) -> Part:
    points = education_points(need, profile.education_level)
    held = (
        str(IscedLevel(profile.education_level).label)
        if profile.education_level in IscedLevel.values
        else ""
    )
    if not need.education_level:
        why = _("No minimum asked.")
    else:
        asked = str(IscedLevel(need.education_level).label)
        if not held:
            why = _("No level recorded; %(asked)s or above asked.") % {"asked": asked}
        else:
            why = _("%(held)s; %(asked)s or above asked.") % {"held": held, "asked": asked}
    return Part("education", _("Education"), points, WEIGHTS["education"], why)


def _languages_part(need: Need, profile: Profile) -> Part:
    points = language_points(need, profile.languages)
    if not need.languages:
        why = _("No language asked.")
    else:
        items = []
        for lang in need.languages:
            level = profile.languages.get(lang.code)
            asked = (_("%(level)s required") if lang.mandatory else _("%(level)s desired")) % {
                "level": level_name(lang.min_level)
            }
            has = level_name(level) if level else _("not spoken")
            items.append(f"{language_name(lang.code)} {has} ({asked})")
        why = _join(items) + "."
    return Part("languages", _("Languages"), points, WEIGHTS["languages"], why)


def _place_part(need: Need, profile: Profile) -> Part:
    points = place_points(need, profile.country, profile.city)
    if need.modality == "virtual":
        why = _("Remote work: the place does not matter.")
    elif points >= WEIGHTS["place"]:
        why = _("Lives in %(city)s, where the work is.") % {"city": profile.city}
    elif points:
        why = _("Lives in %(country)s, where the work is.") % {
            "country": country_name(profile.country)
        }
    else:
        where = country_name(profile.country) or _("an unknown country")
        why = _("Lives in %(there)s; the work is in %(here)s.") % {
            "there": where,
            "here": country_name(need.country),
        }
    return Part("place", _("Place"), points, WEIGHTS["place"], why)


def total(need: Need, profile: Profile) -> float:
    """The score alone, without the explanation's words (what ``match`` adds up)."""
    hits = skill_hits(need, profile)
    return (
        sum(skill_points(need, h.asked, h.credit) for h in hits)
        + WEIGHTS["occupation"] * best_occupation(need, profile)[0]
        + experience_points(need, max(experience_years(need, profile)))
        + education_points(need, profile.education_level)
        + language_points(need, profile.languages)
        + place_points(need, profile.country, profile.city)
    )


def match(need: Need, profile: Profile) -> Match:
    """The member's score for the opportunity, part by part, with the reasons in words (in the
    active language)."""
    parts = (
        _skills_part(need, profile),
        _occupation_part(need, profile),
        _experience_part(need, profile),
        _education_part(need, profile),
        _languages_part(need, profile),
        _place_part(need, profile),
    )
    return Match(sum(p.points for p in parts), parts)


def women_needed(share: int | None, size: int) -> int:
    """Women a list of ``size`` must hold to reach ``share`` per cent."""
    if not share or size <= 0:
        return 0
    return min(size, math.ceil(share * size / 100))
