"""The insights dashboard over a registry whose every figure is worked out by hand below.

Eighteen members, threshold 5:

    group  n  country  sex     age  ISCED  ISCO  registered  skills   languages  interest
    A      8  FR       female  30   6      21    2026-01     S1       fr         mentoring
    B      6  DE       male    40   7      31    2026-02     S1 S2    de en      investment
    C      3  IT       female  50   -      -     2026-02     S2       it         investment
    D      1  FR       other   70   3      -     2026-03     -        -          return

A is available virtually (one of them twice, two periods), C too; B's temporary availability
ended last year.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from liaison.accounts.roles import Role, ScopeKind
from liaison.insights.aggregates import suppress, table
from liaison.insights.dashboard import build
from liaison.insights.filters import InsightsFilterForm, years_before
from liaison.insights.models import MigrantStock
from liaison.registry.models import (
    Availability,
    Member,
    MemberInterest,
    MemberLanguage,
    MemberSkill,
)
from liaison.taxonomy.models import IscoGroup, Skill
from tests.factories import MemberFactory, user_with_role

TZ = datetime.UTC


def born(age: int) -> datetime.date:
    return years_before(timezone.localdate(), age) - datetime.timedelta(days=100)


def _group(n, *, month, skills=(), languages=(), interest=None, **fields):
    members = MemberFactory.create_batch(n, **fields)
    Member.objects.filter(pk__in=[m.pk for m in members]).update(
        created_at=datetime.datetime(2026, month, 15, 12, tzinfo=TZ)
    )
    for m in members:
        for skill in skills:
            MemberSkill.objects.create(member=m, skill=skill)
        for code in languages:
            MemberLanguage.objects.create(member=m, language=code, level="B2")
        if interest:
            MemberInterest.objects.create(member=m, interest=interest)
    return members


@pytest.fixture
def registry(db, settings):
    settings.LIAISON_DEFAULT_SUPPRESSION_THRESHOLD = 5
    settings.LIAISON_ORIGIN_COUNTRY = "PH"
    s1 = Skill.objects.create(uri="http://example.org/s1", label="nursing care")
    s2 = Skill.objects.create(uri="http://example.org/s2", label="bookkeeping")
    s3 = Skill.objects.create(uri="http://example.org/s3", label="welding")
    a = _group(
        8,
        month=1,
        country_of_residence="FR",
        sex="female",
        birth_date=born(30),
        education_level="6",
        isco_group=IscoGroup.objects.get(code="21"),
        skills=[s1],
        languages=["fr"],
        interest="mentoring",
    )
    b = _group(
        6,
        month=2,
        country_of_residence="DE",
        sex="male",
        birth_date=born(40),
        education_level="7",
        isco_group=IscoGroup.objects.get(code="31"),
        skills=[s1, s2],
        languages=["de", "en"],
        interest="investment",
    )
    c = _group(
        3,
        month=2,
        country_of_residence="IT",
        sex="female",
        birth_date=born(50),
        education_level="",
        skills=[s2],
        languages=["it"],
        interest="investment",
    )
    _group(
        1,
        month=3,
        country_of_residence="FR",
        sex="other",
        birth_date=born(70),
        education_level="3",
        interest="return",
    )
    MemberSkill.objects.create(member=a[0], skill=s3)
    MemberSkill.objects.create(member=b[0], skill=s3)
    today = timezone.localdate()
    for m in [*a, *c]:
        Availability.objects.create(member=m, modality="virtual")
    Availability.objects.create(
        member=a[0], modality="virtual", starts=today, ends=today + datetime.timedelta(days=30)
    )
    for m in b:
        Availability.objects.create(
            member=m, modality="temporary", ends=today - datetime.timedelta(days=365)
        )
    MigrantStock.objects.create(origin="PH", destination="FR", year=2017, stock=900, source="t")
    MigrantStock.objects.create(origin="PH", destination="ES", year=2017, stock=50, source="t")


def shown(t):
    """Each row's figure as the reader sees it: a number, or "hidden"."""
    return {r.key: ("hidden" if r.hidden else r.count) for r in t.rows}


def board_for(user, **filters):
    return build(user, InsightsFilterForm(filters or None))


def test_every_panel_counts_the_registry_and_hides_what_could_single_someone_out(registry):
    board = board_for(user_with_role(Role.ANALYST))
    t = board.tables
    assert board.total == 18 and not board.too_few
    # FR 9, DE 6, IT 3: Italy is small, and Germany goes with it (18 - 9 would give it away).
    assert shown(t["countries"]) == {"FR": 9, "DE": "hidden", "IT": "hidden", "ES": 0}
    assert [r.extra for r in t["countries"].rows if r.key == "FR"] == [[900, 1.0]]
    # female 11, male 6, other 1: "other" is small, so "male" is hidden too.
    assert shown(t["sex"]) == {
        "female": 11,
        "male": "hidden",
        "other": "hidden",
        "undisclosed": 0,
        "none": 0,
    }
    # 45-54 (3) and 65+ (1) hidden; together 4, which would say each is 1-3: 35-44 goes too.
    assert shown(t["age"]) == {
        "<25": 0,
        "25-34": 8,
        "35-44": "hidden",
        "45-54": "hidden",
        "55-64": 0,
        "65+": "hidden",
        "none": 0,
    }
    education = shown(t["education"])
    assert (education["6"], education["7"], education["3"], education["none"]) == (
        8,
        "hidden",
        "hidden",
        "hidden",
    )
    assert {k for k, v in education.items() if v == 0} == {"0", "1", "2", "4", "5", "8"}
    isco = shown(t["isco"])
    assert (isco["2"], isco["3"], isco["none"]) == (8, "hidden", "hidden")
    assert {k for k, v in isco.items() if v == 0} == {"0", "1", "4", "5", "6", "7", "8", "9"}
    # Skills: nursing care 14, bookkeeping 9; welding (2) is not listed at all.
    assert [(r.label, r.count) for r in t["skills"].rows] == [
        ("nursing care", 14),
        ("bookkeeping", 9),
    ]
    assert [(r.key, r.count) for r in t["languages"].rows] == [("fr", 8), ("de", 6), ("en", 6)]
    assert "1 other languages" in t["languages"].note
    # Several interests per member: only the small cell is hidden, nothing else.
    assert shown(t["interests"])["investment"] == 9
    assert shown(t["interests"])["mentoring"] == 8
    assert shown(t["interests"])["return"] == "hidden"
    assert shown(t["interests"])["business"] == 0
    # Availability that has not ended, each member once: A 8 (one of them twice) + C 3.
    assert shown(t["availability"]) == {"virtual": 11, "temporary": 0, "permanent": 0}
    # By month: January 8, February 9, March 1: March is small, January goes with it.
    assert shown(t["trend"]) == {"2026-01": "hidden", "2026-02": 9, "2026-03": "hidden"}
    for key in ("countries", "sex", "age", "education", "isco", "trend"):
        assert t[key].partition and t[key].total == 18
        visible_sum = sum(r.count for r in t[key].rows if r.count)
        hidden = [r for r in t[key].rows if r.hidden]
        assert not hidden or (len(hidden) >= 2 and 18 - visible_sum - (len(hidden) - 1) >= 4)


def test_filters_narrow_every_panel(registry):
    analyst = user_with_role(Role.ANALYST)
    female = board_for(analyst, sex="female")
    t = female.tables
    assert female.total == 11 and female.filtered
    assert shown(t["sex"])["female"] == 11 and shown(t["sex"])["male"] == 0
    assert shown(t["countries"]) == {"FR": "hidden", "IT": "hidden"}  # 8 and 3
    assert [(r.label, r.count) for r in t["skills"].rows] == [("nursing care", 8)]
    assert shown(t["interests"])["mentoring"] == 8
    assert shown(t["interests"])["investment"] == "hidden"  # C's 3
    assert shown(t["availability"])["virtual"] == 11
    assert [(r.key, r.count) for r in t["languages"].rows] == [("fr", 8)]
    assert all(tab.total == 11 for tab in t.values())

    february = board_for(analyst, registered_from="2026-02", registered_to="2026-02")
    assert february.total == 9
    assert shown(february.tables["trend"]) == {"2026-02": 9}
    # DE 6 + IT 3 = 9: IT alone would be given away by the total, so DE is hidden with it.
    assert shown(february.tables["countries"]) == {"DE": "hidden", "IT": "hidden"}

    # Germany is hidden unfiltered (18 - 9 - 6 would give Italy): no view narrowed to it opens.
    graduates = board_for(analyst, country="DE", isco="3", age="35-44", education="7")
    assert graduates.refused and graduates.total is None and graduates.tables == {}


@pytest.mark.parametrize(
    "filters",
    [
        {"country": "IT"},  # 3 members
        {"age": "65+"},  # 1
        {"isco": "none"},  # 4
        {"sex": "other"},  # 1
        {"registered_from": "2026-03"},  # 1
    ],
)
def test_a_filter_that_leaves_fewer_than_the_threshold_is_refused_and_shows_nothing(
    client, registry, filters
):
    """Refused like any selection that could be differenced, with the same words: "too few"
    would tell a small row from one hidden only to protect it."""
    analyst = user_with_role(Role.ANALYST)
    board = board_for(analyst, **filters)
    assert board.refused and not board.too_few and board.total is None and board.tables == {}
    assert board.map["countries"] == []
    client.force_login(analyst)
    page = client.get("/insights/", filters).content.decode()
    assert "would let someone work out figures about fewer than 5 people; widen it." in page
    assert "data-total" not in page and "<table" not in page


def test_nobody_matching_is_said_plainly(client, registry):
    client.force_login(user_with_role(Role.ANALYST))
    page = client.get("/insights/", {"country": "JP"})
    assert page.context["board"].total == 0
    assert "No member matches." in page.content.decode()


def test_a_bad_filter_is_named_and_counts_nothing(client, registry):
    client.force_login(user_with_role(Role.ANALYST))
    page = client.get("/insights/", {"registered_from": "2026-05", "registered_to": "2026-02"})
    assert page.context["board"].total == 0
    assert "The period ends before it starts." in page.content.decode()
    page = client.get("/insights/", {"registered_from": "May 2026"})
    assert "Give a month as YYYY-MM" in page.content.decode()


def test_an_officer_scoped_to_a_country_counts_only_its_members(registry):
    officer = user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "FR")
    board = board_for(officer)
    assert board.total == 9  # A 8 + D 1
    assert shown(board.tables["countries"]) == {"FR": 9}  # no Spain: outside the scope
    # female 8, other 1: the one would be 9 - 8, so both are hidden.
    assert shown(board.tables["sex"])["female"] == "hidden"
    assert shown(board.tables["sex"])["other"] == "hidden"
    assert [(r.label, r.count) for r in board.tables["skills"].rows] == [("nursing care", 8)]
    outside = user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "JP")
    assert board_for(outside).total == 0


def test_analysts_never_get_a_way_to_a_persons_record(client, registry):
    client.force_login(user_with_role(Role.ANALYST))
    page = client.get("/insights/").content.decode()
    assert "/registry/members" not in page
    assert client.get("/registry/members/").status_code == 403
    member = Member.objects.first()
    assert client.get(f"/registry/members/{member.pk}/").status_code == 403
    client.force_login(user_with_role(Role.PROGRAMME_OFFICER))
    officer_page = client.get("/insights/").content.decode()
    assert 'href="/registry/members/?country=FR"' in officer_page


def test_the_page_shows_the_counts_and_the_map_data_without_hidden_numbers(client, registry):
    client.force_login(user_with_role(Role.ANALYST))
    response = client.get("/insights/")
    body = response.content.decode()
    assert "18 members counted." in body
    board = response.context["board"]
    countries_ = {c["code"]: c for c in board.map["countries"]}
    assert countries_["FR"]["count"] == 9 and countries_["FR"]["numeric"] == "250"
    assert countries_["FR"]["colour"]
    assert countries_["DE"] == {
        "code": "DE",
        "numeric": "276",
        "name": "Germany",
        "count": None,
        "hidden": True,
        "colour": "",
    }
    assert "ES" not in countries_  # an estimate without members is not painted
    assert 'id="map-members"' in body


def test_the_unfiltered_dashboard_is_cached_until_the_registry_changes(registry):
    analyst = user_with_role(Role.ANALYST)
    first = board_for(analyst)
    again = board_for(analyst)
    assert not first.cached and again.cached and again.total == 18
    newcomer = MemberFactory(country_of_residence="FR")
    fresh = board_for(analyst)
    assert not fresh.cached and fresh.total == 19
    MemberSkill.objects.create(member=newcomer, skill=Skill.objects.first())
    assert not board_for(analyst).cached
    # Another scope is another entry.
    officer = user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "FR")
    scoped = board_for(officer)
    assert scoped.total == 10 and not scoped.cached
    assert board_for(officer).cached


def test_the_number_of_queries_does_not_grow_with_the_registry(registry):
    """A filtered view: the check against differencing (one read), its own counts, and the
    unfiltered counts it is checked against (read here: the cache is emptied each time)."""
    analyst = user_with_role(Role.ANALYST)
    build(analyst, InsightsFilterForm({"sex": "female"}))  # the analyst's grants, once
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        build(analyst, InsightsFilterForm({"sex": "female"}))
    for i in range(30):
        MemberFactory(country_of_residence=["ES", "PT", "BE"][i % 3], sex="female")
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        build(analyst, InsightsFilterForm({"sex": "female"}))
    # 21 on SQLite; PostgreSQL adds its planner settings and a second freshness read.
    assert len(large.captured_queries) == len(small.captured_queries) <= 30


@pytest.mark.parametrize(
    ("counts", "hidden"),
    [
        ({"a": 10, "b": 3, "c": 7}, {"b", "c"}),  # one small cell: the next smallest goes too
        ({"a": 10, "b": 3, "c": 2}, {"b", "c"}),  # together 5: each could still be 1 to 4
        ({"a": 10, "b": 1, "c": 1}, {"a", "b", "c"}),  # together 2: both would be known as 1
        ({"a": 30, "b": 1, "c": 1, "d": 1, "e": 1, "f": 1, "g": 9}, {"b", "c", "d", "e", "f", "g"}),
        ({"a": 10, "b": 0, "c": 7}, set()),  # nobody is not a person to protect
        ({"a": 3}, {"a"}),
    ],
)
def test_suppression_hides_small_cells_and_what_would_reveal_them(counts, hidden):
    result = suppress(counts, 5)
    assert {k for k, v in result.items() if v is None} == hidden
    assert all(result[k] == v for k, v in counts.items() if k not in hidden)


def test_cells_that_overlap_hide_only_the_small_ones():
    assert suppress({"a": 10, "b": 3, "c": 7}, 5, partition=False) == {"a": 10, "b": None, "c": 7}


def test_a_population_below_the_threshold_gives_an_empty_table():
    t = table("x", "X", {"a": 2, "b": 1}, {"a": "A", "b": "B"}, total=3, limit=5)
    assert t.empty and t.total is None and t.rows == []
