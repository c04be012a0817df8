"""The rules engine of XLSForm questionnaires: types, relevance, requirements, constraints,
calculations and choice filters, with ODK's meaning, on forms read from real workbooks.

Every expected value below is worked out by hand from the form and the answers."""

from __future__ import annotations

import datetime
import functools
import io
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import Workbook

from liaison.surveys import engine, ready, xlsform, xpath
from liaison.surveys.engine import Issue

TODAY = datetime.date(2026, 5, 1)


def build(rows: list[dict[str, str]], choices: list[dict[str, str]] | None = None) -> engine.Form:
    """A form read from an XLSForm workbook written here, as an officer would upload it."""
    wb = Workbook()
    survey = wb.active
    assert survey is not None
    survey.title = "survey"
    headers = list(dict.fromkeys(key for row in rows for key in row))
    survey.append(headers)
    for row in rows:
        survey.append([row.get(h, "") for h in headers])
    listing = wb.create_sheet("choices")
    choice_headers = list(dict.fromkeys(key for row in choices or [] for key in row)) or [
        "list_name",
        "name",
        "label",
    ]
    listing.append(choice_headers)
    for row in choices or []:
        listing.append([row.get(h, "") for h in choice_headers])
    settings = wb.create_sheet("settings")
    settings.append(["form_id", "version", "default_language"])
    settings.append(["engine_test", "1", "English (en)"])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return engine.Form(xlsform.read(out, "engine_test.xlsx").definition)


@functools.cache
def ready_form(slug: str) -> engine.Form:
    content = ready.BY_SLUG[slug].workbook()
    return engine.Form(xlsform.read(io.BytesIO(content), f"{slug}.xlsx").definition)


def q(kind: str, name: str, label: str = "", **columns: str) -> dict[str, str]:
    return {"type": kind, "name": name, "label": label or name.capitalize(), **columns}


def calc(name: str, calculation: str) -> dict[str, str]:
    return {"type": "calculate", "name": name, "calculation": calculation}


def choice(list_name: str, name: str, **columns: str) -> dict[str, str]:
    return {"list_name": list_name, "name": name, "label": name.capitalize(), **columns}


def codes(outcome: engine.Outcome) -> list[tuple[str, tuple[int, ...], str]]:
    return [(i.name, i.instance, i.code) for i in outcome.issues]


# --- the form's structure ----------------------------------------------------------------------

STRUCTURE = [
    q("today", "today"),
    q("start", "start"),
    q("note", "intro", "Welcome"),
    q("begin_group", "about"),
    q("text", "full_name"),
    q("select_one yes_no", "consent"),
    q("end_group", ""),
    q("begin_repeat", "household"),
    q("begin_group", "where"),
    q("geopoint", "place"),
    q("end_group", ""),
    q("begin_repeat", "member"),
    q("integer", "age"),
    q("select_multiple skill", "skills"),
    q("end_repeat", ""),
    q("end_repeat", ""),
    calc("members", "count(${member})"),
]
YES_NO = [choice("yes_no", "yes"), choice("yes_no", "no")]
SKILLS = [choice("skill", "nursing"), choice("skill", "teaching"), choice("skill", "driving")]


def test_the_questions_are_listed_in_form_order_with_their_groups_and_repeats():
    form = build(STRUCTURE, YES_NO + SKILLS)
    assert [(x.name, x.type, x.path, x.repeats) for x in form.questions] == [
        ("full_name", "text", ("about", "full_name"), ()),
        ("consent", "select_one", ("about", "consent"), ()),
        ("place", "geopoint", ("household", "where", "place"), ("household",)),
        ("age", "integer", ("household", "member", "age"), ("household", "member")),
        ("skills", "select_multiple", ("household", "member", "skills"), ("household", "member")),
        ("members", "calculate", ("members",), ()),
    ]
    assert form.by_name["consent"].choices == ("yes", "no")
    assert form.by_name["consent"].list_name == "yes_no"
    assert form.by_name["skills"].choices == ("nursing", "teaching", "driving")
    assert form.by_name["full_name"].choices == () and form.by_name["full_name"].list_name == ""
    assert form.repeats == {"household": ("household",), "member": ("household", "member")}
    assert "intro" not in form.by_name and "today" not in form.by_name  # notes, metadata


def test_notes_metadata_and_unknown_keys_never_become_values():
    form = build(STRUCTURE, YES_NO + SKILLS)
    outcome = form.check(
        {"intro": "typed into a note", "today": "2020-01-01", "nonsense": 3, "full_name": "Awa"},
        today=TODAY,
    )
    assert outcome.values == {"full_name": "Awa", "members": "0"}
    assert outcome.issues == []


# --- typing answers ------------------------------------------------------------------------------

TYPED = [
    q("text", "word"),
    q("integer", "whole"),
    q("decimal", "amount"),
    q("date", "day"),
    q("select_one yes_no", "consent"),
    q("select_multiple skill", "skills"),
    q("geopoint", "place"),
    calc("echo", "concat('[', ${whole}, '|', ${day}, '|', ${skills}, ']')"),
]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (
            {
                "word": "  Awa Diop ",
                "whole": "42",
                "amount": "12.50",
                "day": "2024-02-29",
                "consent": "yes",
                "skills": "teaching nursing",
                "place": "48.8566 2.3522",
            },
            {
                "word": "Awa Diop",
                "whole": 42,
                "amount": Decimal("12.50"),
                "day": datetime.date(2024, 2, 29),
                "consent": "yes",
                "skills": ["nursing", "teaching"],  # in form order
                "place": "48.8566 2.3522 0 0",
                "echo": "[42|2024-02-29|nursing teaching]",
            },
        ),
        (  # cells of an XLSX export
            {
                "word": 1234,
                "whole": 42.0,
                "amount": 2.5,
                "day": datetime.datetime(2021, 3, 4, 10, 20),
                "consent": ["no"],
                "skills": ["driving", "nursing", "nursing"],
                "place": "-33.92 18.42 12.50 5",
            },
            {
                "word": "1234",
                "whole": 42,
                "amount": Decimal("2.5"),
                "day": datetime.date(2021, 3, 4),
                "consent": "no",
                "skills": ["nursing", "driving"],
                "place": "-33.92 18.42 12.5 5",
                "echo": "[42|2021-03-04|nursing driving]",
            },
        ),
        (  # exports write dates with their time; Decimal cells
            {"day": "2021-03-04T10:20:00.000+01:00", "whole": Decimal("-7"), "amount": 3},
            {
                "day": datetime.date(2021, 3, 4),
                "whole": -7,
                "amount": Decimal("3"),
                "echo": "[-7|2021-03-04|]",
            },
        ),
    ],
)
def test_answers_are_typed_from_web_fields_csv_text_and_spreadsheet_cells(answers, expected):
    outcome = build(TYPED, YES_NO + SKILLS).check(answers, today=TODAY)
    assert outcome.issues == []
    assert outcome.values == expected


@pytest.mark.parametrize(
    ("name", "raw", "code", "message"),
    [
        ("whole", "abc", "type", "“abc” is not a whole number."),
        ("whole", "1.5", "type", "“1.5” is not a whole number."),
        ("whole", True, "type", "“true” is not a whole number."),
        ("amount", "12,5", "type", "“12,5” is not a number."),
        ("amount", "1e3", "type", "“1e3” is not a number."),
        ("amount", "1" + "0" * 20, "type", "“1" + "0" * 20 + "” is too large."),
        # Digit strings beyond Python's int() limit (4,300 digits) are refused, not a crash.
        ("whole", "9" * 5000, "type", "“" + "9" * 39 + "…” is too large."),
        ("whole", "-" + "9" * 21 + ".0", "type", "“-" + "9" * 21 + ".0” is too large."),
        ("whole", "1" + "0" * 20, "type", "“1" + "0" * 20 + "” is too large."),
        ("amount", "9" * 5000 + ".5", "type", "“" + "9" * 39 + "…” is too large."),
        (
            "amount",
            "0." + "1" * 21,
            "type",
            "“0." + "1" * 21 + "” has too many decimal places (20 at most).",
        ),
        ("place", "10 10 " + "9" * 5000, "type", "“" + "9" * 39 + "…” is too large."),
        ("day", "31/12/2020", "type", "“31/12/2020” is not a date: write it as YYYY-MM-DD."),
        ("day", "2021-02-30", "type", "“2021-02-30” is not a date: write it as YYYY-MM-DD."),
        ("consent", "maybe", "choice", "“maybe” is not one of the choices of this question."),
        ("consent", ["yes", "no"], "choice", "Choose only one answer."),
        (
            "skills",
            "nursing cooking",
            "choice",
            "“cooking” is not one of the choices of this question.",
        ),
        (
            "place",
            "95 10",
            "type",
            "“95 10” is not a location: the latitude must be between -90 and 90, the longitude "
            "between -180 and 180.",
        ),
        (
            "place",
            "Paris",
            "type",
            "“Paris” is not a location: write the latitude and the longitude, then optionally the "
            "altitude and the accuracy, separated by spaces.",
        ),
        ("word", {"nested": "dict"}, "type", "“{'nested': 'dict'}” is not a single answer."),
    ],
)
def test_an_answer_of_the_wrong_type_is_an_issue_and_reads_as_empty(name, raw, code, message):
    outcome = build(TYPED, YES_NO + SKILLS).check({name: raw})
    assert outcome.issues == [Issue(name, (), code, message)]
    assert name not in outcome.values
    # later expressions read it as empty
    assert outcome.values["echo"] == "[||]"


def test_long_numbers_within_the_limits_are_typed():
    outcome = build(TYPED, YES_NO + SKILLS).check(
        {
            "whole": "0" * 5000 + "9" * 20,  # leading zeros do not count, nor crash int()
            "amount": "-" + "9" * 20 + "." + "1" * 20,
            "place": "10 10 " + "1" * 20 + " 0." + "5" * 20,
        }
    )
    assert outcome.issues == []
    assert outcome.values["whole"] == int("9" * 20)
    assert outcome.values["amount"] == Decimal("-" + "9" * 20 + "." + "1" * 20)
    assert outcome.values["place"] == "10 10 " + "1" * 20 + " 0." + "5" * 20


@pytest.mark.parametrize("empty", ["", "   ", None, []])
def test_an_empty_answer_is_no_answer(empty):
    form = build(
        [q("integer", "whole", required="yes"), q("select_multiple skill", "skills")], SKILLS
    )
    outcome = form.check({"whole": empty, "skills": empty})
    assert outcome.values == {}
    assert codes(outcome) == [("whole", (), "required")]


# --- relevance -----------------------------------------------------------------------------------

HIDDEN_GROUP = [
    q("select_one yes_no", "consent"),
    q("begin_group", "contact", relevant="${consent} = 'yes'"),
    q("text", "email", required="yes"),
    q("begin_group", "address"),
    q("text", "city"),
    q("end_group", ""),
    q("begin_repeat", "phones"),
    q("text", "phone"),
    q("end_repeat", ""),
    q("note", "contact_note", "We will write to you."),
    q("end_group", ""),
    calc("summary", "concat('email:', ${email}, ' phones:', count(${phones}))"),
]


def test_a_hidden_group_hides_everything_inside_and_its_answers_are_dropped():
    form = build(HIDDEN_GROUP, YES_NO)
    answers = {
        "consent": "no",
        "email": "awa@example.org",
        "city": "Paris",
        "phones": [{"phone": "+33 6 12"}],
    }
    outcome = form.check(answers, today=TODAY)
    # the email reads as empty, the phone entry is no longer counted
    assert outcome.values == {"consent": "no", "summary": "email: phones:0"}
    assert outcome.hidden == {
        ("contact", ()),
        ("email", ()),
        ("address", ()),
        ("city", ()),
        ("phones", ()),
        ("phones", (1,)),
        ("phone", (1,)),
        ("contact_note", ()),
    }
    assert outcome.issues == []  # the hidden email is not required
    shown = form.check({**answers, "consent": "yes"}, today=TODAY)
    assert shown.hidden == set()
    assert shown.values == {
        "consent": "yes",
        "email": "awa@example.org",
        "city": "Paris",
        "phones": [{"phone": "+33 6 12"}],
        "summary": "email:awa@example.org phones:1",
    }


# --- required, constraint, messages --------------------------------------------------------------

MESSAGES = [
    {
        "type": "integer",
        "name": "age",
        "label::English (en)": "Age",
        "label::French (fr)": "Âge",
        "required": "yes",
        "required_message::English (en)": "Tell us your age.",
        "required_message::French (fr)": "Indiquez votre âge.",
        "constraint": ". >= 18",
        "constraint_message::English (en)": "You must be 18 or older.",
        "constraint_message::French (fr)": "Vous devez avoir 18 ans ou plus.",
    },
    {
        "type": "text",
        "name": "code",
        "label::English (en)": "Country code",
        "label::French (fr)": "Code pays",
        "constraint": "regex(., '^[A-Z]{2}$')",
    },
    {
        "type": "text",
        "name": "partner",
        "label::English (en)": "Partner",
        "label::French (fr)": "Conjoint",
        "required": "${age} >= 30",
    },
]


@pytest.mark.parametrize(
    ("language", "required", "constraint"),
    [
        ("", "Tell us your age.", "You must be 18 or older."),
        ("en", "Tell us your age.", "You must be 18 or older."),
        ("fr", "Indiquez votre âge.", "Vous devez avoir 18 ans ou plus."),
        ("French (fr)", "Indiquez votre âge.", "Vous devez avoir 18 ans ou plus."),
        ("de", "Tell us your age.", "You must be 18 or older."),  # not in the form: default
    ],
)
def test_the_forms_messages_speak_the_requested_language(language, required, constraint):
    form = build(MESSAGES)
    assert form.check({}, language=language).issues == [Issue("age", (), "required", required)]
    # "9" is compared as a number: 9 < 18 (as text, "9" would come after "18")
    too_young = form.check({"age": "9"}, language=language)
    assert too_young.issues == [Issue("age", (), "constraint", constraint)]
    assert too_young.values == {"age": 9}  # typed, with its issue


def test_without_a_message_the_issue_names_the_rule_and_required_can_be_an_expression():
    form = build(MESSAGES)
    outcome = form.check({"age": "34", "code": "fra"})
    assert outcome.issues == [
        Issue(
            "code",
            (),
            "constraint",
            "“fra” does not meet the condition of this question (regex(., '^[A-Z]{2}$')).",
        ),
        Issue("partner", (), "required", "This question needs an answer."),  # 34 >= 30
    ]
    assert form.check({"age": "29", "code": "FR"}).issues == []


def test_a_draft_skips_required_only():
    form = build(MESSAGES)
    draft = form.check({"code": "fra"}, complete=False)
    assert codes(draft) == [("code", (), "constraint")]
    assert codes(form.check({"code": "fra"})) == [
        ("age", (), "required"),
        ("code", (), "constraint"),
    ]


def test_a_constraint_is_not_checked_on_an_empty_answer():
    form = build([q("integer", "age", constraint=". >= 18")])
    assert form.check({"age": ""}).issues == []


# --- calculations --------------------------------------------------------------------------------


def test_calculations_run_after_what_they_read_whatever_the_form_order():
    form = build(
        [
            calc("with_margin", "${total} * 1.5"),
            calc("total", "${price} * ${quantity}"),
            q("integer", "price", relevant="${shop} = 'yes'"),
            q("integer", "quantity"),
            q("select_one yes_no", "shop"),
            calc("share", "${price} div 4"),
            calc("unknown", "${missing} * 2"),
            q("integer", "missing"),
        ],
        YES_NO,
    )
    outcome = form.check({"price": "10", "quantity": "3", "shop": "yes"})
    assert outcome.values == {
        "with_margin": "45",  # 30 * 1.5
        "total": "30",
        "price": 10,
        "quantity": 3,
        "shop": "yes",
        "share": "2.5",
        "unknown": "NaN",  # as ODK: a number from no answer
    }
    # a price that is not relevant reads as empty: every product of it is NaN
    hidden = form.check({"price": "10", "quantity": "3", "shop": "no"})
    assert hidden.values["total"] == "NaN" and "price" not in hidden.values


def test_once_keeps_a_value_already_calculated():
    form = build(
        [
            q("integer", "n"),
            calc("first", "once(concat('first-', ${n}))"),
            calc("kept", "once(concat('first-', ${n}))"),
        ]
    )
    outcome = form.check({"n": "7", "kept": "from the device"})
    assert outcome.values == {"n": 7, "first": "first-7", "kept": "from the device"}


FUNCTIONS_FORM = [
    q("text", "word"),
    q("text", "empty_text"),
    q("integer", "n"),
    q("decimal", "x"),
    q("integer", "missing_number"),
    q("select_multiple skill", "skills"),
    q("date", "d"),
    q("begin_repeat", "kid"),
    q("text", "kid_name"),
    q("integer", "kid_age"),
    calc("kid_no", "position(..)"),
    q("end_repeat", ""),
]
FUNCTION_ANSWERS: dict[str, Any] = {
    "word": "Hello World",
    "n": "-7",
    "x": "2.5",
    "skills": "teaching nursing",
    "d": "2024-03-05",
    "kid": [
        {"kid_name": "Awa", "kid_age": "4"},
        {"kid_name": "", "kid_age": "10"},
        {"kid_name": "Moussa", "kid_age": "7"},
    ],
}
# (calculation, the text ODK gives) with the answers above and today 2026-05-01
CALCULATIONS = [
    ("selected(${skills}, 'teaching')", "true"),
    ("selected(${skills}, 'driving')", "false"),
    ("selected-at(${skills}, 1)", "teaching"),  # nursing teaching, in form order
    ("count-selected(${skills})", "2"),
    ("today()", "2026-05-01"),
    ("format-date(now(), '%Y-%m-%d')", "2026-05-01"),
    ("regex(${word}, '^H.*d$')", "true"),
    ("regex(${word}, '[0-9]')", "false"),
    ("if(${n} < 0, 'negative', 'positive')", "negative"),
    ("coalesce(${empty_text}, 'fallback')", "fallback"),
    ("coalesce(${word}, 'fallback')", "Hello World"),
    ("int(${x} * 3)", "7"),  # 7.5
    ("int(${n} div 2)", "-3"),  # -3.5 towards zero
    ("pow(2, 10)", "1024"),
    ("abs(${n})", "7"),
    ("min(${n}, ${x}, 3)", "-7"),
    ("max(${n}, ${x}, 3)", "3"),
    ("max(${kid_age})", "10"),
    ("substr(${word}, 0, 5)", "Hello"),
    ("substr(${word}, 6)", "World"),
    ("ends-with(${word}, 'World')", "true"),
    ("date(${d} + 1)", "2024-03-06"),
    ("decimal-date-time(${d})", "19787"),  # 54 years with 13 leap days, then 31 + 29 + 4 days
    ("format-date(${d}, '%Y/%m/%d %e %n %b %a')", "2024/03/05 5 3 Mar Tue"),
    ("format-date('2024-03-05T14:07:09', '%H:%M:%S')", "14:07:09"),
    ("string-length(${word})", "11"),
    ("count-non-empty(${kid_name})", "2"),
    ("join(', ', ${kid_name})", "Awa, , Moussa"),
    ("boolean-from-string('true')", "true"),
    ("boolean-from-string('yes')", "false"),
    ("count(${kid})", "3"),
    ("sum(${kid_age})", "21"),
    ("concat(${word}, '!')", "Hello World!"),
    ("round(${x})", "3"),
    ("floor(-2.5)", "-3"),
    ("ceiling(${x})", "3"),
    ("${x} * 2 + 1", "6"),
    ("7 div 2", "3.5"),
    ("7 mod 3", "1"),
    ("1 div 0", "Infinity"),
    ("${n}-1", "-8"),  # ${n}-1 is a subtraction, not a name "n-1"
    ("${d} < today()", "true"),
    ("today() - ${d}", "787"),  # days from 2024-03-05 to 2026-05-01
    ("${d} = '2024-03-05'", "true"),
    ("substring('12345', 2, 3)", "234"),
    ("translate('bar', 'abc', 'ABC')", "BAr"),
    ("normalize-space('  a   b ')", "a b"),
    ("contains(${word}, 'lo W')", "true"),
    ("starts-with(${word}, 'Hell')", "true"),
    ("${n} = -7", "true"),
    ("'9' < '18'", "true"),
    ("${word} != 'Hello World'", "false"),
    ("not(${empty_text} != '')", "true"),
    ("${missing_number} * 2", "NaN"),
    ("string(${n} > 3 or ${n} < -3)", "true"),
    ("number('12.5') + 1", "13.5"),
    ("sum(/data/kid/kid_age)", "21"),
    ("count(/data/kid[kid_age > 5])", "2"),
    ("/data/kid[2]/kid_age", "10"),
    ("true() and not(false())", "true"),
    ("boolean(${word})", "true"),
    ("substring-before(${d}, '-')", "2024"),
    ("substring-after(${d}, '2024-')", "03-05"),
    ("string-length(normalize-space('  a   b '))", "3"),
    ("/data/kid[last()]/kid_name", "Moussa"),
    ("concat(string(${n}), ':', number(' 4 ') * 2)", "-7:8"),
]


@functools.cache
def functions_outcome() -> engine.Outcome:
    rows = FUNCTIONS_FORM + [calc(f"c{i}", e) for i, (e, _x) in enumerate(CALCULATIONS)]
    return build(rows, SKILLS).check(FUNCTION_ANSWERS, today=TODAY)


@pytest.mark.parametrize(("index", "expected"), list(enumerate(e for _c, e in CALCULATIONS)))
def test_each_function_and_operator_computes_as_odk_does(index, expected):
    outcome = functions_outcome()
    assert outcome.issues == []
    assert outcome.values.get(f"c{index}", "") == expected, CALCULATIONS[index][0]


# ODK's round(number, decimals?), worked out by hand: the number as written is rounded to that
# many decimals (tens, hundreds... when negative), a half towards positive infinity as in XPath
# 1.0 and JavaRosa; with x = 2.5 and n = -7 as above.
ROUNDINGS = [
    ("round(${x})", "3"),
    ("round(-2.5)", "-2"),  # a half goes up, towards positive infinity, not away from zero
    ("round(-2.6)", "-3"),
    ("round(0.49999999999999994)", "0"),  # just below a half (floor(x + 0.5) would say 1)
    ("round(14.29123456789, 2)", "14.29"),  # not 14.290000000000001
    ("round(1.005, 2)", "1.01"),  # 1.005 as written, not the float just below it
    ("round(-1.005, 2)", "-1"),  # -1.00: the half goes up
    ("round(10 div 3, 2)", "3.33"),
    ("round(2 div 3, 3)", "0.667"),
    ("round(${x}, 1)", "2.5"),
    ("round(${x} * ${n}, 0)", "-17"),  # -17.5
    ("round(1234.5678, -2)", "1200"),
    ("round(1250, -2)", "1300"),
    ("round(-1250, -2)", "-1200"),
    ("round(-33.33, -1)", "-30"),
    ("round(3.14159, 1.9)", "3.1"),  # decimals are truncated to a whole number
    ("round(3.14159, ${empty_text})", "3"),  # no number of decimals: none, as JavaRosa
    ("round(2.5, 31)", "NaN"),  # more than 30 decimals either way
    ("round(2.5, -31)", "NaN"),
    ("round('many', 2)", "NaN"),
    ("round(${missing_number}, 2)", "NaN"),
    ("round(1 div 0, 2)", "Infinity"),
    ("round(${d}, 0)", "19787"),  # a date is its days since 1970-01-01
]


@pytest.mark.parametrize(("expression", "expected"), ROUNDINGS)
def test_round_takes_a_number_of_decimals_and_rounds_a_half_up_as_javarosa(expression, expected):
    # built from a workbook, so the upload's checker accepted round() with two arguments
    form = build([*FUNCTIONS_FORM, calc("rounded", expression)], SKILLS)
    outcome = form.check(FUNCTION_ANSWERS, today=TODAY)
    assert outcome.issues == []
    assert outcome.values.get("rounded", "") == expected


def test_round_in_a_constraint_limits_the_decimals_of_an_answer():
    form = build([q("decimal", "bmi", constraint="round(., 1) = .", constraint_message="1 dp")])
    assert form.check({"bmi": "22.5"}).issues == []
    assert form.check({"bmi": "22.55"}).issues == [Issue("bmi", (), "constraint", "1 dp")]
    assert form.check({"bmi": "-22.55"}).issues == [Issue("bmi", (), "constraint", "1 dp")]


def test_round_with_three_arguments_is_refused_at_upload_naming_row_and_column():
    rows = [q("decimal", "x"), calc("y", "round(${x}, 2, 1)")]
    with pytest.raises(xlsform.XLSFormError) as refused:
        build(rows)
    assert [(p.sheet, p.row, p.column) for p in refused.value.problems] == [("survey", 3, "D")]
    assert refused.value.problems[0].message == (
        "This expression cannot be read: Too many arguments: expected at most 2 arguments"
    )


def test_position_gives_each_repeat_entry_its_number():
    kids = functions_outcome().values["kid"]
    assert [k["kid_no"] for k in kids] == ["1", "2", "3"]
    assert kids[1] == {"kid_age": 10, "kid_no": "2"}  # the empty name is left out


def test_an_expression_that_fails_gives_an_issue_not_an_error():
    form = build(
        [
            q("text", "word", constraint="regex(., '[')"),
            calc("when", "date(${word})"),
            q("integer", "n", relevant="count(string(${word})) > 0"),
        ]
    )
    outcome = form.check({"word": "soon", "n": "3"})
    assert [(i.name, i.code) for i in outcome.issues] == [
        ("word", "constraint"),
        ("when", "constraint"),
        ("n", "constraint"),
    ]
    messages = [i.message for i in outcome.issues]
    assert messages[0].startswith(
        "The rule “regex(., '[')” could not be checked: The regular expression “[” is not valid:"
    )
    assert messages[1] == "The rule “date(${word})” could not be checked: “soon” is not a date."
    assert messages[2] == (
        "The rule “count(string(${word})) > 0” could not be checked: count() needs questions "
        "or repeats, not the value “soon”."
    )
    assert "when" not in outcome.values
    assert outcome.values["n"] == 3  # a relevance that fails leaves the question shown


# --- dates ---------------------------------------------------------------------------------------

DATES = [
    q("date", "dob", constraint=". < today()"),
    q("text", "guardian", relevant="today() - ${dob} < 365 * 18"),
    q("date", "arrived"),
    calc("days_here", "today() - ${arrived}"),
    q("date", "start"),
    q("date", "end", constraint="${end} >= ${start}", constraint_message="Not before the start"),
    calc("nights", "int(decimal-date-time(${end}) - decimal-date-time(${start}))"),
]


def test_dates_compare_and_subtract_as_days():
    form = build(DATES)
    minor = form.check(
        {
            "dob": "2010-06-01",  # not yet 18 on 2026-05-01
            "guardian": "Fatou",
            "arrived": "2026-04-21",
            "start": "2026-03-01",
            "end": "2026-03-05",
        },
        today=TODAY,
    )
    assert minor.issues == []
    assert minor.values["guardian"] == "Fatou"
    assert minor.values["days_here"] == "10"
    assert minor.values["nights"] == "4"
    adult = form.check(
        {"dob": "2000-01-01", "guardian": "Fatou", "start": "2026-03-05", "end": "2026-03-01"},
        today=TODAY,
    )
    assert ("guardian", ()) in adult.hidden and "guardian" not in adult.values
    assert adult.issues == [Issue("end", (), "constraint", "Not before the start")]
    assert adult.values["nights"] == "-4"
    future = form.check({"dob": "2026-05-01"}, today=TODAY)  # not before today
    assert codes(future) == [("dob", (), "constraint")]


# --- repeats -------------------------------------------------------------------------------------

HOUSEHOLDS = [
    q("begin_repeat", "household"),
    q("text", "hh_name"),
    q("begin_repeat", "member"),
    q("text", "m_name", required="yes"),
    q("integer", "m_age", constraint=". <= 120", constraint_message="Too old"),
    q("text", "job", relevant="${m_age} >= 18"),
    calc("m_adult", "if(${m_age} >= 18, 'yes', 'no')"),
    calc("m_no", "position(..)"),
    calc("m_of", "concat(${m_no}, '/', ${hh_size}, ' in ', ${hh_name})"),
    q("end_repeat", ""),
    calc("hh_size", "count(${member})"),
    calc("hh_ages", "sum(${m_age})"),
    q("end_repeat", ""),
    calc("people", "count(${member})"),
    calc("households", "count(${household})"),
    calc("total_age", "sum(${m_age})"),
]


def test_repeats_read_their_own_entry_and_count_or_sum_across_entries():
    form = build(HOUSEHOLDS)
    outcome = form.check(
        {
            "household": [
                {
                    "hh_name": "North",
                    "member": [
                        {"m_name": "Awa", "m_age": "34", "job": "nurse"},
                        {"m_name": "Ibou", "m_age": "9", "job": "pupil"},
                    ],
                },
                {"hh_name": "South", "member": [{"m_name": "", "m_age": "130"}]},
            ]
        }
    )
    assert outcome.values == {
        "household": [
            {
                "hh_name": "North",
                "member": [
                    {
                        "m_name": "Awa",
                        "m_age": 34,
                        "job": "nurse",
                        "m_adult": "yes",
                        "m_no": "1",
                        "m_of": "1/2 in North",
                    },
                    {  # 9: the job is not relevant and dropped
                        "m_name": "Ibou",
                        "m_age": 9,
                        "m_adult": "no",
                        "m_no": "2",
                        "m_of": "2/2 in North",
                    },
                ],
                "hh_size": "2",  # this household's members only
                "hh_ages": "43",
            },
            {
                "hh_name": "South",
                "member": [{"m_age": 130, "m_adult": "yes", "m_no": "1", "m_of": "1/1 in South"}],
                "hh_size": "1",
                "hh_ages": "130",
            },
        ],
        "people": "3",
        "households": "2",
        "total_age": "173",
    }
    assert outcome.hidden == {("job", (1, 2))}
    assert outcome.issues == [
        Issue("m_name", (2, 1), "required", "This question needs an answer."),
        Issue("m_age", (2, 1), "constraint", "Too old"),
    ]


def test_repeat_entries_that_are_not_a_list_of_answers_are_a_type_issue():
    form = build(HOUSEHOLDS)
    outcome = form.check({"household": "two households"})
    assert codes(outcome) == [("household", (), "type")]
    assert outcome.values == {"people": "0", "households": "0", "total_age": "0"}
    entries = form.check({"household": ["North", {"hh_name": "South"}]})
    assert codes(entries) == [("household", (), "type")]
    assert entries.values["households"] == "2"  # the text entry counts as an empty one
    assert entries.values["household"][1]["hh_name"] == "South"


def test_a_repeat_relevance_that_reads_its_own_entry_hides_entries_one_by_one():
    form = build(
        [
            q("integer", "limit"),
            q("begin_repeat", "kid", relevant="${kid_age} > ${limit}"),
            q("integer", "kid_age"),
            q("text", "kid_note"),
            q("end_repeat", ""),
            calc("kids", "count(${kid})"),
        ]
    )
    outcome = form.check(
        {
            "limit": "5",
            "kid": [{"kid_age": "3", "kid_note": "a"}, {"kid_age": "9", "kid_note": "b"}],
        }
    )
    # the first entry (3 is not above 5) is hidden and keeps its place in the list
    assert outcome.values == {
        "limit": 5,
        "kid": [{}, {"kid_age": 9, "kid_note": "b"}],
        "kids": "1",
    }
    assert outcome.hidden == {("kid", (1,)), ("kid_age", (1,)), ("kid_note", (1,))}


def test_calculations_typed_as_numbers_by_their_bind_type():
    content = [calc("whole", "7 div 2"), calc("exact", "7 div 2"), calc("words", "7 div 2")]
    form = build(content)
    definition = {**form.definition, "children": [dict(c) for c in form.definition["children"]]}
    for child in definition["children"]:
        types = {"whole": "int", "exact": "decimal"}
        if child["name"] in types:
            child["bind"] = {**child["bind"], "type": types[child["name"]]}
    values = engine.Form(definition).check({}).values
    assert values == {"whole": 3, "exact": Decimal("3.5"), "words": "3.5"}


def test_a_calculation_beyond_what_an_answer_holds_has_no_value_rather_than_failing_its_storing():
    content = [
        calc("whole", "pow(10, 22)"),
        calc("exact", "-pow(10, 20)"),
        calc("fits", "pow(10, 19)"),
        calc("words", "pow(10, 22)"),
    ]
    form = build(content)
    definition = {**form.definition, "children": [dict(c) for c in form.definition["children"]]}
    for child in definition["children"]:
        types = {"whole": "int", "exact": "decimal", "fits": "int"}
        if child["name"] in types:
            child["bind"] = {**child["bind"], "type": types[child["name"]]}
    values = engine.Form(definition).check({}).values
    assert values == {"fits": 10**19, "words": "1" + "0" * 22}


def test_a_repeat_that_is_not_relevant_hides_its_entries_in_the_labour_migration_module():
    form = ready_form("labour_migration_module")
    migrants = [
        {"m_name": "Awa", "m_relationship": "child", "m_country": "FR", "m_works": "yes"},
        {"m_name": "Ibou", "m_relationship": "sibling", "m_country": "DE", "m_works": "no"},
    ]
    shown = form.check({"any_abroad": "yes", "migrant": migrants}, today=TODAY)
    assert shown.issues == []
    assert shown.values["migrants_listed"] == "2"
    # the second migrant does not work: the work questions of that entry only are hidden
    work = {"m_occupation", "m_job_found", "m_contract", "m_recruitment_fee"}
    assert {(n, (2,)) for n in work} <= shown.hidden
    assert not {(n, (1,)) for n in work} & shown.hidden
    hidden = form.check({"any_abroad": "no", "migrant": migrants}, today=TODAY)
    assert {("migrant", ()), ("migrant", (1,)), ("migrant", (2,)), ("m_name", (2,))} <= (
        hidden.hidden
    )
    assert "migrant" not in hidden.values
    assert hidden.values["migrants_listed"] == "0"
    assert hidden.issues == []  # the hidden names are not required
    # with no entry yet, the repeat as a whole is hidden (the page offers no "add")
    assert ("migrant", ()) in form.check({"any_abroad": "no"}, today=TODAY).hidden
    assert ("migrant", ()) not in form.check({"any_abroad": "yes"}, today=TODAY).hidden


# --- choice filters ------------------------------------------------------------------------------

PLACES = [
    q("select_one country", "country"),
    q("select_one city", "city", choice_filter="country=${country}"),
    q("begin_repeat", "trip"),
    q("select_one country", "trip_country"),
    q("select_multiple city", "trip_cities", choice_filter="country=${trip_country}"),
    q("end_repeat", ""),
]
CITIES = [
    choice("country", "FR"),
    choice("country", "SN"),
    choice("city", "paris", country="FR"),
    choice("city", "lyon", country="FR"),
    choice("city", "dakar", country="SN"),
    choice("city", "thies", country="SN"),
]


def test_a_choice_filter_lists_the_allowed_choices_and_refuses_the_others():
    form = build(PLACES, CITIES)
    outcome = form.check(
        {
            "country": "FR",
            "city": "dakar",
            "trip": [
                {"trip_country": "SN", "trip_cities": "thies dakar"},
                {"trip_country": "FR", "trip_cities": ["lyon", "thies"]},
            ],
        }
    )
    assert outcome.choices == {
        ("city", ()): ["paris", "lyon"],
        ("trip_cities", (1,)): ["dakar", "thies"],
        ("trip_cities", (2,)): ["paris", "lyon"],
    }
    assert outcome.issues == [
        Issue("city", (), "choice", "“dakar” is not among the choices offered here."),
        Issue("trip_cities", (2,), "choice", "“thies” is not among the choices offered here."),
    ]
    assert outcome.values["trip"][0]["trip_cities"] == ["dakar", "thies"]
    assert form.check({"country": "SN", "city": "dakar"}).issues == []


def test_a_choice_filter_on_another_select_in_the_remittance_survey():
    form = ready_form("remittance_behaviour")
    answers = {
        "residence_country": "FR",
        "sends_money": "yes",
        "channels": "bank mobile_money",
        "main_channel": "informal",
    }
    outcome = form.check(answers, today=TODAY)
    assert outcome.choices[("main_channel", ())] == ["bank", "mobile_money"]
    assert codes(outcome) == [("main_channel", (), "choice")]
    assert form.check({**answers, "main_channel": "bank"}, today=TODAY).issues == []


# --- the ready questionnaires --------------------------------------------------------------------

CONTACT = {"given_name", "family_name", "contact_by", "email", "phone"}


def test_contact_details_are_hidden_and_dropped_without_consent():
    form = ready_form("diaspora_mapping")
    outcome = form.check(
        {
            "consent_register": "no",
            "consent_contact": "no",
            "given_name": "Awa",
            "email": "awa@example.org",
            "residence_country": "SN",
        },
        today=TODAY,
    )
    assert outcome.issues == []
    assert {(n, ()) for n in CONTACT} <= outcome.hidden
    assert not CONTACT & set(outcome.values)
    assert outcome.values == {
        "consent_register": "no",
        "consent_contact": "no",
        "residence_country": "SN",
    }


def test_consent_to_be_contacted_asks_for_the_chosen_means_in_the_respondents_language():
    form = ready_form("diaspora_mapping")
    answers = {
        "consent_register": "no",
        "consent_contact": "yes",
        "contact_by": "email",
        "email": "awa-at-example.org",
        "phone": "+221 77 000 00 00",  # not a chosen means: hidden, dropped
        "residence_country": "SN",
    }
    outcome = form.check(answers, today=TODAY, language="fr")
    assert outcome.issues == [
        Issue("given_name", (), "required", "This question needs an answer."),
        Issue("family_name", (), "required", "This question needs an answer."),
        Issue("email", (), "constraint", "Saisissez une adresse électronique valide."),
    ]
    assert ("phone", ()) in outcome.hidden and "phone" not in outcome.values
    fixed = form.check(
        {**answers, "given_name": "Awa", "family_name": "Diop", "email": "awa@example.org"},
        today=TODAY,
    )
    assert fixed.issues == []
    assert fixed.values["contact_by"] == ["email"]


def test_consent_is_required_on_submission_but_not_in_a_draft():
    form = ready_form("diaspora_mapping")
    outcome = form.check({"residence_country": "SN"}, today=TODAY, language="French (fr)")
    assert outcome.issues == [
        Issue("consent_register", (), "required", "Veuillez répondre Oui ou Non."),
        Issue("consent_contact", (), "required", "Veuillez répondre Oui ou Non."),
    ]
    assert form.check({"residence_country": "SN"}, complete=False, today=TODAY).issues == []


@pytest.mark.parametrize(
    ("answers", "issues"),
    [
        ({"needs": "consular recognition investment"}, []),
        (
            {"needs": "consular recognition investment remittances"},
            [Issue("needs", (), "constraint", "Select three answers at most.")],
        ),
        ({"birth_year": "2008"}, []),  # 2026 - 18
        (
            {"birth_year": "2009"},
            [
                Issue(
                    "birth_year",
                    (),
                    "constraint",
                    "Enter a four-digit year. This survey is for people aged 18 or over.",
                )
            ],
        ),
        ({"contribution_interest": "none"}, []),
        (
            {"contribution_interest": "none investment"},
            [
                Issue(
                    "contribution_interest",
                    (),
                    "constraint",
                    '"Not at the moment" cannot be combined with other answers.',
                )
            ],
        ),
    ],
)
def test_the_diaspora_mapping_constraints(answers, issues):
    base = {"consent_register": "no", "consent_contact": "no", "residence_country": "SN"}
    outcome = ready_form("diaspora_mapping").check({**base, **answers}, today=TODAY)
    assert outcome.issues == issues


def test_a_multiple_choice_with_none_hides_what_follows_in_the_diaspora_mapping():
    form = ready_form("diaspora_mapping")
    base = {"consent_register": "no", "consent_contact": "no", "residence_country": "SN"}
    outcome = form.check({**base, "contribution_interest": "none"}, today=TODAY)
    assert ("availability", ()) in outcome.hidden
    outcome = form.check(
        {**base, "contribution_interest": "mentoring", "availability": "temporary"}, today=TODAY
    )
    assert ("availability", ()) not in outcome.hidden
    assert ("mission_length", ()) not in outcome.hidden


def test_the_mission_length_is_calculated_in_the_host_evaluation():
    form = ready_form("host_evaluation_of_expert")
    answers = {
        "institution_name": "Ministry of Health",
        "expert_name": "Dr Awa Diop",
        "mission_start": "2026-03-01",
        "mission_end": "2026-03-05",
        "objectives_met": "fully",
        "overall_rating": "5",
        "staff_trained": "10",
        "staff_trained_women": "4",
    }
    outcome = form.check(answers, today=TODAY)
    assert outcome.issues == []
    assert outcome.values["mission_days"] == "5"  # 1 to 5 March, both counted
    wrong = form.check(
        {**answers, "mission_end": "2026-02-27", "staff_trained_women": "12"},
        today=TODAY,
        language="en",
    )
    assert wrong.issues == [
        Issue("mission_end", (), "constraint", "The end date cannot be before the start date."),
        Issue(
            "staff_trained_women",
            (),
            "constraint",
            "This cannot be more than the number of staff trained.",
        ),
    ]
    assert wrong.values["mission_days"] == "-1"  # 27 Feb to 1 Mar is -2 days, plus one


# --- defaults, the expression checker, speed -----------------------------------------------------


def test_defaults_come_from_the_default_column_and_expressions_are_worked_out():
    form = build(
        [
            q("integer", "age", default="30"),
            q("date", "visit", default="today()"),
            q("select_multiple skill", "skills", default="nursing driving"),
            q("text", "greeting", default="Hello (there)"),
            q("begin_repeat", "kid"),
            q("text", "kid_name", default="Anonymous"),
            q("end_repeat", ""),
        ],
        SKILLS,
    )
    assert form.defaults() == {
        "age": "30",
        "visit": timezone.localdate().isoformat(),
        "skills": "nursing driving",
        "greeting": "Hello (there)",
    }


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("position(..) = 1", None),
        ("count(/data/kid[kid_age > 5])", None),
        ("${a}-1", None),
        ("$a + 1", "XPath variables are not supported"),
        ("@lang = 'fr'", "is not supported"),
        ("id('x')", "is not supported"),  # XPath 1.0 functions ODK Collect does not have
        ("lang('fr')", "is not supported"),
        ("namespace-uri()", "is not supported"),
        ("round(${a}, 2)", None),
        ("round(${a})", None),
        ("round()", "cannot be read"),
        ("round(${a}, 2, 1)", "cannot be read"),
        ("jr:choice-name(${a}, '${a}')", "jr:choice-name() is not supported"),
        ("open_the_door()", "open_the_door() is not supported"),
        ("${a} = = 1", "cannot be read"),
    ],
)
def test_the_expression_checker_refuses_what_the_engine_would_not_evaluate(expression, reason):
    found = xpath.check(expression)
    if reason is None:
        assert found is None
    else:
        assert found is not None and reason in found


def test_a_complete_diaspora_mapping_submission_passes_every_rule():
    form = ready_form("diaspora_mapping")
    answers = {
        "consent_register": "yes",
        "consent_contact": "yes",
        "given_name": "Awa",
        "family_name": "Diop",
        "contact_by": "email phone",
        "email": "awa@example.org",
        "phone": "+221 77 000 00 00",
        "birth_year": "1985",
        "residence_country": "FR",
        "education_level": "isced_7",
        "field_of_study": "Public health",
        "sectors": "health other",
        "sectors_other": "Logistics",
        "languages": [{"language": "Wolof", "language_level": "native"}],
        "contribution_interest": "mentoring investment",
        "availability": "temporary",
        "needs": "consular recognition",
    }
    assert form.check(answers, today=TODAY).issues == []
