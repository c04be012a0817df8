"""Ranking members for an opportunity, and opportunities for a member.

Members for an opportunity, fast at a million members:

1. **Candidates and an upper bound, in SQL.** One query finds the members with something
   relevant (a skill counting for a skill asked, read from the member-skill table by skill; an
   occupation in the group asked; a job in the work history there) and gives each an upper
   bound of their score: every part except the city and the desired languages exactly, those
   two at their best. The query only looks up and adds points that ``scoring`` computed
   (lookup tables passed as ``VALUES``), in whole thousandths of a point so that sums and
   orders are exact on every database.
2. **Exact scores, lazily, in Python.** The candidates are walked in the order of their bound,
   a batch at a time: the hard filters (consent, availability, mandatory languages, the
   programme's rules) are checked on the batch, and the members who pass are scored by
   ``scoring.match``, with their explanation. The walk stops when the members found beat every
   bound left: the ranking is exactly the one ``scoring`` defines over the whole registry.

Everything is read from the live tables, so a profile changed a moment ago ranks as it is now.

With a minimum share of women, a list of ``limit`` people holds at least that share when
enough qualified women exist: the best qualified women not in the plain top ``limit`` replace
the lowest-ranked others (marked ``promoted``). When fewer qualify, all of them are listed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from liaison.core import bulk
from liaison.matching import facts
from liaison.matching.models import SkillRelation
from liaison.matching.scoring import (
    PRACTICE_CREDIT,
    WEIGHTS,
    Match,
    Need,
    Part,
    Profile,
    education_points,
    experience_points,
    failures,
    isco_credit,
    match,
    occupation_credit,
    occupation_is_candidate,
    place_bound,
    relevant,
    skill_points,
    women_needed,
)
from liaison.opportunities.models import Opportunity, OpportunitySkill, Status
from liaison.registry.models import Member, MemberSkill, Sex, WorkExperience
from liaison.taxonomy.models import IscoGroup, Occupation

MILLI = 1000  # the SQL adds whole thousandths of a point
SLACK = 20  # thousandths: rounding of the lookups (half a thousandth each) and of sums
FIRST_WINDOW = 1000  # candidates read by the first query; later ones read more
GATE_BATCH = 250  # candidates whose hard filters are checked together
ISCED_LEVELS = ("", "0", "1", "2", "3", "4", "5", "6", "7", "8")


@dataclass(frozen=True)
class Candidate:
    rank: int
    member_id: int
    name: str
    sex: str
    score: float
    parts: tuple[Part, ...]
    promoted: bool = False


@dataclass
class Ranking:
    need: Need
    candidates: list[Candidate]
    considered: int  # members with something relevant, before the hard filters
    examined: int  # candidates whose hard filters were checked
    women_share: int | None = None
    women_needed: int = 0
    women_listed: int = 0

    @property
    def women_short(self) -> bool:
        """Fewer qualified women exist than the share asks for."""
        return self.women_listed < self.women_needed


@dataclass(frozen=True)
class _Row:
    member_id: int
    sex: str
    bound: int  # thousandths of a point


@dataclass
class _Found:
    score: float
    member_id: int
    profile: Profile
    result: Match

    @property
    def female(self) -> bool:
        return self.profile.sex == Sex.FEMALE


# --- the candidates' query ------------------------------------------------------------------


def _milli(points: float) -> int:
    return round(points * MILLI)


class _Sql:
    """Builds one statement and its parameters, for PostgreSQL or SQLite."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}
        self.postgresql = connection.vendor == "postgresql"

    def p(self, value: Any) -> str:
        """A named parameter, so that fragments may be built in any order."""
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"%({name})s"

    def table(self, model: Any) -> str:
        return str(connection.ops.quote_name(model._meta.db_table))

    def greatest(self, *terms: str) -> str:
        return f"{'GREATEST' if self.postgresql else 'MAX'}({', '.join(terms)})"

    def least(self, *terms: str) -> str:
        return f"{'LEAST' if self.postgresql else 'MIN'}({', '.join(terms)})"

    def among(self, column: str, values: Sequence[Any]) -> str:
        if not values:
            return "1 = 0"
        if self.postgresql:
            return f"{column} = ANY({self.p(list(values))})"
        return f"{column} IN ({', '.join(self.p(v) for v in values)})"

    def values(self, name: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
        """``name(columns) AS (VALUES ...)``, every value cast to BIGINT; a row of NULLs,
        which joins nothing, when there are none."""
        cells = rows or [[None] * len(columns)]
        body = ", ".join(
            "(" + ", ".join(f"CAST({self.p(v)} AS BIGINT)" for v in row) + ")" for row in cells
        )
        return f"{name}({', '.join(columns)}) AS (VALUES {body})"

    def text_values(self, name: str, rows: Sequence[tuple[str, int]]) -> str:
        body = ", ".join(f"({self.p(k)}, CAST({self.p(v)} AS BIGINT))" for k, v in rows)
        return f"{name}(level, points) AS (VALUES {body})"


@dataclass
class Plan:
    """The lookup tables of one opportunity's candidate query."""

    need: Need
    asked: list[tuple[int, int, int, int]] = field(default_factory=list)
    current: list[tuple[int, int]] = field(default_factory=list)  # occupation -> points
    groups: list[tuple[int, int]] = field(default_factory=list)  # ISCO group -> points
    candidate_groups: list[int] = field(default_factory=list)
    line: list[tuple[int, int, int]] = field(default_factory=list)  # job occupation -> ...
    education: list[tuple[str, int]] = field(default_factory=list)
    experience: list[tuple[int, int]] = field(default_factory=list)

    @classmethod
    def build(cls, need: Need) -> Plan:
        plan = cls(need)
        by_id = {s.skill_id: s for s in need.skills}
        for skill, links in sorted(need.links.items()):
            for link in links:
                points = _milli(skill_points(need, by_id[link.asked_id], link.credit))
                plan.asked.append(
                    (skill, link.asked_id, points, int(link.credit >= PRACTICE_CREDIT))
                )
        occupation_weight = WEIGHTS["occupation"]
        asked = [need.occupation_id] if need.occupation_id is not None else []
        for occupation in sorted({*asked, *need.neighbours}):
            credit, _kind = occupation_credit(need, occupation, "")
            plan.current.append((occupation, _milli(occupation_weight * credit)))
        if need.isco_code:
            sub_major = need.isco_code[:2]
            for pk, code in IscoGroup.objects.filter(code__startswith=sub_major).values_list(
                "pk", "code"
            ):
                credit, _kind = isco_credit(need.isco_code, code)
                if credit:
                    plan.groups.append((pk, _milli(occupation_weight * credit)))
                if need.candidate_prefix and code.startswith(need.candidate_prefix):
                    plan.candidate_groups.append(pk)
            plan.groups.sort()
            plan.candidate_groups.sort()
        line: dict[int, str] = {}
        if need.line_prefix:
            line.update(
                Occupation.objects.filter(
                    isco_group__code__startswith=need.line_prefix
                ).values_list("pk", "isco_group__code")
            )
        for near in (*asked, *need.neighbours):
            line.setdefault(near, "")
        for occupation, code in sorted(line.items()):
            credit, _kind = occupation_credit(need, occupation, code or "")
            plan.line.append(
                (
                    occupation,
                    _milli(occupation_weight * credit),
                    int(occupation_is_candidate(need, occupation, code or "")),
                )
            )
        plan.education = [(level, _milli(education_points(need, level))) for level in ISCED_LEVELS]
        plan.experience = [
            (years, _milli(experience_points(need, years)))
            for years in range(need.experience_target + 1)
        ]
        return plan

    def fetch(self, *, after: _Row | None, women_only: bool, limit: int) -> tuple[list[_Row], int]:
        """Candidates in the order of their bound (then id), after ``after``, and how many
        there are in all (with the same sex condition, ignoring ``after``)."""
        # Table names come from the models, quoted; every value is a (named) parameter.
        need, q = self.need, _Sql()
        ms, wx, mb = q.table(MemberSkill), q.table(WorkExperience), q.table(Member)
        this_year = q.p(need.this_year)
        member_occupations = [o for o, _points in self.current]
        parts = [
            q.values("asked", ["skill_id", "asked_id", "points", "practice"], self.asked),
            "skill_hits AS (SELECT ms.member_id AS member_id, a.asked_id AS asked_id, "  # noqa: S608
            "MAX(a.points) AS points, MAX(CASE WHEN a.practice = 1 THEN ms.years END) AS years "
            f"FROM {ms} ms INNER JOIN asked a ON a.skill_id = ms.skill_id "
            "GROUP BY ms.member_id, a.asked_id)",
            "by_skill AS (SELECT member_id, SUM(points) AS points, MAX(years) AS years "
            "FROM skill_hits GROUP BY member_id)",
            q.values("line", ["occupation_id", "points", "candidate"], self.line),
            "work AS (SELECT w.member_id AS member_id, "  # noqa: S608
            "SUM(CASE WHEN w.start_year IS NULL THEN 0 "
            f"WHEN COALESCE(w.end_year, {this_year}) < w.start_year THEN 0 "
            f"ELSE COALESCE(w.end_year, {this_year}) - w.start_year END) AS years, "
            "MAX(l.points) AS points, MAX(l.candidate) AS candidate "
            f"FROM {wx} w INNER JOIN line l ON l.occupation_id = w.occupation_id "
            "GROUP BY w.member_id)",
            "candidates AS (SELECT member_id FROM by_skill "  # noqa: S608
            f"UNION SELECT id FROM {mb} WHERE {q.among('isco_group_id', self.candidate_groups)} "
            f"UNION SELECT id FROM {mb} WHERE {q.among('occupation_id', member_occupations)} "
            "UNION SELECT member_id FROM work WHERE candidate = 1)",
            q.values("occ", ["occupation_id", "points"], self.current),
            q.values("grp", ["group_id", "points"], self.groups),
            q.text_values("edu", self.education),
            q.values("xp", ["years", "points"], self.experience),
        ]
        years = q.greatest("COALESCE(s.years, 0)", "COALESCE(wk.years, 0)")
        target = q.p(need.experience_target)
        capped = f"CASE WHEN {years} > {target} THEN {target} ELSE {years} END"
        occupation = q.greatest(
            "COALESCE(o.points, 0)", "COALESCE(g.points, 0)", "COALESCE(wk.points, 0)"
        )
        place = (
            f"CASE WHEN m.country_of_residence = {q.p(need.country)} "
            f"THEN {q.p(_milli(place_bound(need, need.country)))} "
            f"ELSE {q.p(_milli(place_bound(need, '')))} END"
        )
        # Languages are scored in Python: the bound counts them at their best.
        languages = q.p(_milli(WEIGHTS["languages"]))
        sex = f"WHERE m.sex = {q.p(Sex.FEMALE)}" if women_only else ""
        inner = (
            "WITH " + ", ".join(parts) + " "  # noqa: S608
            f"SELECT m.id AS id, m.sex AS sex, (COALESCE(s.points, 0) + {occupation} "
            f"+ COALESCE(x.points, 0) + COALESCE(e.points, 0) + {place} + {languages}) AS bound, "
            "COUNT(*) OVER () AS total "
            f"FROM candidates c INNER JOIN {mb} m ON m.id = c.member_id "
            "LEFT JOIN by_skill s ON s.member_id = m.id "
            "LEFT JOIN work wk ON wk.member_id = m.id "
            "LEFT JOIN occ o ON o.occupation_id = m.occupation_id "
            "LEFT JOIN grp g ON g.group_id = m.isco_group_id "
            "LEFT JOIN edu e ON e.level = m.education_level "
            f"LEFT JOIN xp x ON x.years = {capped} {sex}"
        )
        keyset = ""
        if after is not None:
            keyset = (
                f"WHERE t.bound < {(bound := q.p(after.bound))} OR "
                f"(t.bound = {bound} AND t.id > {q.p(after.member_id)})"
            )
        sql = (
            f"SELECT t.id, t.sex, t.bound, t.total FROM ({inner}) t {keyset} "  # noqa: S608
            f"ORDER BY t.bound DESC, t.id LIMIT {q.p(limit)}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, q.params)
            fetched = cursor.fetchall()
        total = int(fetched[0][3]) if fetched else 0
        return [_Row(int(r[0]), r[1] or "", int(r[2])) for r in fetched], total


# --- the walk -------------------------------------------------------------------------------


def _examine(need: Need, rows: Sequence[_Row]) -> list[_Found]:
    """The hard filters for ``rows``, then the exact scores of those who pass."""
    gates = facts.load_gates(need, [r.member_id for r in rows])
    passing = [r.member_id for r in rows if not failures(need, gates[r.member_id])]
    found = []
    for pk, profile in facts.load_profiles(passing).items():
        if failures(need, profile) or not relevant(need, profile):
            continue  # changed between the two reads, or not a candidate after all
        result = match(need, profile)
        found.append(_Found(result.score, pk, profile, result))
    return found


def _rows(plan: Plan, state: dict[str, Any]) -> Iterator[tuple[_Row, int | None]]:
    """Candidates one by one with the bound of every candidate after them (None when none is
    left), fetching windows as needed; ``state["women_only"]`` narrows later windows."""
    after: _Row | None = None
    window = FIRST_WINDOW
    while True:
        rows, total = plan.fetch(after=after, women_only=state["women_only"], limit=window)
        if "considered" not in state:
            state["considered"] = total
        full = len(rows) == window
        for i, row in enumerate(rows):
            if i + 1 < len(rows):
                rest: int | None = rows[i + 1].bound
            else:
                rest = row.bound if full else None
            yield row, rest
        if not full:
            return
        after = rows[-1]
        window *= 4


def rank_members(need: Need, *, limit: int = 50, women_share: int | None = None) -> Ranking:
    """The ``limit`` best qualified members for the opportunity, with their explanations; at
    least ``women_share`` per cent women when enough qualified women exist."""
    plan = Plan.build(need)
    needed = women_needed(women_share, limit)
    state: dict[str, Any] = {"women_only": False}
    found: list[_Found] = []
    batch: list[_Row] = []
    examined = 0
    batch_size = GATE_BATCH
    for row, rest in _rows(plan, state):
        if state["women_only"] and row.sex != Sex.FEMALE:
            continue
        batch.append(row)
        if len(batch) < batch_size and rest is not None:
            continue
        found += _examine(need, batch)
        examined += len(batch)
        batch = []
        batch_size = min(batch_size * 2, 4 * GATE_BATCH)
        if rest is None:
            break
        settled = [f for f in found if _milli(f.score) > rest + SLACK]
        if not state["women_only"]:
            if len(settled) >= limit:
                if sum(f.female for f in settled) >= needed:
                    break
                state["women_only"] = True  # the top is known; look for women only
        elif sum(f.female for f in settled) >= needed:
            break
    if batch:
        found += _examine(need, batch)
        examined += len(batch)
    found.sort(key=lambda f: (-f.score, f.member_id))
    chosen = found[:limit]
    promoted: set[int] = set()
    women = sum(f.female for f in chosen)
    if women < needed:
        extra = [f for f in found[limit:] if f.female][: needed - women]
        others = [f for f in chosen if not f.female]
        dropped = {f.member_id for f in others[len(others) - len(extra) :]} if extra else set()
        chosen = [f for f in chosen if f.member_id not in dropped] + extra
        promoted = {f.member_id for f in extra}
        chosen.sort(key=lambda f: (-f.score, f.member_id))
    candidates = [
        Candidate(
            rank,
            f.member_id,
            f.profile.name,
            f.profile.sex,
            f.score,
            f.result.parts,
            f.member_id in promoted,
        )
        for rank, f in enumerate(chosen, start=1)
    ]
    return Ranking(
        need=need,
        candidates=candidates,
        considered=int(state.get("considered", 0)),
        examined=examined,
        women_share=women_share,
        women_needed=needed,
        women_listed=sum(c.sex == Sex.FEMALE for c in candidates),
    )


# --- opportunities for a member -------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    rank: int
    opportunity: Opportunity
    score: float
    parts: tuple[Part, ...]


def open_opportunities(today: datetime.date | None = None) -> Any:
    today = today or timezone.localdate()
    return Opportunity.objects.filter(status=Status.PUBLISHED).filter(
        Q(apply_by__isnull=True) | Q(apply_by__gte=today)
    )


def _related_skills(held: set[int]) -> set[int]:
    """Skills that a member's skills count for: themselves, and their neighbours in ESCO."""
    if not held:
        return set()
    related = set(held)
    ids = sorted(held)
    broaders: set[int] = set()
    for part in bulk.among(SkillRelation.objects.all(), "skill_id", ids):
        broaders |= set(part.values_list("broader_id", flat=True))
    related |= broaders
    for part in bulk.among(SkillRelation.objects.all(), "broader_id", ids):
        related |= set(part.values_list("skill_id", flat=True))
    for part in bulk.among(SkillRelation.objects.all(), "broader_id", sorted(broaders)):
        related |= set(part.values_list("skill_id", flat=True))
    return related


def _candidate_opportunities(profile: Profile, today: datetime.date | None) -> list[int]:
    skills = _related_skills({s.skill_id for s in profile.skills})
    occupations = {
        o
        for o in (profile.occupation_id, *(j.occupation_id for j in profile.jobs))
        if o is not None
    }
    if occupations:
        found = Occupation.objects.filter(pk__in=occupations).values_list("pk", "broader_id")
        for _pk, broader in list(found):
            if broader:
                occupations.add(broader)
        occupations |= set(
            Occupation.objects.filter(broader_id__in=occupations).values_list("pk", flat=True)
        )
    codes = {profile.isco_code} | {j.isco_code for j in profile.jobs}
    prefixes = {c[:n] for c in codes for n in range(3, len(c) + 1) if c}
    condition = Q(pk__in=[])
    if skills:
        condition |= Q(
            pk__in=OpportunitySkill.objects.filter(skill_id__in=sorted(skills)).values(
                "opportunity_id"
            )
        )
    if occupations:
        condition |= Q(occupation_id__in=sorted(occupations))
    if prefixes:
        condition |= Q(isco_group__code__in=sorted(prefixes))
    return list(open_opportunities(today).filter(condition).values_list("pk", flat=True))


def rank_opportunities(
    profile: Profile,
    *,
    limit: int = 20,
    require_consent: bool = True,
    today: datetime.date | None = None,
) -> list[Suggestion]:
    """The open opportunities the member qualifies for, best first. ``require_consent=False``
    lets members see their own suggestions before they agree to be matched."""
    ids = _candidate_opportunities(profile, today)
    if not ids:
        return []
    opportunities = list(facts.opportunity_queryset().filter(pk__in=ids))
    needs = facts.load_needs(opportunities)
    checked = profile if require_consent else _consenting(profile)
    scored = []
    for opportunity in opportunities:
        need = needs[opportunity.pk]
        if not relevant(need, profile) or failures(need, checked):
            continue
        result = match(need, profile)
        scored.append((result.score, opportunity, result))
    scored.sort(key=lambda s: (-s[0], s[1].pk))
    return [
        Suggestion(rank, opportunity, score, result.parts)
        for rank, (score, opportunity, result) in enumerate(scored[:limit], start=1)
    ]


def _consenting(profile: Profile) -> Profile:
    return replace(profile, consents=True)
