"""Survey results per question, from complete submissions only, worked out by hand.

The ready diaspora mapping form, one wave, twelve complete submissions (and two drafts that
must not count), threshold 5:

    residence_country  FR x7, DE x4, no answer x1
    sex                female x6, male x6
    contribution       skills_transfer x9, investment x5, mentoring x2 (several per person)
    years_experience   1 2 2 3 4 | 20 21 22 22 24, no answer x2
    languages (repeat) level "fluent" in 6 submissions (8 entries), "native" in 12
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from liaison.accounts.roles import Role, ScopeKind
from liaison.insights.survey_results import NO_ANSWER, results
from liaison.surveys import services
from liaison.surveys.models import Answer, Questionnaire, QuestionnaireVersion, Submission, Wave
from liaison.surveys.ready import BY_SLUG
from tests.factories import MemberFactory, user_with_role

COUNTRIES = ["FR"] * 7 + ["DE"] * 4 + [None]
SEXES = ["female"] * 6 + ["male"] * 6
YEARS = [1, 2, 2, 3, 4, 20, 21, 22, 22, 24, None, None]


def _wave(version, name="2026 round"):
    return Wave.objects.create(
        questionnaire=version.questionnaire,
        version=version,
        name=name,
        opens_at=timezone.now() - datetime.timedelta(days=30),
    )


def _submission(wave, n, status=Submission.Status.COMPLETE, member=None):
    return Submission.objects.create(
        wave=wave,
        version=wave.version,
        instance_id=f"uuid:{wave.pk}-{n}",
        status=status,
        source=Submission.Source.WEB,
        member=member,
    )


def _answer(submission, question, text="", number=None, date=None, instance=""):
    Answer.objects.create(
        submission=submission,
        wave=submission.wave,
        question=question,
        instance=instance,
        text=text,
        number=number,
        date=date,
    )


@pytest.fixture
def mapping(db, settings):
    settings.LIAISON_DEFAULT_SUPPRESSION_THRESHOLD = 5
    version, _new = services.upload(
        None, io.BytesIO(BY_SLUG["diaspora_mapping"].workbook()), "diaspora_mapping.xlsx"
    )
    wave = _wave(version)
    for i in range(12):
        s = _submission(wave, i)
        if COUNTRIES[i]:
            _answer(s, "residence_country", COUNTRIES[i])
        _answer(s, "sex", SEXES[i])
        for choice, upto in (("skills_transfer", 9), ("investment", 5), ("mentoring", 2)):
            if i < upto:
                _answer(s, "contribution_interest", choice)
        if YEARS[i] is not None:
            _answer(s, "years_experience", number=Decimal(YEARS[i]))
        _answer(s, "language_level", "native", instance="1")
        if i < 6:
            _answer(s, "language_level", "fluent", instance="2")
        if i < 2:
            _answer(s, "language_level", "fluent", instance="3")
    for i in range(2):  # drafts, even with answers, are not results
        draft = _submission(wave, 100 + i, status=Submission.Status.DRAFT)
        _answer(draft, "sex", "other")
        _answer(draft, "residence_country", "JP")
    return version.questionnaire, wave


def by_key(results_, name):
    table = next(t for t in results_.tables if t.key == name)
    return table, {r.key: ("hidden" if r.hidden else r.count) for r in table.rows}


def test_counts_per_choice_distribution_and_median_from_complete_submissions(mapping):
    questionnaire, _ = mapping
    found = results(user_with_role(Role.ANALYST), questionnaire)
    assert found.respondents == 12 and not found.too_few
    # FR 7, DE 4, no answer 1: DE and the one are hidden together (5: each could be 1 to 4).
    countries = {r.key: ("hidden" if r.hidden else r.count) for r in found.countries.rows}
    assert countries == {"FR": 7, "DE": "hidden", NO_ANSWER: "hidden"}
    assert [c["code"] for c in found.map["countries"]] == ["FR", "DE"]
    _t, sex = by_key(found, "sex")
    assert sex == {"female": 6, "male": 6, "other": 0, "prefer_not": 0, NO_ANSWER: 0}
    contribution, chosen = by_key(found, "contribution_interest")
    assert not contribution.partition
    assert chosen["skills_transfer"] == 9 and chosen["investment"] == 5
    assert chosen["mentoring"] == "hidden" and chosen["none"] == 0
    assert NO_ANSWER not in chosen
    years, bins = by_key(found, "years_experience")
    # Ten answers, two bins' worth, between the 5th smallest (4) and the 5th largest (20):
    # width 10 from 0. Under 10: 5, 10-19: 0, 20 or more: 5, no answer 2: the two are hidden,
    # and with them the first of the fives.
    assert bins == {"0": "hidden", "10": 0, "20": 5, NO_ANSWER: "hidden"}
    assert [r.label for r in years.rows] == ["under 10", "10–19", "20 or more", "No answer"]
    # (4 + 20) / 2 = 12, to the nearest 10 (ten answers: twice the threshold, just).
    assert years.summary == [("Median (to the nearest 10)", "10")]
    # In a repeat: respondents who gave the answer in any entry (6 gave "fluent", 8 times).
    levels, given = by_key(found, "language_level")
    assert not levels.partition
    assert given["native"] == 12 and given["fluent"] == 6 and given["basic"] == 0
    # Text questions have no results table.
    assert "given_name" not in {t.key for t in found.tables}


def test_labels_come_from_the_questionnaire_in_the_readers_language(mapping):
    questionnaire, _ = mapping
    with translation.override("fr"):
        found = results(user_with_role(Role.ANALYST), questionnaire)
    sex, _counts = by_key(found, "sex")
    assert sex.title == "À propos de vous · Sexe"
    assert [r.label for r in sex.rows][:2] == ["Femme", "Homme"]
    with translation.override("en"):
        found = results(user_with_role(Role.ANALYST), questionnaire)
    assert [r.label for r in by_key(found, "sex")[0].rows][:2] == ["Female", "Male"]


def test_a_wave_is_read_alone_and_fewer_respondents_than_the_threshold_show_nothing(mapping):
    questionnaire, first = mapping
    second = _wave(first.version, "2027 round")
    for i in range(3):
        s = _submission(second, i)
        _answer(s, "sex", "female")
    analyst = user_with_role(Role.ANALYST)
    alone = results(analyst, questionnaire, second)
    assert alone.too_few and alone.respondents is None and alone.tables == []
    assert alone.countries is None and alone.map["countries"] == []
    assert results(analyst, questionnaire, first).respondents == 12
    # All waves (15) minus the first (12) would give the second's three: refused.
    together = results(analyst, questionnaire)
    assert together.refused and together.respondents is None and together.tables == []


def test_an_officer_scoped_to_a_country_reads_its_respondents_only(mapping):
    questionnaire, wave = mapping
    officer = user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "FR")
    found = results(officer, questionnaire)
    assert found.respondents == 7  # those who said they live in France
    _t, sex = by_key(found, "sex")
    # female 6, male 1 out of 7: the one is hidden, and the six with it (7 - 6 would tell).
    assert sex["female"] == "hidden" and sex["male"] == "hidden"
    # A respondent linked to a member living in France counts too, whatever they answered.
    member = MemberFactory(country_of_residence="FR")
    linked = _submission(wave, 50, member=member)
    _answer(linked, "sex", "male")
    assert results(officer, questionnaire).respondents == 8


def _handmade(definition):
    questionnaire = Questionnaire.objects.create(form_id="handmade", title="Handmade")
    return QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=1,
        title="Handmade",
        original_name="handmade.xlsx",
        checksum="x",
        definition=definition,
        questions=2,
    )


def test_dates_by_month_and_decimals_in_ranges(db, settings):
    settings.LIAISON_DEFAULT_SUPPRESSION_THRESHOLD = 5
    version = _handmade(
        {
            "children": [
                {"type": "date", "name": "returned", "label": "When did you return?"},
                {"type": "decimal", "name": "income", "label": "Monthly income"},
            ]
        }
    )
    wave = _wave(version)
    months = [(2025, 1)] * 5 + [(2025, 3)] * 6
    incomes = [0.5] * 5 + [2.5] * 6
    for i, ((year, month), income) in enumerate(zip(months, incomes, strict=True)):
        s = _submission(wave, i)
        _answer(s, "returned", date=datetime.date(year, month, 3 + i))
        _answer(s, "income", number=Decimal(str(income)))
    found = results(user_with_role(Role.ANALYST), version.questionnaire)
    dates, per_month = by_key(found, "returned")
    assert per_month == {"2025-01": 5, "2025-02": 0, "2025-03": 6, NO_ANSWER: 0}
    assert [r.label for r in dates.rows][:3] == ["January 2025", "February 2025", "March 2025"]
    income, ranges = by_key(found, "income")
    # Eleven answers, two bins' worth, between the 5th smallest (0.5) and the 5th largest
    # (2.5): width 1 from 0; under 1, 1 to under 2, 2 or more.
    assert ranges == {"0": 5, "1": 0, "2": 6, NO_ANSWER: 0}
    assert [r.label for r in income.rows][:3] == ["under 1", "1 to under 2", "2 or more"]
    assert income.summary == [("Median (to the nearest 1)", "3")]  # 2.5, rounded


def test_the_page_and_its_downloads_show_the_same_suppressed_results(client, mapping):
    questionnaire, _ = mapping
    client.force_login(user_with_role(Role.ANALYST))
    page = client.get("/insights/surveys/", {"questionnaire": questionnaire.pk})
    body = page.content.decode()
    assert "12 respondents." in body
    assert 'id="map-respondents"' in body
    assert "/registry/members" not in body
    csv_text = client.get(
        "/insights/surveys/export.csv", {"questionnaire": questionnaire.pk}
    ).content.decode()
    assert ",mentoring,Mentoring students or young professionals,hidden," in csv_text
    assert ",skills_transfer,Sharing my skills with institutions (skills transfer),9,75.0" in (
        csv_text
    )
    picked_wrong = client.get(
        "/insights/surveys/", {"questionnaire": questionnaire.pk, "wave": 999}
    ).content.decode()
    assert "Select a valid choice" in picked_wrong


def test_a_far_out_answer_is_folded_into_an_open_ended_range(db, settings):
    settings.LIAISON_DEFAULT_SUPPRESSION_THRESHOLD = 5
    version = _handmade({"children": [{"type": "integer", "name": "age", "label": "Age"}]})
    wave = _wave(version)
    # 5 in their twenties, 6 in their thirties, and one aged 79.
    ages = [21, 22, 23, 24, 25, 31, 32, 33, 34, 35, 36, 79]
    for i, age in enumerate(ages):
        _answer(_submission(wave, i), "age", number=Decimal(age))
    found = results(user_with_role(Role.ANALYST), version.questionnaire)
    table_, bins = by_key(found, "age")
    # The bins come from the 5th smallest (25) and 5th largest (33) answers, two bins' worth
    # for twelve: width 5 from 25, the ends open. The one aged 79 is "30 or more" (7), and
    # moves nothing: without them the bins are the same (test_differencing).
    assert [(r.label, r.count) for r in table_.rows] == [
        ("under 30", 5),
        ("30 or more", 7),
        ("No answer", 0),
    ]
    assert "79" not in " ".join(r.label for r in table_.rows)
    assert bins == {"25": 5, "30": 7, NO_ANSWER: 0}
