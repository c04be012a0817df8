"""Questionnaires uploaded as XLSForm workbooks, as officers write them in Excel."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from liaison.accounts.roles import Role
from liaison.surveys import xpath
from liaison.surveys.models import Questionnaire, QuestionnaireVersion
from tests.factories import user_with_role

SURVEY = [
    [
        "type",
        "name",
        "label::English (en)",
        "label::French (fr)",
        "required",
        "relevant",
        "constraint",
        "constraint_message::English (en)",
        "calculation",
        "choice_filter",
    ],
    ["text", "full_name", "Your name", "Votre nom", "yes", "", "", "", "", ""],
    ["integer", "age", "Age", "Âge", "yes", "", ". >= 18 and . < 120", "18 or more", "", ""],
    ["select_one country", "country", "Country", "Pays", "", "", "", "", "", ""],
    [
        "select_one city",
        "city",
        "City",
        "Ville",
        "",
        "${country} != ''",
        "",
        "",
        "",
        "country=${country}",
    ],
    ["begin_group", "work", "Work", "Travail", "", "${age} >= 20", "", "", "", ""],
    ["select_multiple skills", "skills", "Skills", "Compétences", "", "", "", "", "", ""],
    ["end_group", "", "", "", "", "", "", "", "", ""],
    ["begin_repeat", "children", "Children", "Enfants", "", "", "", "", "", ""],
    ["text", "child", "Child's name", "Prénom de l'enfant", "", "", "", "", "", ""],
    ["end_repeat", "", "", "", "", "", "", "", "", ""],
    ["geopoint", "place", "Where do you live?", "Où vivez-vous ?", "", "", "", "", "", ""],
    ["calculate", "age_months", "", "", "", "", "", "", "${age} * 12", ""],
    ["date", "arrived", "Arrival date", "Date d'arrivée", "", "", "", "", "", ""],
    ["decimal", "income", "Monthly income", "Revenu mensuel", "", "", "", "", "", ""],
    ["note", "thanks", "Thank you", "Merci", "", "", "", "", "", ""],
]
CHOICES = [
    ["list_name", "name", "label::English (en)", "label::French (fr)", "country"],
    ["country", "FR", "France", "France", ""],
    ["country", "SN", "Senegal", "Sénégal", ""],
    ["city", "lyon", "Lyon", "Lyon", "FR"],
    ["city", "dakar", "Dakar", "Dakar", "SN"],
    ["skills", "nursing", "Nursing", "Soins infirmiers", ""],
    ["skills", "teaching", "Teaching", "Enseignement", ""],
]


def workbook(survey, choices=CHOICES, version="2026-11"):
    wb = Workbook()
    sheet = wb.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    listing = wb.create_sheet("choices")
    for row in choices:
        listing.append(row)
    settings = wb.create_sheet("settings")
    settings.append(["form_id", "form_title", "version", "default_language"])
    settings.append(["diaspora_mapping", "Diaspora mapping", version, "English (en)"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, content, name="mapping.xlsx"):
    return client.post("/surveys/", {"file": SimpleUploadedFile(name, content)}, follow=True)


@pytest.fixture
def officer_client(client, db):
    client.force_login(user_with_role(Role.PROGRAMME_OFFICER))
    return client


def test_a_bilingual_questionnaire_is_read_and_kept_as_numbered_versions(officer_client):
    page = upload(officer_client, workbook(SURVEY))
    questionnaire = Questionnaire.objects.get()
    assert (questionnaire.form_id, questionnaire.title) == ("diaspora_mapping", "Diaspora mapping")
    version = questionnaire.versions.get()
    assert (version.number, version.version, version.questions) == (1, "2026-11", 11)
    assert version.languages == [["English (en)", "en"], ["French (fr)", "fr"]]
    assert "Version 1 of “Diaspora mapping” is saved" in page.content.decode()
    french = officer_client.get(f"/surveys/{questionnaire.pk}/", {"language": "fr"})
    rows = {r["name"]: r for r in french.context["rows"]}
    assert rows["full_name"]["label"] == "Votre nom" and rows["full_name"]["required"]
    assert rows["skills"]["choices"] == ["Soins infirmiers", "Enseignement"]
    assert rows["skills"]["depth"] == 1  # inside the "work" group
    assert rows["city"]["relevant"] == "${country} != ''"
    # The same workbook again changes nothing.
    again = upload(officer_client, workbook(SURVEY))
    assert "already the latest version" in again.content.decode()
    assert QuestionnaireVersion.objects.count() == 1
    # A changed workbook with a new version becomes version 2; the first stays as it was.
    changed = [*SURVEY[:-1], ["note", "bye", "Goodbye", "Au revoir", "", "", "", "", "", ""]]
    upload(officer_client, workbook(changed, version="2026-12"))
    assert list(questionnaire.versions.values_list("number", "version")) == [
        (2, "2026-12"),
        (1, "2026-11"),
    ]
    assert "bye" not in {r["name"] for r in questionnaire.versions.get(number=1).rows()}
    # A changed workbook that keeps an old version is refused.
    refused = upload(officer_client, workbook(SURVEY[:-1], version="2026-12"))
    assert "was uploaded before with other content" in refused.content.decode()
    assert QuestionnaireVersion.objects.count() == 2


def _problems(response):
    return [(p["sheet"], p["row"], p["column"], p["reason"]) for p in response.context["problems"]]


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (
            ["text", "full_name", "Again", "Encore", "", "", "", "", "", ""],
            "B",
            "already used on row 2",
        ),
        (
            ["colour_picker", "c", "C", "C", "", "", "", "", "", ""],
            "A",
            "is not an XLSForm question type",
        ),
        (
            ["image", "photo", "Photo", "Photo", "", "", "", "", "", ""],
            "A",
            "“image” questions are not supported",
        ),
        (["text", "x", "X", "X", "", "${age} = = 3 and (", "", "", "", ""], "F", "cannot be read"),
        (
            ["text", "y", "Y", "Y", "", "jr:choice-name(${country}, '${country}')", "", "", "", ""],
            "F",
            "jr:choice-name() is not supported",
        ),
        (
            ["text", "z", "Z", "Z", "", "${nowhere} > 1", "", "", "", ""],
            "F",
            "${nowhere}, which is not a question",
        ),
        (
            ["select_one colours", "c", "C", "C", "", "", "", "", "", ""],
            "A",
            "no choice list “colours”",
        ),
    ],
)
def test_each_problem_is_named_by_row_and_column_and_nothing_is_stored(
    officer_client, row, column, reason
):
    response = upload(officer_client, workbook([*SURVEY, row]))
    problems = _problems(response)
    assert len(problems) == 1, problems
    sheet, number, where, message = problems[0]
    assert (sheet, number, where) == ("survey", len(SURVEY) + 1, column)
    assert reason in message
    assert "nothing was saved" in response.content.decode()
    assert not Questionnaire.objects.exists()


def test_a_cycle_between_relevance_and_calculation_is_refused(officer_client):
    survey = [
        ["type", "name", "label", "relevant", "calculation"],
        ["integer", "a", "A", "${b} > 1", ""],
        ["calculate", "b", "", "", "${c} + 1"],
        ["integer", "c", "C", "${a} > 0", ""],
    ]
    problems = _problems(upload(officer_client, workbook(survey, choices=[["list_name"]])))
    assert [p[1] for p in problems] == [2, 3, 4]
    assert all("${a} → ${b} → ${c} → ${a}" in p[3] for p in problems)
    assert not Questionnaire.objects.exists()


def test_unbalanced_groups_and_unreadable_files_are_explained(officer_client, settings):
    survey = [["type", "name", "label"], ["begin_group", "g", "G"], ["text", "a", "A"]]
    problems = _problems(upload(officer_client, workbook(survey)))
    assert problems == [("survey", 2, "A", "This “begin group” is never closed with “end group”.")]
    broken = upload(officer_client, b"not a workbook", name="form.xlsx")
    assert "not a readable XLSX workbook" in broken.content.decode()
    settings.LIAISON_MAX_UPLOAD_BYTES = 1000
    big = upload(officer_client, workbook(SURVEY))
    assert "the limit is" in big.content.decode()
    assert not Questionnaire.objects.exists()


def test_only_programme_officers_and_administrators_manage_questionnaires(client, db):
    for role in (Role.CONSULAR_OFFICER, Role.ANALYST, Role.MEMBER):
        client.force_login(user_with_role(role))
        assert (
            client.post("/surveys/", {"file": SimpleUploadedFile("a.xlsx", b"")}).status_code == 403
        )
    assert not Questionnaire.objects.exists()


@pytest.mark.parametrize(
    ("expression", "readable"),
    [
        ("${a} = 'x' and not(selected(${s}, 'b'))", True),
        ("count-selected(${s}) >= 2 or today() > ${d}", True),
        ("if(${a} > 1, 'x', 'y')", True),
        ("regex(., '^[0-9]{4}$')", True),
        ("selected(${a})", False),  # selected() takes two arguments
        ("${a} = = 1", False),
        ("open_the_door()", False),
    ],
)
def test_expressions_are_read_as_odk_xpath(expression, readable):
    assert (xpath.check(expression) is None) == readable


def test_a_workbook_without_questions_or_settings_rows_is_explained(officer_client):
    wb = Workbook()
    wb.active.title = "survey"
    wb.active.append(["type", "name", "label"])
    wb.create_sheet("settings").append(["form_id", "version"])
    out = io.BytesIO()
    wb.save(out)
    response = upload(officer_client, out.getvalue())
    assert _problems(response) == [("survey", 0, "", "The “survey” sheet has no questions.")]
    assert not Questionnaire.objects.exists()
