"""Ranking members for an opportunity, and opportunities for a member.

Members for an opportunity, fast at a million members, in one SQL statement and a little
Python:

1. **Candidates** (see ``scoring.relevant``): holders of a required skill or a narrower one,
   read from the member-skill table by skill, and members in the occupation's ESCO family, now
   or in their work history, read by occupation. A few thousand people at a million members.
2. **Scores, in SQL**: every part as ``scoring`` defines it, except the city, which counts at
   its best for members living in the country of the work. The statement only looks up and
   adds points that ``scoring`` computed (lookup tables passed as ``VALUES``, in whole
   thousandths of a point so that sums and orders are exact on every database).
3. **Hard filters first**: availability (the most selective), consent, mandatory languages and
   the programme's rules are checked on the candidates before anything else of theirs is read;
   only those who pass are scored, sorted, and the first ones returned (``LIMIT``).
4. **In Python**, the city's points are settled from the rows returned; if the candidates found
   do not yet beat every score left (ties, or the city), the next rows are read. The list is
   exactly the one ``scoring`` defines over the whole registry; the people listed are then read
   in full and explained by ``scoring.match``.

Everything is read from the live tables, so a profile changed a moment ago ranks as it is now.

With a minimum share of women, a list of ``limit`` people holds at least that share when
enough qualified women exist: the best qualified women not in the plain top ``limit`` replace
the lowest-ranked others (marked ``promoted``). When fewer qualify, all of them are listed.
"""

# The statement is built from the models' quoted table names and named parameters only.
# ruff: noqa: S608

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from liaison.core import bulk
from liaison.matching import facts
from liaison.matching.models import SkillRelation
from liaison.matching.scoring import (
    ACCEPTED_AVAILABILITY,
    LANGUAGE_CREDIT,
    PRACTICE_CREDIT,
    WEIGHTS,
    Need,
    Part,
    Profile,
    education_points,
    experience_points,
    failures,
    isco_credit,
    match,
    occupation_credit,
    place_bound,
    place_points,
    relevant,
    skill_points,
    total,
    women_needed,
)
from liaison.opportunities.models import Opportunity, OpportunitySkill, Status
from liaison.registry.models import (
    Availability,
    Consent,
    Member,
    MemberLanguage,
    MemberSkill,
    Purpose,
    Sex,
    WorkExperience,
)
from liaison.taxonomy.models import IscoGroup, Occupation
from liaison.taxonomy.reference import CEFR_ORDER

MILLI = 1000  # the SQL adds whole thousandths of a point
EXTRA = 50  # candidates read beyond the list's length, to settle ties and the city
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
    considered: int  # members with something directly relevant, before the hard filters
    examined: int  # qualified candidates read to settle the list
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
    bound: int  # thousandths of a point: the score with the city at its best
    score: int  # thousandths of a point: the exact score


# --- the statement ----------------------------------------------------------------------------


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

    def days(self, later: str, earlier: str) -> str:
        if self.postgresql:
            return f"({later} - {earlier})"
        return f"(julianday({later}) - julianday({earlier}))"

    @property
    def materialized(self) -> str:
        return "MATERIALIZED " if self.postgresql else ""

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


def _probe(q: _Sql, model: Any, alias: str, member: str, condition: str) -> str:
    """Whether the member has a row of ``model`` meeting ``condition``, as a scalar subquery:
    the database then looks it up member by member through the index, rather than reading the
    whole table to join it (which it does for EXISTS when it misjudges how many members)."""
    return (
        f"(SELECT 1 FROM {q.table(model)} {alias} WHERE {alias}.member_id = {member} "
        f"AND {condition} LIMIT 1) = 1"
    )


def _levels_from(minimum: str) -> list[str]:
    return [level for level, rank in CEFR_ORDER.items() if rank >= CEFR_ORDER[minimum]]


@dataclass
class Plan:
    """The lookup tables of one opportunity's statement, computed by ``scoring``."""

    need: Need
    asked: list[tuple[int, int, int, int, int]] = field(default_factory=list)
    current: list[tuple[int, int]] = field(default_factory=list)  # occupation -> points
    groups: list[tuple[int, int]] = field(default_factory=list)  # ISCO group -> points
    candidate_groups: list[int] = field(default_factory=list)
    line: list[tuple[int, int]] = field(default_factory=list)  # a job's occupation -> points
    education: list[tuple[str, int]] = field(default_factory=list)
    experience: list[tuple[int, int]] = field(default_factory=list)

    @property
    def family(self) -> list[int]:
        """The occupation asked and its ESCO neighbours."""
        return [o for o, _points in self.current]

    @classmethod
    def build(cls, need: Need) -> Plan:
        plan = cls(need)
        by_id = {s.skill_id: s for s in need.skills}
        for skill, links in sorted(need.links.items()):
            for link in links:
                points = _milli(skill_points(need, by_id[link.asked_id], link.credit))
                plan.asked.append(
                    (
                        skill,
                        link.asked_id,
                        points,
                        int(link.credit >= PRACTICE_CREDIT),
                        int(need.makes_candidate(link)),
                    )
                )
        weight = WEIGHTS["occupation"]
        asked = [need.occupation_id] if need.occupation_id is not None else []
        for occupation in sorted({*asked, *need.neighbours}):
            credit, _kind = occupation_credit(need, occupation, "")
            plan.current.append((occupation, _milli(weight * credit)))
        if need.isco_code:
            sub_major = need.isco_code[:2]
            for pk, code in IscoGroup.objects.filter(code__startswith=sub_major).values_list(
                "pk", "code"
            ):
                credit, _kind = isco_credit(need.isco_code, code)
                if credit:
                    plan.groups.append((pk, _milli(weight * credit)))
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
            plan.line.append((occupation, _milli(weight * credit)))
        plan.education = [(level, _milli(education_points(need, level))) for level in ISCED_LEVELS]
        plan.experience = [
            (years, _milli(experience_points(need, years)))
            for years in range(need.experience_target + 1)
        ]
        return plan

    def _languages(self, q: _Sql, member: str) -> str:
        """The languages' points: mandatory ones count as met (the filters keep only those who
        meet them), desired ones as the member speaks them."""
        need = self.need
        if not need.languages:
            return q.p(_milli(WEIGHTS["languages"]))
        share = WEIGHTS["languages"] / len(need.languages)
        terms = []
        for lang in need.languages:
            met = _milli(share * LANGUAGE_CREDIT["met"])
            if lang.mandatory:
                terms.append(q.p(met))
                continue
            rank = CEFR_ORDER[lang.min_level]
            short = [level for level, r in CEFR_ORDER.items() if r == rank - 1]
            terms.append(
                f"COALESCE((SELECT CASE WHEN {q.among('ml.level', _levels_from(lang.min_level))} "
                f"THEN {q.p(met)} WHEN {q.among('ml.level', short)} "
                f"THEN {q.p(_milli(share * LANGUAGE_CREDIT['one_short']))} ELSE 0 END "
                f"FROM {q.table(MemberLanguage)} ml WHERE ml.member_id = {member} "
                f"AND ml.language = {q.p(lang.code)}), 0)"
            )
        return " + ".join(terms)

    def _available(self, q: _Sql, member: str) -> str:
        """A period of availability in an accepted way that holds the opportunity's dates."""
        need = self.need
        window = [q.among("a.modality", ACCEPTED_AVAILABILITY.get(need.modality, ()))]
        starts, ends, days = need.starts, need.ends, need.duration_days
        if days:
            # The days of work fit where the two periods overlap: every end is at least
            # ``days - 1`` days after every start.
            window.append(
                f"(a.ends IS NULL OR a.ends >= {q.p(starts + datetime.timedelta(days=days - 1))})"
            )
            if ends is not None:
                if (ends - starts).days + 1 < days:
                    window.append("1 = 0")
                latest = ends - datetime.timedelta(days=days - 1)
                window.append(f"(a.starts IS NULL OR a.starts <= {q.p(latest)})")
            window.append(
                "(a.starts IS NULL OR a.ends IS NULL OR "
                f"{q.days('a.ends', 'a.starts')} >= {q.p(days - 1)})"
            )
        else:
            window.append(f"(a.starts IS NULL OR a.starts <= {q.p(starts)})")
            window.append(
                f"(a.ends IS NULL OR a.ends >= {q.p(ends)})" if ends else "a.ends IS NULL"
            )
        return _probe(q, Availability, "a", member, " AND ".join(window))

    def _filters(self, q: _Sql, member: str) -> list[str]:
        """The other hard filters but nationality, as SQL conditions on the member id
        ``member`` (see ``scoring.failures``)."""
        need = self.need
        conditions = [
            f"(SELECT k.granted FROM {q.table(Consent)} k WHERE k.member_id = {member} "
            f"AND k.purpose = {q.p(Purpose.MATCHING)} AND k.channel = {q.p('')} "
            f"ORDER BY k.recorded_at DESC, k.id DESC LIMIT 1) = {q.p(True)}",
        ]
        for lang in need.languages:
            if lang.mandatory:
                conditions.append(
                    _probe(
                        q,
                        MemberLanguage,
                        "ml",
                        member,
                        f"ml.language = {q.p(lang.code)} "
                        f"AND {q.among('ml.level', _levels_from(lang.min_level))}",
                    )
                )
        if need.min_years_abroad:
            conditions.append(
                _probe(
                    q,
                    WorkExperience,
                    "w",
                    member,
                    f"w.country <> {q.p('')} AND w.country <> {q.p(need.origin_country)} "
                    f"AND w.start_year <= {q.p(need.this_year - need.min_years_abroad)}",
                )
            )
        return conditions

    def fetch(self, *, after: _Row | None, women_only: bool, limit: int) -> tuple[list[_Row], int]:
        """The first ``limit`` qualified candidates in the order of their bound (then id), after
        ``after``, and how many candidates there are before the hard filters.

        Each candidate's parts are read by correlated subqueries, through indexes, only for
        those who pass the hard filters: a plan that stays the same whatever the sizes."""
        need, q = self.need, _Sql()
        ms, wx, mb = q.table(MemberSkill), q.table(WorkExperience), q.table(Member)
        skills = sorted({row[0] for row in self.asked if row[4]})
        practised = sorted({row[0] for row in self.asked if row[3]})
        by_group = (
            f"UNION SELECT id FROM {mb} WHERE {q.among('isco_group_id', self.candidate_groups)} "
            if self.candidate_groups
            else ""
        )
        this_year = q.p(need.this_year)
        job_years = (
            "CASE WHEN w.start_year IS NULL THEN 0 "
            f"WHEN COALESCE(w.end_year, {this_year}) < w.start_year THEN 0 "
            f"ELSE COALESCE(w.end_year, {this_year}) - w.start_year END"
        )
        parts = [
            q.values(
                "asked", ["skill_id", "asked_id", "points", "practice", "candidate"], self.asked
            ),
            q.values("line", ["occupation_id", "points"], self.line),
            # In the order of member ids, so that the checks below visit the tables' pages in
            # order (rows are mostly stored in that order), each page once.
            f"relevant AS {q.materialized}(SELECT u.member_id AS member_id FROM ("
            f"SELECT ms.member_id AS member_id FROM {ms} ms "
            f"WHERE {q.among('ms.skill_id', skills)} "
            f"UNION SELECT id FROM {mb} WHERE {q.among('occupation_id', self.family)} "
            f"UNION SELECT member_id FROM {wx} WHERE {q.among('occupation_id', self.family)} "
            f"{by_group}) u ORDER BY u.member_id)",
            # The hard filters before anything else is read: availability first (the most
            # selective), kept apart so that the database checks it first.
            f"available AS {q.materialized}(SELECT r.member_id AS member_id FROM relevant r "
            f"WHERE {self._available(q, 'r.member_id')})",
            "cand AS (SELECT v.member_id AS member_id FROM available v "
            f"WHERE {' AND '.join(self._filters(q, 'v.member_id'))})",
        ]
        conditions = []
        if need.nationals_of:
            conditions.append(
                f"({q.p(',')} || m.nationalities || {q.p(',')}) "
                f"LIKE {q.p('%,' + need.nationals_of + ',%')}"
            )
        if women_only:
            conditions.append(f"m.sex = {q.p(Sex.FEMALE)}")
        # Kept apart, so that each candidate's subqueries run once.
        parts.append(
            f"scored AS {q.materialized}(SELECT m.id AS id, m.sex AS sex, "
            "m.country_of_residence AS country, "
            "m.city AS city, m.occupation_id AS occupation_id, m.isco_group_id AS isco_group_id, "
            "m.education_level AS education_level, "
            # For each skill asked, the member's skill that counts most; then their sum.
            "COALESCE((SELECT SUM(h.points) FROM (SELECT MAX(a.points) AS points "
            f"FROM {ms} held INNER JOIN asked a ON a.skill_id = held.skill_id "
            "WHERE held.member_id = m.id GROUP BY a.asked_id) h), 0) AS skill_points, "
            f"COALESCE((SELECT MAX(held.years) FROM {ms} held WHERE held.member_id = m.id "
            f"AND {q.among('held.skill_id', practised)}), 0) AS practice, "
            f"COALESCE((SELECT SUM({job_years}) FROM {wx} w INNER JOIN line l "
            "ON l.occupation_id = w.occupation_id WHERE w.member_id = m.id), 0) AS work_years, "
            f"COALESCE((SELECT MAX(l.points) FROM {wx} w INNER JOIN line l "
            "ON l.occupation_id = w.occupation_id WHERE w.member_id = m.id), 0) AS work_points, "
            f"{self._languages(q, 'm.id')} AS language_points "
            f"FROM cand c INNER JOIN {mb} m ON m.id = c.member_id"
            + (f" WHERE {' AND '.join(conditions)}" if conditions else "")
            + ")"
        )
        parts += [
            q.values("occ", ["occupation_id", "points"], self.current),
            q.values("grp", ["group_id", "points"], self.groups),
            q.text_values("edu", self.education),
            q.values("xp", ["years", "points"], self.experience),
        ]
        years = q.greatest("t.practice", "t.work_years")
        target = q.p(need.experience_target)
        capped = f"CASE WHEN {years} > {target} THEN {target} ELSE {years} END"
        occupation = q.greatest("COALESCE(o.points, 0)", "COALESCE(g.points, 0)", "t.work_points")
        place = (
            f"CASE WHEN t.country = {q.p(need.country)} "
            f"THEN {q.p(_milli(place_bound(need, need.country)))} "
            f"ELSE {q.p(_milli(place_bound(need, '')))} END"
        )
        parts.append(
            "totals AS (SELECT t.id AS id, t.sex AS sex, t.country AS country, t.city AS city, "
            f"(t.skill_points + {occupation} + COALESCE(x.points, 0) + COALESCE(e.points, 0) "
            f"+ {place} + t.language_points) AS bound FROM scored t "
            "LEFT JOIN occ o ON o.occupation_id = t.occupation_id "
            "LEFT JOIN grp g ON g.group_id = t.isco_group_id "
            "LEFT JOIN edu e ON e.level = t.education_level "
            f"LEFT JOIN xp x ON x.years = {capped})"
        )
        keyset = ""
        if after is not None:
            bound = q.p(after.bound)
            keyset = (
                f"WHERE t.bound < {bound} OR (t.bound = {bound} AND t.id > {q.p(after.member_id)})"
            )
        sql = (
            "WITH " + ", ".join(parts) + " "
            "SELECT r.id, r.sex, r.bound, r.country, r.city, n.total "
            "FROM (SELECT COUNT(*) AS total FROM relevant) n LEFT JOIN ("
            f"SELECT t.id, t.sex, t.bound, t.country, t.city FROM totals t {keyset} "
            f"ORDER BY t.bound DESC, t.id LIMIT {q.p(limit)}"
            ") r ON 1 = 1 ORDER BY r.bound DESC, r.id"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            if q.postgresql:
                # Compiling this one-off statement (JIT) costs more than it saves.
                cursor.execute("SET LOCAL jit = off")
            cursor.execute(sql, q.params)
            fetched = cursor.fetchall()
        considered = int(fetched[0][5]) if fetched else 0
        rows = []
        for pk, sex, bound, country, city, _total in fetched:
            if pk is None:
                continue
            country = str(country or "")
            exact = (
                int(bound)
                - _milli(place_bound(need, country))
                + _milli(place_points(need, country, city or ""))
            )
            rows.append(_Row(int(pk), sex or "", int(bound), exact))
        return rows, considered


# --- the walk -------------------------------------------------------------------------------


def _settled(found: list[_Row], last: _Row | None) -> list[_Row]:
    """The rows that no row left unread can overtake (all of them when none is left). Rows left
    have a lower bound than the last row read, or the same bound and a larger id; a score is
    never above its bound. Scores are whole thousandths: equal means equal."""
    if last is None:
        return found
    return [
        r
        for r in found
        if r.score > last.bound or (r.score == last.bound and r.member_id <= last.member_id)
    ]


def rank_members(need: Need, *, limit: int = 50, women_share: int | None = None) -> Ranking:
    """The ``limit`` best qualified members for the opportunity, with their explanations; at
    least ``women_share`` per cent women when enough qualified women exist."""
    plan = Plan.build(need)
    needed = women_needed(women_share, limit)
    found: list[_Row] = []
    after: _Row | None = None
    women_only = False
    size = max(1, limit + EXTRA + needed)
    considered: int | None = None
    while True:
        rows, total_candidates = plan.fetch(after=after, women_only=women_only, limit=size)
        if considered is None:
            considered = total_candidates
        found += rows
        last = rows[-1] if len(rows) == size else None
        settled = _settled(found, last)
        if last is None:
            break
        if not women_only and len(settled) >= limit:
            if sum(r.sex == Sex.FEMALE for r in settled) >= needed:
                break
            women_only = True  # the top is known: look for women only
        elif women_only and sum(r.sex == Sex.FEMALE for r in settled) >= needed:
            break
        after = rows[-1]
        size *= 4
    found.sort(key=lambda r: (-r.score, r.member_id))
    chosen = found[:limit]
    women = sum(r.sex == Sex.FEMALE for r in chosen)
    promoted: set[int] = set()
    if women < needed:
        extra = [r for r in found[limit:] if r.sex == Sex.FEMALE][: needed - women]
        others = [r for r in chosen if r.sex != Sex.FEMALE]
        dropped = {r.member_id for r in others[len(others) - len(extra) :]} if extra else set()
        chosen = [r for r in chosen if r.member_id not in dropped] + extra
        promoted = {r.member_id for r in extra}
    candidates = _explain(need, chosen, promoted)
    return Ranking(
        need=need,
        candidates=candidates,
        considered=considered or 0,
        examined=len(found),
        women_share=women_share,
        women_needed=needed,
        women_listed=sum(c.sex == Sex.FEMALE for c in candidates),
    )


def _explain(need: Need, rows: list[_Row], promoted: set[int]) -> list[Candidate]:
    """The people listed (in order), read in full and explained by ``scoring``. The hard
    filters were checked by the statement (their agreement with ``scoring.failures`` is
    tested); availability and consent are not read again."""
    profiles = facts.load_profiles([r.member_id for r in rows], filters=False)
    explained = []
    for row in sorted(rows, key=lambda r: (-r.score, r.member_id)):
        profile = profiles.get(row.member_id)
        if profile is None or not relevant(need, profile):
            continue  # erased or changed since the statement read them
        result = match(need, profile)
        explained.append((result, profile, row))
    return [
        Candidate(
            rank,
            profile.member_id,
            profile.name,
            profile.sex,
            result.score,
            result.parts,
            profile.member_id in promoted,
        )
        for rank, (result, profile, _row) in enumerate(explained, start=1)
    ]


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
    if prefixes:  # an opportunity naming a group but no occupation (scoring.Need.candidate_prefix)
        condition |= Q(occupation__isnull=True, isco_group__code__in=sorted(prefixes))
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
    checked = profile if require_consent else replace(profile, consents=True)
    scored = []
    for opportunity in opportunities:
        need = needs[opportunity.pk]
        if not relevant(need, profile) or failures(need, checked):
            continue
        scored.append((total(need, profile), opportunity, need))
    scored.sort(key=lambda s: (-round(s[0], 6), s[1].pk))
    suggestions = []
    for rank, (_score, opportunity, need) in enumerate(scored[:limit], start=1):
        result = match(need, profile)
        suggestions.append(Suggestion(rank, opportunity, result.score, result.parts))
    return suggestions
