"""The taxonomy autocomplete, used with the keyboard as a screen-reader user would."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from liaison.accounts.roles import Role
from tests.factories import user_with_role

from .conftest import submit_code, submit_password, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ESCO = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "esco"
PASSWORD = "a-long-and-uncommon-passphrase-17"


def test_a_typed_job_title_with_a_typo_is_completed_from_esco_with_the_keyboard(page: Page):
    call_command("import_esco", str(ESCO))
    officer = user_with_role(Role.ANALYST, email="analyst@example.org")
    officer.set_password(PASSWORD)
    officer.save()
    submit_password(page, officer.email, PASSWORD)
    submit_code(page, totp_code(officer.totp_secret))

    page.goto("/taxonomy/")
    field = page.get_by_role("combobox", name="Job title or skill")
    field.press_sequentially("plumbr", delay=30)
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    expect(field).to_have_attribute("aria-expanded", "true")
    expect(listbox.get_by_role("option").first).to_contain_text("plumber")
    expect(page.get_by_role("status").filter(has_text="suggestions")).to_have_count(1)

    field.press("ArrowDown")
    first = listbox.get_by_role("option").first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", first.get_attribute("id") or "")
    field.press("Enter")
    expect(field).to_have_value("plumber")
    expect(field).to_have_attribute("aria-expanded", "false")
    uri = page.locator("input[type=hidden][name=q_value]").input_value()
    assert uri.startswith("http://data.europa.eu/esco/occupation/")

    field.fill("")
    field.press_sequentially("nurce", delay=30)
    expect(listbox.get_by_role("option").first).to_contain_text("nurse")
    field.press("Escape")
    expect(listbox).to_be_hidden()
