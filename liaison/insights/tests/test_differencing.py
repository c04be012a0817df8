"""Differencing: a figure hidden in one view never comes back as the difference between two
views an analyst may open (the rule is in ``liaison.insights.selection``). Threshold 5
throughout; every expectation is worked out by hand next to it.
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from liaison.accounts.roles import Role
from liaison.insights.dashboard import build
from liaison.insights.filters import InsightsFilterForm
from liaison.insights.survey_results import results
from liaison.registry.models import Member, MemberInterest
from liaison.surveys.models import Answer, Questionnaire, QuestionnaireVersion, Submission, Wave
from tests.factories import MemberFactory, user_with_role

REFUSED = "This selection would let someone work out figures about fewer than 5 people; widen it."
API = "/api/v1/insights/dashboard/"


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.LIAISON_DEFAULT_SUPPRESSION_THRESHOLD = 5


@pytest.fixture
def analyst(db):
    return user_with_role(Role.ANALYST)


@pytest.fixture
def api(client, analyst):
    client.force_login(analyst)

    def get(**params):
        response = client.get(API, params)
        assert response.status_code == 200, response.content
        return response.json()

    return get


def cells(data, key):
    """One table of an API answer as the reader sees it: a number, or "hidden"."""
    found = next(t for t in data["tables"] if t["key"] == key)
    return {r["key"]: ("hidden" if r["hidden"] else r["count"]) for r in found["rows"]}


def board_for(user, **filters):
    return build(user, InsightsFilterForm(filters or None))


def shown(t):
    return {r.key: ("hidden" if r.hidden else r.count) for r in t.rows}


def members(n, *, month=None, interest=None, **fields):
    made = MemberFactory.create_batch(n, **fields)
    if month:
        Member.objects.filter(pk__in=[m.pk for m in made]).update(
            created_at=datetime.datetime(2026, month, 15, 12, tzinfo=datetime.UTC)
        )
    for m in made:
        if interest:
            MemberInterest.objects.create(member=m, interest=interest)
    return made


# --- (a) the dashboard ------------------------------------------------------------------------
def test_the_reviewers_attack_germany_minus_its_women_no_longer_gives_its_men(api):
    """Germany 9 women + 3 men, France 10 + 10. Unfiltered: DE 12 and FR 20, women 19 and men
    13, all shown. Germany alone: 12, its 3 men hidden and its 9 women with them. The reviewer
    then asked for Germany's women (9) and the other sexes (0 each): 12 - 9 = 3 men. Germany's
    women are a row Germany's own sex table hides, so that view is refused; so are its men."""
    members(9, country_of_residence="DE", sex="female")
    members(3, country_of_residence="DE", sex="male")
    members(10, country_of_residence="FR", sex="female")
    members(10, country_of_residence="FR", sex="male")
    germany = api(country="DE")
    assert germany["total"] == 12
    assert cells(germany, "sex") == {
        "female": "hidden",
        "male": "hidden",
        "other": 0,
        "undisclosed": 0,
        "none": 0,
    }
    for sex in ("female", "male"):
        narrowed = api(country="DE", sex=sex)
        assert narrowed["total"] is None and narrowed["tables"] == []
        assert narrowed["refused"] and not narrowed["too_few"]
        assert narrowed["message"] == REFUSED
    assert not germany["refused"] and germany["message"] == ""
    # Nobody of another sex lives in Germany: the sex table shows those zeros anyway.
    for sex in ("other", "undisclosed", "none"):
        nobody = api(country="DE", sex=sex)
        assert nobody["total"] == 0 and not nobody["refused"]
    # The same difference the other way round: women by country. Germany's 9 would give
    # 12 - 9 = 3 men again: it is 3 fewer than Germany's 12, so it is hidden, and France's
    # 10 (20 - 10: 10 apart, fine) with it, or 19 - 10 would give Germany's 9.
    women = api(sex="female")
    assert women["total"] == 19
    assert cells(women, "countries") == {"DE": "hidden", "FR": "hidden"}


def test_the_suites_own_registry_no_longer_gives_italy_away(api):
    """France 9 women, Germany 6 men, Italy 2 women (the exports' fixture): France shown,
    Germany and Italy hidden, total 17. "Germany" alone said 6, so Italy = 17 - 9 - 6 = 2.
    Germany is a row the unfiltered table hides: refused. France is shown there: its view is
    open, 9. The men, all six in Germany, would say the same through the host-country table
    (Germany 6, the others 0): that table is not shown at all in the men's view, since its only
    non-zero row is one the unfiltered view hides."""
    members(9, country_of_residence="FR", sex="female")
    members(6, country_of_residence="DE", sex="male")
    members(2, country_of_residence="IT", sex="female")
    everyone = api()
    assert everyone["total"] == 17
    assert cells(everyone, "countries") == {"FR": 9, "DE": "hidden", "IT": "hidden"}
    for country in ("DE", "IT"):
        refused = api(country=country)
        assert refused["total"] is None and refused["tables"] == [] and refused["refused"]
    assert api(country="FR")["total"] == 9
    men = api(sex="male")
    assert men["total"] == 6
    hosts = next(t for t in men["tables"] if t["key"] == "countries")
    assert hosts["withheld"] and hosts["rows"] == []
    assert "Not shown" in hosts["note"]


@pytest.fixture
def by_month(db):
    """Registered in January 8, February 9, March 1, April 7 (25). Unfiltered by month:
    March is small; April, the smallest other, is hidden with it (together 8: each could be
    4 or more); January and February shown."""
    members(8, month=1, country_of_residence="FR")
    members(9, month=2, country_of_residence="DE", sex="male")
    members(1, month=3, country_of_residence="FR")
    members(7, month=4, country_of_residence="FR", sex="male")


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        # One month: shown when the unfiltered table shows it.
        ({"registered_from": "2026-01", "registered_to": "2026-01"}, 8),
        ({"registered_from": "2026-02", "registered_to": "2026-02"}, 9),
        ({"registered_from": "2026-03", "registered_to": "2026-03"}, "refused"),
        ({"registered_from": "2026-04", "registered_to": "2026-04"}, "refused"),
        # Until February: January + February, both shown: 17.
        ({"registered_to": "2026-02"}, 17),
        # Until March would give March as 18 - 17 = 1; until January is January, shown.
        ({"registered_to": "2026-03"}, "refused"),
        ({"registered_to": "2026-01"}, 8),
        # From March: March and April are hidden, but all the months left out are shown, so
        # the total was already 25 - 8 - 9 = 8: nothing new.
        ({"registered_from": "2026-03"}, 8),
        ({"registered_from": "2026-02"}, 17),
        # From April would give March as 8 - 7 = 1.
        ({"registered_from": "2026-04"}, "refused"),
        # February to March: February shown, March hidden; January and April hidden.
        ({"registered_from": "2026-02", "registered_to": "2026-03"}, "refused"),
    ],
)
def test_registration_months_cannot_be_differenced_month_by_month(
    analyst, by_month, filters, expected
):
    board = board_for(analyst, **filters)
    if expected == "refused":
        assert board.total is None and board.tables == {}
        assert board.refused and board.message == REFUSED
    else:
        assert board.total == expected and not board.refused


def test_within_a_period_the_months_the_unfiltered_view_hides_stay_hidden(analyst, by_month):
    board = board_for(analyst, registered_from="2026-03")
    # March 1 (small) and April 7 (hidden unfiltered, so hidden here): 8 - 1 = 7 >= 4.
    assert shown(board.tables["trend"]) == {"2026-03": "hidden", "2026-04": "hidden"}


def test_a_cell_few_people_apart_from_the_same_cell_unfiltered_is_hidden(analyst, db):
    """France 10 women (mentoring) and 5 men, Germany 7 women (2 of them mentoring) and 2 men.
    Unfiltered: FR 15, DE 9; women 17, men 7; mentoring 12: all shown. Germany's view hides
    its 2 men (and its 7 women with them). France's view would show its 5 men, and 7 - 5 = 2
    would be Germany's: France's men are 2 fewer than all men, so they are hidden, and its
    women with them. France's mentoring 10 is 2 fewer than the 12 in all: hidden too (a
    member may have several interests: nothing else goes with it)."""
    members(10, country_of_residence="FR", sex="female", interest="mentoring")
    members(5, country_of_residence="FR", sex="male")
    members(2, country_of_residence="DE", sex="female", interest="mentoring")
    members(5, country_of_residence="DE", sex="female")
    members(2, country_of_residence="DE", sex="male")
    everyone = board_for(analyst)
    assert shown(everyone.tables["sex"])["male"] == 7
    assert shown(everyone.tables["interests"])["mentoring"] == 12
    germany = board_for(analyst, country="DE")
    assert shown(germany.tables["sex"])["male"] == "hidden"
    france = board_for(analyst, country="FR")
    assert france.total == 15
    assert shown(france.tables["sex"])["male"] == "hidden"
    assert shown(france.tables["sex"])["female"] == "hidden"
    assert shown(france.tables["interests"])["mentoring"] == "hidden"
    men = board_for(analyst, sex="male")
    # FR 5 (15 - 5 = 10 apart: fine), DE 2 (small): DE hidden, FR with it.
    assert shown(men.tables["countries"]) == {"FR": "hidden", "DE": "hidden"}


def test_a_narrow_view_opens_when_every_step_to_it_is_shown(analyst, db):
    """France and Germany, 10 women and 10 men each: every row of every table is 10 or 20,
    and no two views differ by fewer than 10. France's women: 10, with their own tables."""
    for country in ("FR", "DE"):
        for sex in ("female", "male"):
            members(10, country_of_residence=country, sex=sex)
    board = board_for(analyst, country="FR", sex="female")
    assert not board.refused and board.total == 10
    assert shown(board.tables["countries"]) == {"FR": 10}
    assert shown(board.tables["sex"])["female"] == 10


def test_the_unfiltered_dashboard_reads_nothing_more_for_the_rule(analyst, db):
    """No filter, no check: the member table is read twice (grouped), as before; a filtered
    view reads it once more for the check, and its wider (here unfiltered) counts come from
    the cache the unfiltered dashboard filled."""
    for country in ("FR", "DE"):
        members(10, country_of_residence=country)
    board_for(analyst, sex="female")  # the analyst's grants, once

    def member_reads(queries):
        return [
            q["sql"]
            for q in queries
            if q["sql"].startswith('SELECT "registry_member"') and "GROUP BY" in q["sql"]
        ]

    with CaptureQueriesContext(connection) as plain:
        board_for(analyst)
    assert len(member_reads(plain.captured_queries)) == 2
    with CaptureQueriesContext(connection) as filtered:
        board_for(analyst, country="FR")
    assert len(member_reads(filtered.captured_queries)) == 3


# --- what the reader gets when refused -------------------------------------------------------
@pytest.fixture
def three_countries(db):
    members(9, country_of_residence="FR", sex="female")
    members(6, country_of_residence="DE", sex="male")
    members(2, country_of_residence="IT", sex="female")


def test_a_refused_view_says_why_on_the_page_and_in_every_download(
    client, analyst, three_countries
):
    client.force_login(analyst)
    page = client.get("/insights/", {"country": "DE"}).content.decode()
    assert "data-refused" in page and REFUSED in page
    assert "data-total" not in page and "<table" not in page
    rows = list(csv.reader(io.StringIO(client.get("/insights/export.csv", {"country": "DE"}).text)))
    assert rows == [["Table", "Code", "Category", "Count", "Share (%)"], ["", "", REFUSED, "", ""]]
    book = load_workbook(io.BytesIO(client.get("/insights/export.xlsx", {"country": "DE"}).content))
    assert book.sheetnames == ["About"]
    assert [REFUSED] in [[c for c in r if c] for r in book["About"].iter_rows(values_only=True)]
    pdf = client.get("/insights/export.pdf", {"country": "DE"}).content
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert REFUSED in " ".join(text.split())
    assert "6" not in text.replace("2026", "").split("Produced")[0]
    hosts = client.get("/insights/host-countries.csv", {"country": "DE"}).text
    assert REFUSED in hosts and "Germany" not in hosts


def test_a_withheld_table_says_so_on_the_page_and_in_the_downloads(
    client, analyst, three_countries
):
    """The six men all live in Germany, hidden unfiltered: their host-country table would
    show Germany 6 (and, the total minus France's 9 and Germany's 6, Italy 2)."""
    client.force_login(analyst)
    page = client.get("/insights/", {"sex": "male"})
    assert page.context["board"].tables["countries"].withheld
    body = page.content.decode()
    assert "6 members counted." in body
    assert "Not shown: any figure here would let someone work out another" in body
    assert page.context["board"].map["countries"] == []
    rows = list(csv.reader(io.StringIO(client.get("/insights/export.csv", {"sex": "male"}).text)))
    hosts = [r for r in rows if r[0] == "Host country"]
    assert [r[2][:9] for r in hosts] == ["Not shown", "Total"]
    assert not any(r[1] == "DE" for r in rows)


# --- (b) survey waves --------------------------------------------------------------------------
def _questionnaire(form_id="waves"):
    questionnaire = Questionnaire.objects.create(form_id=form_id, title=form_id)
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=1,
        title="Waves",
        original_name="waves.xlsx",
        checksum="x",
        definition={
            "children": [
                {
                    "type": "select one",
                    "name": "sex",
                    "label": "Sex",
                    "choices": [
                        {"name": "female", "label": "Female"},
                        {"name": "male", "label": "Male"},
                    ],
                },
                {"type": "integer", "name": "age", "label": "Age"},
            ]
        },
        questions=2,
    )
    return questionnaire, version


def _wave(version, name, answers):
    wave = Wave.objects.create(
        questionnaire=version.questionnaire,
        version=version,
        name=name,
        opens_at=timezone.now() - datetime.timedelta(days=30),
    )
    for i, (sex, age) in enumerate(answers):
        submission = Submission.objects.create(
            wave=wave,
            version=version,
            instance_id=f"uuid:{name}-{i}",
            status=Submission.Status.COMPLETE,
            source=Submission.Source.WEB,
        )
        Answer.objects.create(submission=submission, wave=wave, question="sex", text=sex)
        if age is not None:
            Answer.objects.create(
                submission=submission, wave=wave, question="age", number=Decimal(age)
            )
    return wave


def test_all_waves_minus_one_wave_no_longer_gives_a_small_wave(client, analyst):
    """Wave A: 5 women and 5 men; wave B: 2 men (alone: too few). All waves said 12: 5 women,
    7 men; minus A: B's 2 men. All waves are refused while a wave has 1 to 4 respondents."""
    questionnaire, version = _questionnaire()
    a = _wave(version, "A", [("female", 30)] * 5 + [("male", 40)] * 5)
    b = _wave(version, "B", [("male", 50)] * 2)
    together = results(analyst, questionnaire)
    assert together.respondents is None and together.tables == [] and together.refused
    assert "A wave of this questionnaire has fewer than 5 respondents" in together.message
    assert results(analyst, questionnaire, b).too_few
    alone = results(analyst, questionnaire, a)
    assert alone.respondents == 10
    client.force_login(analyst)
    data = client.get(f"/api/v1/insights/surveys/{questionnaire.pk}/").json()
    assert data["refused"] and data["respondents"] is None and data["tables"] == []
    assert data["message"] == together.message
    page = client.get("/insights/surveys/", {"questionnaire": questionnaire.pk}).content.decode()
    assert "data-refused" in page and "Choose a wave." in page
    exported = client.get("/insights/surveys/export.csv", {"questionnaire": questionnaire.pk}).text
    assert "Choose a wave." in exported and ",Male," not in exported


def test_a_cell_any_wave_hides_is_hidden_over_all_waves(analyst, db):
    """A: 5 women, 5 men; B: 8 women, 2 men (B's own table hides both). All waves: 13 women
    and 7 men, which minus A's 5 men would give B's 2: both are hidden over all waves."""
    questionnaire, version = _questionnaire()
    a = _wave(version, "A", [("female", None)] * 5 + [("male", None)] * 5)
    b = _wave(version, "B", [("female", None)] * 8 + [("male", None)] * 2)

    def sex(found):
        return shown(next(t for t in found.tables if t.key == "sex"))

    assert sex(results(analyst, questionnaire, a))["male"] == 5
    assert sex(results(analyst, questionnaire, b))["male"] == "hidden"
    together = results(analyst, questionnaire)
    assert together.respondents == 20
    assert sex(together) == {"female": "hidden", "male": "hidden", "__none__": 0}


# --- numbers: bins and median -------------------------------------------------------------------
def _ages(analyst, ages, form_id="ages"):
    questionnaire, version = _questionnaire(form_id)
    _wave(version, "A", [("female", age) for age in ages])
    found = results(analyst, questionnaire)
    return next(t for t in found.tables if t.key == "age")


def test_one_far_out_answer_moves_no_bin_edge(analyst, db):
    """Eleven ages 21-25 and 31-36: the 5th smallest is 25, the 5th largest 32; 11 answers
    make two bins of a round width over 25-32: 5, from 25: under 30 (5), 30 or more (6). Add
    someone aged 79: the 5th largest is 33, the bins the same; only the last one counts 7."""
    ages = [21, 22, 23, 24, 25, 31, 32, 33, 34, 35, 36]
    plain = _ages(analyst, ages)
    assert [(r.label, r.count) for r in plain.rows] == [
        ("under 30", 5),
        ("30 or more", 6),
        ("No answer", 0),
    ]
    far = _ages(analyst, [*ages, 79], "far")
    assert [(r.label, r.count) for r in far.rows] == [
        ("under 30", 5),
        ("30 or more", 7),
        ("No answer", 0),
    ]


def test_the_median_is_rounded_to_the_bins_and_needs_twice_the_threshold(analyst, db):
    """The eleven ages above: the median is the 6th, 31, one person's age; shown rounded to
    the bins' width, 5: 30. Nine answers (fewer than 10) show no median at all."""
    t = _ages(analyst, [21, 22, 23, 24, 25, 31, 32, 33, 34, 35, 36])
    assert t.summary == [("Median (to the nearest 5)", "30")]
    few = _ages(analyst, [21, 22, 23, 24, 25, 31, 32, 33, 34], "few")
    assert few.summary == []
