"""The questionnaires the team wrote, in English and French, ready to download or add."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils.html import escape
from openpyxl import load_workbook

from liaison.accounts.roles import Role
from liaison.surveys import xlsform
from liaison.surveys.models import Questionnaire, QuestionnaireVersion
from liaison.surveys.ready import READY
from tests.factories import user_with_role

BOTH = {"English (en)", "French (fr)"}


def _labelled(children):
    for child in children:
        if child.get("type") in ("calculate",) or child.get("name") == "meta":
            continue
        yield child
        yield from child.get("choices", [])
        yield from _labelled(child.get("children", []))


@pytest.mark.parametrize("ready", READY, ids=lambda r: r.slug)
def test_each_ready_questionnaire_passes_the_checks_in_english_and_french(ready):
    form = xlsform.read(io.BytesIO(ready.workbook()), f"{ready.slug}.xlsx")
    assert form.form_id == ready.slug
    assert sorted(code for _name, code in form.languages) == ["en", "fr"]
    assert form.questions >= 15
    unlabelled = [
        element.get("name")
        for element in _labelled(form.definition["children"])
        if not isinstance(element.get("label"), dict) or set(element["label"]) != BOTH
    ]
    assert unlabelled == []


@pytest.mark.django_db
def test_officers_download_or_add_a_ready_questionnaire(client):
    client.force_login(user_with_role(Role.PROGRAMME_OFFICER))
    page = client.get("/surveys/").content.decode()
    assert all(escape(str(r.title)) in page for r in READY)
    download = client.get("/surveys/ready/remittance_behaviour.xlsx")
    sheets = load_workbook(io.BytesIO(download.content)).sheetnames
    assert {"survey", "choices", "settings"} <= set(sheets)
    added = client.post("/surveys/ready/remittance_behaviour/add/")
    questionnaire = Questionnaire.objects.get(form_id="remittance_behaviour")
    assert added["Location"] == f"/surveys/{questionnaire.pk}/"
    assert client.get("/surveys/ready/horoscope.xlsx").status_code == 404


@pytest.mark.django_db
def test_loading_the_ready_questionnaires_twice_adds_them_once():
    call_command("load_questionnaires", stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_questionnaires", stdout=out)
    assert Questionnaire.objects.count() == len(READY)
    assert QuestionnaireVersion.objects.count() == len(READY)
    assert out.getvalue().count("unchanged") == len(READY)
