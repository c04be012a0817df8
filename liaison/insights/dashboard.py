"""The insights dashboard: the registry's members counted by host country, sex, age band,
education, occupation group, skills, interests, availability, languages and month of
registration, under the same filters and within the reader's scope.

Everything is counted by the database (GROUP BY on indexed columns); Python only labels the
few hundred groups that come back. The member table is read twice: the demographic dimensions
together (one GROUP BY over the covering demography index, added up per dimension afterwards),
then the occupation group with the month of registration. The unfiltered dashboard is
cached, keyed on what the counts depend on (see ``data_version``), and so are its raw counts.

A filtered view is first checked against differencing (``liaison.insights.selection``: one
read of the members grouped by the filtered dimensions); a view refused shows no figure. A
view shown hides, besides the small cells, each cell that 1 to k - 1 people separate from the
same cell one filter wider, and each cell the unfiltered view hides; the counts one filter
wider are read for that (the unfiltered ones from the cache).
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pycountry
from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_countries import countries

from liaison.accounts.permissions import RULES, grants_of, visible
from liaison.accounts.roles import ScopeKind
from liaison.insights import selection
from liaison.insights.aggregates import (
    Row,
    Table,
    exposed,
    narrower_than,
    share,
    suppress,
    table,
    threshold,
    withheld,
)
from liaison.insights.filters import (
    AGE_BANDS,
    ISCO_MAJOR,
    NOT_STATED,
    Cut,
    InsightsFilterForm,
)
from liaison.insights.models import MigrantStock
from liaison.registry.models import (
    Availability,
    Interest,
    Member,
    MemberInterest,
    MemberLanguage,
    MemberSkill,
    Modality,
    Sex,
)
from liaison.registry.search import years_before
from liaison.taxonomy.isco import ISCO_GROUPS
from liaison.taxonomy.models import IscoGroup, Skill
from liaison.taxonomy.reference import IscedLevel, locale

ACTION = "insights.view"
TOP_SKILLS = 10
TOP_LANGUAGES = 15
CACHE_SECONDS = 600  # an upper bound on staleness where data_version cannot see a change


def refusal_message() -> str:
    return _(
        "This selection would let someone work out figures about fewer than %(n)s people; widen it."
    ) % {"n": threshold()}


def too_few_message() -> str:
    return _("Fewer than %(n)s people match: no figure is shown.") % {"n": threshold()}


@dataclass
class Dashboard:
    tables: dict[str, Table]
    total: int | None  # members counted; None when nothing is shown
    too_few: bool  # the unfiltered population is 1 to threshold - 1: no figure is shown
    filtered: bool
    estimate_year: int | None
    origin: str
    map: dict[str, Any]  # the host-country choropleth's data (see map_payload)
    computed_at: datetime.datetime = field(default_factory=timezone.now)
    cached: bool = False
    refused: bool = False  # the filters could be differenced (see selection): nothing shown
    raw_counts: Counts | None = None  # the unfiltered view's, unsuppressed: never shown

    def ordered(self) -> list[Table]:
        return list(self.tables.values())

    @property
    def message(self) -> str:
        """Why no figure is shown, in the reader's language; empty when figures are shown."""
        if self.refused:
            return refusal_message()
        if self.too_few:
            return too_few_message()
        return ""


@dataclass
class Counts:
    """One population's raw counts, for the checks against differencing."""

    dims: dict[str, dict[str, int]]  # by dimension (occupation by ISCO major group)
    interests: dict[str, int]
    availability: dict[str, int]
    languages: dict[str, int]
    skills: dict[int, int]  # of the skills asked for only


# --- scope ------------------------------------------------------------------------------------
def scope_countries(user: Any) -> list[str] | None:
    """The countries the user reads insights for; None means everywhere."""
    grants = [g for g in grants_of(user) if g.role in RULES[ACTION]]
    if any(g.scope_kind == ScopeKind.GLOBAL for g in grants):
        return None
    return sorted({g.scope_value for g in grants if g.scope_kind == ScopeKind.COUNTRY})


def scope_key(user: Any) -> str:
    countries_ = scope_countries(user)
    return "all" if countries_ is None else ",".join(countries_) or "nothing"


# --- labels -----------------------------------------------------------------------------------
@functools.cache
def _numeric(code: str) -> str:
    found = pycountry.countries.get(alpha_2=code)
    return str(found.numeric) if found is not None else ""


def language_name(code: str) -> str:
    where = locale()
    if code in where.languages:
        return str(where.languages[code])
    found = pycountry.languages.get(alpha_2=code) or pycountry.languages.get(alpha_3=code)
    return str(found.name) if found is not None else code


def _month_label(key: str) -> str:
    year, month = (int(p) for p in key.split("-"))
    return date_format(datetime.date(year, month, 1), "YEAR_MONTH_FORMAT")


# --- counting ---------------------------------------------------------------------------------
def dimensions(today: datetime.date) -> dict[str, Any]:
    """What each member panel groups by, as database expressions."""
    bands = [When(birth_date__isnull=True, then=Value(NOT_STATED))]
    for band, (_low, high) in AGE_BANDS.items():
        if high is not None:
            bands.append(When(birth_date__gt=years_before(today, high + 1), then=Value(band)))
    return {
        "country": F("country_of_residence"),
        "sex": F("sex"),
        "age": Case(*bands, default=Value("65+")),
        "education": F("education_level"),
        "isco": F("isco_group_id"),
        "month": TruncMonth("created_at"),
    }


def _key(value: Any) -> str:
    if value is None or value == "":
        return NOT_STATED
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{value.year:04d}-{value.month:02d}"
    return str(value)


# Grouped together and added up per dimension afterwards (a few thousand combinations at most);
# read from the demography index (country, sex, birth date, education) on PostgreSQL.
COMBINED = ("country", "sex", "education", "age")


def member_counts(members: QuerySet[Member], today: datetime.date) -> dict[str, dict[str, int]]:
    """Members by each dimension: {"sex": {"female": 12, ...}, ...}, in two queries: the
    demographic dimensions together, then the occupation group and month of registration."""
    exprs = dimensions(today)
    out: dict[str, dict[str, int]] = {name: {} for name in exprs}
    base = members.order_by()
    if base.query.is_empty():
        return out
    conn = connections[members.db]
    with transaction.atomic(using=members.db):
        if conn.vendor == "postgresql":
            # The planner guesses a hundred thousand combinations where there are a few
            # thousand at most, so it would sort a million rows in one process; with room to
            # hash them and the partial groups' cost told right, it hashes them in parallel
            # (on a million members: 230 ms -> 130 ms). For this transaction only.
            with conn.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '32MB'")
                cursor.execute("SET LOCAL parallel_tuple_cost = 0.0001")
        combos = (
            base.values(**{f"d_{n}": exprs[n] for n in COMBINED})
            .annotate(n=Count("*"))
            .values_list(*(f"d_{n}" for n in COMBINED), "n")
        )
        for *values, n in combos:
            for name, value in zip(COMBINED, values, strict=True):
                key = _key(value)
                out[name][key] = out[name].get(key, 0) + n
        # Occupation group and month together: one more read of the table, not two.
        for group, month, n in (
            base.values(g=exprs["isco"], m=exprs["month"])
            .annotate(n=Count("*"))
            .values_list("g", "m", "n")
        ):
            for name, value in (("isco", group), ("month", month)):
                key = _key(value)
                out[name][key] = out[name].get(key, 0) + n
    return out


def _related(model: Any, members: QuerySet[Member], narrowed: bool) -> QuerySet[Any]:
    rows: QuerySet[Any] = model.objects.order_by()
    return rows.filter(member__in=members.values("pk")) if narrowed else rows


def held_counts(
    members: QuerySet[Member], narrowed: bool, limit: int
) -> tuple[list[tuple[int, int]], list[tuple[str, int]]]:
    """The most held skills (with ``limit`` holders or more) and the languages spoken, by
    members: the two largest tables, counted in one go (raw, labelled later: labels depend on
    the request's language, which another thread does not have)."""
    skills = list(
        _related(MemberSkill, members, narrowed)
        .values("skill_id")
        .annotate(n=Count("*"))
        .filter(n__gte=limit)
        .order_by("-n", "skill_id")
        .values_list("skill_id", "n")[:TOP_SKILLS]
    )
    languages = list(
        _related(MemberLanguage, members, narrowed)
        .values("language")
        .annotate(n=Count("*"))
        .order_by("-n", "language")
        .values_list("language", "n")
    )
    return skills, languages


def choice_counts(
    members: QuerySet[Member], narrowed: bool, today: datetime.date
) -> tuple[dict[str, int], dict[str, int]]:
    """Members by interest, and by way of contributing they are available for now (each
    member once per way, however many periods they gave)."""
    if members.query.is_empty():  # an invalid filter selects nobody
        return {}, {}
    interests = dict(
        _related(MemberInterest, members, narrowed)
        .values("interest")
        .annotate(n=Count("*"))
        .values_list("interest", "n")
    )
    current = (
        _related(Availability, members, narrowed)
        .filter(Q(ends__isnull=True) | Q(ends__gte=today))
        .values("modality", "member_id")
        .distinct()
    )
    sql, params = current.query.sql_with_params()
    with connections[current.db].cursor() as cursor:
        cursor.execute(
            f"SELECT modality, COUNT(*) FROM ({sql}) AS current GROUP BY modality",  # noqa: S608
            params,
        )
        availability = {str(m): int(n) for m, n in cursor.fetchall()}
    return interests, availability


def isco_codes() -> dict[int, str]:
    return dict(IscoGroup.objects.values_list("pk", "code"))


def by_major(groups: dict[str, int], codes: dict[int, str]) -> dict[str, int]:
    """Members by ISCO major group, from members by occupation group (an id, or NOT_STATED)."""
    majors: dict[str, int] = {}
    for group, n in groups.items():
        code = by_major_key(group, codes)
        majors[code] = majors.get(code, 0) + n
    return majors


def cube(
    members: QuerySet[Member], cuts: list[Cut], today: datetime.date, codes: dict[int, str]
) -> selection.Cube:
    """``members`` grouped by the dimensions the cuts cut (keys as the tables have them)."""
    if not cuts:
        return []
    exprs = dimensions(today)
    names = [f"d{i}" for i in range(len(cuts))]
    rows = (
        members.order_by()
        .values(**{n: exprs[c.dimension] for n, c in zip(names, cuts, strict=True)})
        .annotate(n=Count("*"))
        .values_list(*names, "n")
    )
    out: dict[tuple[str, ...], int] = {}
    for *values, n in rows:
        keys = tuple(
            by_major_key(_key(v), codes) if c.dimension == "isco" else _key(v)
            for c, v in zip(cuts, values, strict=True)
        )
        out[keys] = out.get(keys, 0) + n
    return list(out.items())


def by_major_key(group: str, codes: dict[int, str]) -> str:
    return NOT_STATED if group == NOT_STATED else codes.get(int(group), "?")[:1]


def skill_counts(members: QuerySet[Member], narrowed: bool, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    return dict(
        _related(MemberSkill, members, narrowed)
        .filter(skill_id__in=ids)
        .values("skill_id")
        .annotate(n=Count("*"))
        .values_list("skill_id", "n")
    )


def language_counts(members: QuerySet[Member], narrowed: bool) -> dict[str, int]:
    return dict(
        _related(MemberLanguage, members, narrowed)
        .values("language")
        .annotate(n=Count("*"))
        .values_list("language", "n")
    )


def counted(
    members: QuerySet[Member],
    narrowed: bool,
    today: datetime.date,
    codes: dict[int, str],
    skills: list[int],
) -> Counts:
    """The raw counts of a wider view (six queries)."""
    dims = member_counts(members, today)
    dims["isco"] = by_major(dims["isco"], codes)
    interests, availability = choice_counts(members, narrowed, today)
    return Counts(
        dims,
        interests,
        availability,
        language_counts(members, narrowed),
        skill_counts(members, narrowed, skills),
    )


A = TypeVar("A")
B = TypeVar("B")


def side_by_side(first: Callable[[], A], second: Callable[[], B]) -> tuple[A, B]:
    """``first()`` here and ``second()`` in another thread, on its own database connection,
    when the database is PostgreSQL and no transaction is open (a second connection would
    not see its rows); one after the other otherwise. On a million members the member table's
    counts (with interests and availability) and the skills' and languages' each take about
    half the time of the whole (two cores: about 0.9 s -> 0.75 s)."""
    conn = connections["default"]
    if conn.vendor != "postgresql" or conn.in_atomic_block:
        return first(), second()

    def run() -> B:
        try:
            return second()
        finally:
            connections.close_all()  # this thread's own connections

    with ThreadPoolExecutor(max_workers=1) as pool:
        later = pool.submit(run)
        here = first()
        return here, later.result()


# --- building ---------------------------------------------------------------------------------
def build(user: Any, form: InsightsFilterForm, today: datetime.date | None = None) -> Dashboard:
    """The dashboard for ``user`` under ``form``'s filters; the unfiltered one from the cache
    when nothing it counts has changed."""
    today = today or timezone.localdate()
    if form.active:
        return _compute(user, form, today)
    key = _cache_key(user, today)
    found = cache.get(key)
    if isinstance(found, Dashboard):
        found.cached = True
        return found
    dashboard = _compute(user, form, today)
    cache.set(key, dashboard, CACHE_SECONDS)
    return dashboard


def _cache_key(user: Any, today: datetime.date, version: str = "", kind: str = "") -> str:
    """The unfiltered dashboard's key (in the reader's language), or, with ``kind``, the key
    of something else that depends on the same data."""
    parts = "|".join(
        [
            version or data_version(),
            scope_key(user),
            "" if kind else translation.get_language() or "",
            today.isoformat(),
            str(threshold()),
            settings.LIAISON_ORIGIN_COUNTRY,
        ]
    )
    return f"insights:{kind or 'dashboard'}:v1:" + hashlib.sha256(parts.encode()).hexdigest()


def _root_counts(
    user: Any, everyone: QuerySet[Member], today: datetime.date, codes: dict[int, str]
) -> Counts:
    """The unfiltered view's raw counts, skills aside: kept with the unfiltered dashboard in
    the cache, or on their own; counted (and kept) when neither is there."""
    version = data_version()
    board = cache.get(_cache_key(user, today, version))
    if isinstance(board, Dashboard) and board.raw_counts is not None:
        return board.raw_counts
    key = _cache_key(user, today, version, kind="counts")
    found = cache.get(key)
    if isinstance(found, Counts):
        return found
    counts = counted(everyone, scope_countries(user) is not None, today, codes, [])
    cache.set(key, counts, CACHE_SECONDS)
    return counts


def _compute(user: Any, form: InsightsFilterForm, today: datetime.date) -> Dashboard:
    limit = threshold()
    scope = scope_countries(user)
    everyone = visible(user, ACTION, Member.objects.all())
    members = form.apply(everyone, today)
    narrowed = form.active or scope is not None
    origin = settings.LIAISON_ORIGIN_COUNTRY.upper()
    cuts = form.cuts()
    codes = isco_codes()
    if cuts and not selection.allowed(cube(everyone, cuts, today, codes), cuts, limit):
        return Dashboard({}, None, False, True, None, origin, map_payload(None), refused=True)

    def here() -> tuple[dict[str, dict[str, int]], tuple[dict[str, int], dict[str, int]]]:
        return member_counts(members, today), choice_counts(members, narrowed, today)

    (counts, (interests, available)), (skills, languages) = side_by_side(
        here, lambda: held_counts(members, narrowed, limit)
    )
    counts["isco"] = by_major(counts["isco"], codes)
    total = sum(counts["sex"].values())
    # Kept with the unfiltered dashboard (never shown): the filtered views check against them.
    raw = None if form.active else Counts(counts, interests, available, dict(languages), {})
    if 0 < total < limit:  # a filtered view gets here only if the registry just changed
        return Dashboard(
            {},
            None,
            not form.active,
            form.active,
            None,
            origin,
            map_payload(None),
            refused=form.active,
            raw_counts=raw,
        )
    checks = Checks(None, [], limit)
    if cuts and total:
        root, wider = _wider(user, everyone, form, cuts, today, codes, [s for s, _n in skills])
        checks = Checks(root, wider, limit)
    unit = _("members")
    tables: dict[str, Table] = {}
    hosts, year = host_country_table(
        counts["country"], total, scope, form, origin, checks.also("country", counts["country"])
    )
    tables["countries"] = hosts
    tables["sex"] = table(
        "sex",
        _("Sex"),
        counts["sex"],
        {**{k: str(v) for k, v in Sex.choices}, NOT_STATED: _("Not stated")},
        total=total,
        unit=unit,
        also=checks.also("sex", counts["sex"]),
    )
    tables["age"] = table(
        "age",
        _("Age"),
        counts["age"],
        {**{k: k.replace("-", "–") for k in AGE_BANDS}, NOT_STATED: _("Not stated")},
        total=total,
        unit=unit,
        also=checks.also("age", counts["age"]),
    )
    tables["education"] = table(
        "education",
        _("Education (ISCED 2011)"),
        counts["education"],
        {**{k: f"{k} {v}" for k, v in IscedLevel.choices}, NOT_STATED: _("Not stated")},
        total=total,
        unit=unit,
        also=checks.also("education", counts["education"]),
    )
    tables["isco"] = table(
        "isco",
        _("Occupation (ISCO-08 major group)"),
        counts["isco"],
        {**{c: f"{c} {ISCO_GROUPS[c]}" for c in ISCO_MAJOR}, NOT_STATED: _("Not stated")},
        total=total,
        unit=unit,
        also=checks.also("isco", counts["isco"]),
    )
    tables["skills"] = _skills(skills, total, limit, checks.also_skills(dict(skills)))
    tables["languages"] = _languages(
        languages, total, limit, checks.also_languages(dict(languages))
    )
    tables["interests"] = table(
        "interests",
        _("Interests"),
        interests,
        {k: str(v) for k, v in Interest.choices},
        total=total,
        partition=False,
        unit=unit,
        note=_("A member may have several interests."),
        also=checks.also_of([w.interests for w in checks.wider], interests),
    )
    tables["availability"] = table(
        "availability",
        _("Available to contribute"),
        available,
        {k: str(v) for k, v in Modality.choices},
        total=total,
        partition=False,
        unit=unit,
        note=_("Availability that has not ended; a member may be available in several ways."),
        also=checks.also_of([w.availability for w in checks.wider], available),
    )
    tables["trend"] = _trend(counts["month"], total, limit, checks.also("month", counts["month"]))
    return Dashboard(
        tables,
        total,
        False,
        form.active,
        year,
        origin,
        map_payload(tables["countries"]),
        raw_counts=raw,
    )


def _wider(
    user: Any,
    everyone: QuerySet[Member],
    form: InsightsFilterForm,
    cuts: list[Cut],
    today: datetime.date,
    codes: dict[int, str],
    skills: list[int],
) -> tuple[Counts, list[Counts]]:
    """The unfiltered counts (from the cache when there) and those of each view one filter
    wider than ``form``'s (six queries each; the unfiltered one's skills in one)."""
    scoped = scope_countries(user) is not None
    found = _root_counts(user, everyone, today, codes)
    root = Counts(
        found.dims,
        found.interests,
        found.availability,
        found.languages,
        skill_counts(everyone, scoped, skills),
    )
    wider = [
        root
        if len(cuts) == 1
        else counted(form.apply(everyone, today, without=c.name), True, today, codes, skills)
        for c in cuts
    ]
    return root, wider


@dataclass
class Checks:
    """The cells to hide besides the small ones, in a filtered view (see ``selection``):
    those 1 to k - 1 people separate from the same cell one filter wider, and, in the
    partitions, those the unfiltered view hides."""

    root: Counts | None
    wider: list[Counts]
    limit: int

    def also(self, dimension: str, counts: dict[str, int]) -> set[str]:
        if self.root is None:
            return set()
        out = self.also_of([w.dims[dimension] for w in self.wider], counts)
        root = self.root.dims[dimension]
        total = sum(root.values())
        if 0 < total < self.limit:
            return out | set(counts)
        shown = suppress(root, self.limit)
        if exposed(root, shown, self.limit):
            return out | set(counts)
        return out | {k for k, v in shown.items() if v is None}

    def also_of(self, wider: list[dict[str, int]], counts: dict[str, int]) -> set[str]:
        return narrower_than(counts, wider, self.limit) if self.root is not None else set()

    def also_skills(self, counts: dict[int, int]) -> set[int]:
        if self.root is None:
            return set()
        return narrower_than(counts, [w.skills for w in self.wider], self.limit)

    def also_languages(self, counts: dict[str, int]) -> set[str]:
        return self.also_of([w.languages for w in self.wider], counts)


def host_country_table(
    counts: dict[str, int],
    total: int,
    scope: list[str] | None,
    form: InsightsFilterForm,
    origin: str,
    also: set[str] | None = None,
) -> tuple[Table, int | None]:
    """Members by country of residence, next to the World Bank's latest estimate of people
    born in the origin country living there, and the share registered (coverage). Estimates
    are read against the whole registry only: under a filter other than the host country
    a share of the estimate would mean nothing."""
    filters = form.values()
    use = set(filters) <= {"country"}
    year = (
        (
            MigrantStock.objects.filter(origin=origin)
            .order_by("-year")
            .values_list("year", flat=True)
        ).first()
        if use
        else None
    )
    with_estimates = use and year is not None
    estimates: dict[str, int] = {}
    if with_estimates and year is not None:
        latest = MigrantStock.objects.filter(origin=origin, year=year)
        if scope is not None:
            latest = latest.filter(destination__in=scope)
        if filters.get("country"):
            latest = latest.filter(destination=filters["country"])
        estimates = {str(c): n for c, n in latest.values_list("destination", "stock")}
    keys = set(counts) | set(estimates)
    full = {k: counts.get(k, 0) for k in keys}
    shown = suppress(full, threshold(), also=also or ())
    hide_all = exposed(full, shown, threshold())
    rows = []
    for code in keys:
        registered = shown[code]
        estimate = estimates.get(code)
        extra: list[Any] = []
        if with_estimates:
            coverage = (
                round(100 * registered / estimate, 2)
                if registered is not None and estimate
                else None
            )
            extra = [estimate, coverage]
        label = str(countries.name(code)) or code
        rows.append(Row(code, label, registered, share(registered, total), extra))
    rows.sort(key=lambda r: (-estimates.get(r.key, 0), -(r.count or 0), r.label))
    columns = [_("World Bank estimate"), _("Coverage (%)")] if with_estimates else []
    hosts = Table(
        "countries",
        _("Host country"),
        rows,
        total,
        unit=_("members"),
        columns=columns,
        note=(
            _("World Bank estimate of people born in %(origin)s living there (%(year)s).")
            % {"origin": countries.name(origin) or origin, "year": year}
            if with_estimates
            else ""
        ),
    )
    return (withheld(hosts) if hide_all else hosts), year if with_estimates else None


def _skills(top: list[tuple[int, int]], total: int, limit: int, also: set[int]) -> Table:
    labels = dict(Skill.objects.filter(pk__in=[s for s, _n in top]).values_list("pk", "label"))
    # held_counts keeps only skills held by ``limit`` members or more
    rows = [Row(str(s), labels.get(s, str(s)), None if s in also else n) for s, n in top]
    for r in rows:
        r.share = share(r.count, total)
    return Table(
        "skills",
        _("Top skills"),
        rows,
        total,
        partition=False,
        unit=_("members"),
        note=_("The %(n)s skills most members hold; only skills held by %(k)s or more.")
        % {"n": TOP_SKILLS, "k": limit},
    )


def _languages(spoken: list[tuple[str, int]], total: int, limit: int, also: set[str]) -> Table:
    listed = [(code, n) for code, n in spoken if n >= limit][:TOP_LANGUAGES]
    left = len(spoken) - len(listed)
    rows = [Row(code, language_name(code), None if code in also else n) for code, n in listed]
    for r in rows:
        r.share = share(r.count, total)
    note = _("A member may speak several languages.")
    if left:
        note += " " + _(
            "%(n)s other languages are not listed (fewer speakers, or past the top)."
        ) % {"n": left}
    return Table(
        "languages", _("Languages"), rows, total, partition=False, unit=_("members"), note=note
    )


def _trend(months: dict[str, int], total: int, limit: int, also: set[str]) -> Table:
    known = sorted(k for k in months if k != NOT_STATED)
    keys: list[str] = []
    if known:
        year, month = (int(p) for p in known[0].split("-"))
        while f"{year:04d}-{month:02d}" <= known[-1]:
            keys.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    labels = {k: _month_label(k) for k in keys}
    return table(
        "trend",
        _("Registrations by month"),
        months,
        labels,
        total=total,
        limit=limit,
        unit=_("members"),
        also=also,
    )


# --- the map ----------------------------------------------------------------------------------
PALETTE = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]  # ColorBrewer Blues


def _nice(value: float) -> int:
    """A round number at or below ``value`` (1, 2 or 5 times a power of ten)."""
    if value < 1:
        return 1
    power: int = 10 ** (len(str(int(value))) - 1)
    for step in (5, 2, 1):
        if step * power <= value:
            return step * power
    return power


def map_payload(countries_table: Table | None) -> dict[str, Any]:
    """Shown counts by ISO numeric code (the world atlas' ids), a colour class each, and the
    legend's classes. Hidden countries get no count and no class: they are drawn hatched."""
    if countries_table is None or countries_table.empty:
        return {"countries": [], "legend": []}
    shown = sorted(r.count for r in countries_table.rows if r.count)
    breaks: list[int] = []
    if shown:
        breaks = [shown[0]]
        for share in (0.2, 0.4, 0.6, 0.8):
            candidate = _nice(shown[min(len(shown) - 1, int(share * len(shown)))])
            if candidate > breaks[-1]:
                breaks.append(candidate)
    legend = []
    for i, low in enumerate(breaks):
        high = breaks[i + 1] - 1 if i + 1 < len(breaks) else None
        legend.append(
            {
                "colour": PALETTE[i + len(PALETTE) - len(breaks)],
                "low": low,
                "high": high,
                "label": f"{low:,}–{high:,}" if high is not None else f"{low:,}+",
            }
        )
    out = []
    for r in countries_table.rows:
        if r.count == 0 or r.key not in countries:  # nobody, or "no answer"
            continue
        colour = ""
        if r.count:
            cls = max(i for i, low in enumerate(breaks) if r.count >= low)
            colour = str(legend[cls]["colour"])
        out.append(
            {
                "code": r.key,
                "numeric": _numeric(r.key),
                "name": r.label,
                "count": r.count,
                "hidden": r.hidden,
                "colour": colour,
            }
        )
    return {"countries": out, "legend": legend}


# --- freshness --------------------------------------------------------------------------------
WATCHED = (Member, MemberSkill, MemberLanguage, MemberInterest, Availability, MigrantStock)


def data_version() -> str:
    """Changes whenever a table the dashboard counts changes.

    PostgreSQL: the server's own counters of rows inserted, updated and deleted in those tables
    (committed ones, published by other sessions within about a second, plus this session's
    own transaction), read in well under a millisecond. Elsewhere: each table's row count and
    largest id, and the members' latest update. An edit in place of a related row (a
    skill's years, say) escapes that second kind; ``CACHE_SECONDS`` bounds how long.
    """
    conn = connections["default"]
    tables = [m._meta.db_table for m in WATCHED]
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
                "FROM pg_stat_all_tables WHERE relname = ANY(%s) AND schemaname = current_schema()",
                [tables],
            )
            done = cursor.fetchone()
            cursor.execute(
                "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
                "FROM pg_stat_xact_all_tables "
                "WHERE relname = ANY(%s) AND schemaname = current_schema()",
                [tables],
            )
            pending = cursor.fetchone()
            return f"pg{done[0] if done else 0}.{pending[0] if pending else 0}"
        parts = [
            f"(SELECT COUNT(*) || '/' || COALESCE(MAX(id), 0) FROM {t})"  # noqa: S608
            for t in tables
        ]
        parts.append(f"(SELECT COALESCE(MAX(updated_at), '') FROM {tables[0]})")  # noqa: S608
        cursor.execute("SELECT " + " || ':' || ".join(parts))
        row = cursor.fetchone()
        return str(row[0]) if row else ""
