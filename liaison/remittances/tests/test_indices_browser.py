"""The indices page in the real Chromium: an analyst signs in, the trend chart draws from the
page's JSON (both sources, the 3% target line), the toggle changes the figures, and axe finds
no serious fault. The figures are those worked out in test_indices.py."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from liaison.accounts.roles import Role
from liaison.remittances.tests.test_indices import build_world
from tests.browser.conftest import AXE_JS, submit_code, submit_password, totp_code
from tests.factories import user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-and-uncommon-passphrase-23"


def test_an_analyst_reads_the_trend_chart_and_counts_every_provider(page: Page):
    build_world()
    analyst = user_with_role(Role.ANALYST, email="analyst@example.org")
    analyst.set_password(PASSWORD)
    analyst.save()
    submit_password(page, analyst.email, PASSWORD)
    submit_code(page, totp_code(analyst.totp_secret))

    page.goto("/remittances/indices/")
    chart = page.locator("[data-remittance-chart] svg[data-chart=trend]")
    expect(chart).to_have_count(1)
    assert page.locator("[data-chart-fallback]").count() == 0
    # Five quarters: three from DataBank's history, two from Liaison's observations.
    expect(chart.locator("circle[data-source=history]")).to_have_count(3)
    expect(chart.locator("circle[data-source=observations]")).to_have_count(2)
    last = chart.locator("circle[data-point='2026Q3'] title")
    assert "4.8824%" in (last.text_content() or "")
    # Lines join consecutive quarters of one source: 2025 Q4-2026 Q1 (history) and 2026
    # Q2-Q3 (observations); none across 2011-2025, none from history to observations.
    expect(chart.locator("line[data-source=history]")).to_have_count(1)
    expect(chart.locator("line[data-source=observations]")).to_have_count(1)
    expect(chart.locator("line[data-target]")).to_have_count(1)
    expect(page.locator("[data-figure=global]")).to_contain_text("4.88%")
    expect(page.locator("[data-remittance-chart] svg text").last).to_have_text(
        "SDG 10.c target: 3%"
    )
    page.add_script_tag(path=str(AXE_JS))
    found = page.evaluate("async () => await axe.run()")
    serious = [v["id"] for v in found["violations"] if v["impact"] in {"serious", "critical"}]
    assert not serious, serious

    page.get_by_label("All providers, including those not transparent about it").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    assert "opaque=true" in page.url
    # 83.5 / 18 with the non-transparent a6; 2026 Q1 now from its own observation.
    expect(page.locator("[data-figure=global]")).to_contain_text("4.64%")
    expect(page.locator("[data-shown]")).to_contain_text("Every verified service is counted")
    chart = page.locator("[data-remittance-chart] svg[data-chart=trend]")
    expect(chart.locator("circle[data-source=observations]")).to_have_count(3)
