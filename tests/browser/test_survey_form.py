"""A respondent answers a survey in Chromium: questions appear and disappear as they answer,
refused answers are explained at once, a saved form is resumed, and the page is accessible."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from liaison.surveys import services
from liaison.surveys.models import Answer, Submission, Wave
from liaison.surveys.tests.test_collection import CHOICES, SURVEY
from liaison.surveys.tests.test_xlsform_upload import workbook

from .test_browser import describe, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_wave() -> Wave:
    version, _created = services.upload(None, io.BytesIO(workbook(SURVEY, CHOICES)), "m.xlsx")
    return Wave.objects.create(
        questionnaire=version.questionnaire,
        version=version,
        name="web",
        opens_at=timezone.now() - datetime.timedelta(hours=1),
    )


def test_a_respondent_fills_in_the_form_with_live_rules_and_sends_it(page: Page):
    wave = open_wave()
    page.goto(f"/s/{wave.token}/")
    email = page.get_by_label("Email")
    given = page.get_by_label("Given name")
    page.get_by_role("group", name="Register me?").get_by_label("No").check()
    expect(email).to_be_hidden()
    expect(given).to_be_hidden()
    page.get_by_role("group", name="Register me?").get_by_label("Yes").check()
    expect(email).to_be_visible()

    email.fill("not an address")
    email.blur()
    expect(page.locator("#q-email-error")).to_have_text("Give a valid email address.")
    expect(email).to_have_attribute("aria-invalid", "true")
    email.fill("awa@example.org")
    email.blur()
    expect(page.locator("#q-email-error")).to_have_text("")
    age = page.get_by_label("Age", exact=True)
    age.fill("16")
    age.blur()
    expect(page.locator("#q-age-error")).to_have_text("You must be 18 or older.")

    report = serious_violations(page)
    assert not report, describe(report)

    # Saved as it goes: a reload comes back with the answers.
    page.reload()
    expect(page.get_by_label("Email")).to_have_value("awa@example.org")

    page.get_by_label("Given name").fill("Awa")
    expect(page.get_by_label("Berlin")).to_be_hidden()
    page.get_by_role("group", name="Country").get_by_label("Germany").check()
    # the towns of the chosen country appear (choice_filter), the others stay hidden
    expect(page.get_by_label("Berlin")).to_be_visible()
    expect(page.get_by_label("Paris")).to_be_hidden()
    page.get_by_label("Berlin").check()
    page.get_by_label("Age", exact=True).fill("29")
    page.get_by_role("button", name="Add an entry to “Children”").click()
    page.get_by_label("Child's name").fill("Moussa")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator("main")).to_contain_text("your answers have been received")

    submission = Submission.objects.get(status=Submission.Status.COMPLETE)
    assert submission.member is not None and submission.member.given_name == "Awa"
    assert Answer.objects.get(submission=submission, question="child_name").text == "Moussa"
    assert Answer.objects.get(submission=submission, question="age").number == 29
    assert Answer.objects.get(submission=submission, question="town").text == "berlin"


def test_a_refused_submission_lists_each_problem_with_a_link_to_its_question(page: Page):
    wave = open_wave()
    page.goto(f"/s/{wave.token}/")
    page.get_by_role("button", name="Send my answers").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Register me?")
    expect(alert).to_contain_text("Country")
    alert.get_by_role("link", name="Country").click()
    assert page.url.endswith("#q-residence_country")
    assert not Submission.objects.filter(status=Submission.Status.COMPLETE).exists()
