"""The dashboard in the real Chromium: an analyst signs in, the world map draws from the bundled
atlas, a filter narrows every panel, and no hidden figure reaches the screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from liaison.accounts.roles import Role
from tests.browser.conftest import AXE_JS, submit_code, submit_password, totp_code
from tests.factories import MemberFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-and-uncommon-passphrase-17"


def _sign_in_as_analyst(page: Page) -> None:
    analyst = user_with_role(Role.ANALYST, email="analyst@example.org")
    analyst.set_password(PASSWORD)
    analyst.save()
    submit_password(page, analyst.email, PASSWORD)
    submit_code(page, totp_code(analyst.totp_secret))


def _count_cells(page: Page) -> list[str]:
    return [t.strip() for t in page.locator("td[data-count]").all_inner_texts()]


def test_an_analyst_reads_the_map_filters_it_and_never_sees_a_hidden_figure(page: Page, settings):
    settings.LIAISON_DEFAULT_SUPPRESSION_THRESHOLD = 5
    # France 12 women, Germany 8 men, Italy 3 women: Italy is hidden, Germany with it.
    MemberFactory.create_batch(12, country_of_residence="FR", sex="female")
    MemberFactory.create_batch(8, country_of_residence="DE", sex="male")
    MemberFactory.create_batch(3, country_of_residence="IT", sex="female")
    _sign_in_as_analyst(page)

    page.goto("/insights/")
    france = page.locator("[data-insights-map] svg path[data-code=FR]")
    expect(france).to_have_attribute("data-state", "shown")
    assert re.fullmatch(r"#[0-9a-f]{6}", france.get_attribute("fill") or "")
    assert "France: 12" in (france.locator("title").text_content() or "")
    for hidden in ("DE", "IT"):
        shape = page.locator(f"[data-insights-map] svg path[data-code={hidden}]")
        expect(shape).to_have_attribute("data-state", "hidden")
        assert (shape.get_attribute("fill") or "").startswith("url(#")
        assert not re.search(r"\d", shape.locator("title").text_content() or "")
    painted = page.locator("[data-insights-map] svg path.insights-country")
    assert painted.count() > 150  # the whole world is drawn, not only the three countries
    assert page.locator("[data-map-fallback]").count() == 0
    expect(page.get_by_role("table").first).to_contain_text("France")
    assert page.locator("a[href*='/registry/members']").count() == 0
    page.add_script_tag(path=str(AXE_JS))
    found = page.evaluate("async () => await axe.run()")
    serious = [v["id"] for v in found["violations"] if v["impact"] in {"serious", "critical"}]
    assert not serious, serious

    filters = page.get_by_role("form", name="Filters (every panel)")
    filters.get_by_label("Sex").select_option("female")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()
    assert "sex=female" in page.url
    expect(page.locator("[data-total]")).to_contain_text("15 members counted.")
    # France 12 and Italy 3 out of 15: both hidden, on the map and in the table.
    for code in ("FR", "IT"):
        expect(page.locator(f"svg path[data-code={code}]")).to_have_attribute(
            "data-state", "hidden"
        )
    germany = page.locator("svg path[data-numeric='276']")  # no woman there: drawn blank
    expect(germany).to_have_count(1)
    assert germany.get_attribute("data-state") is None
    assert germany.get_attribute("fill") == "#f1f3f5"
    cells = _count_cells(page)
    assert "15" in cells  # women, in the sex panel
    assert "hidden" in cells
    small = [c for c in cells if c.isdigit() and 0 < int(c) < 5]
    assert not small, small
    for row in page.locator("tr.insights-hidden").all():
        figures = row.locator("td").all_inner_texts()
        assert not any(re.search(r"\d", f) for f in figures[:2]), figures

    filters = page.get_by_role("form", name="Filters (every panel)")
    filters.get_by_label("Host country").select_option("IT")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()
    # Italy is hidden among the women (3): opening it as a filter is refused, not counted.
    expect(page.locator("[data-refused]")).to_contain_text(
        "would let someone work out figures about fewer than 5 people; widen it."
    )
    assert page.locator("table").count() == 0
    assert page.locator("[data-insights-map]").count() == 0
