"""The public remittance calculator in a real Chromium on a phone's screen: a visitor picks a
corridor, types an amount, reads the ranking, shows the providers that do not disclose their
rate; nothing is wider than the screen, in English or in Arabic (right to left); axe finds no
serious problem."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from liaison.remittances.models import Observation, Provider
from tests.factories import CorridorFactory, ObservationFactory, ProviderFactory

from .test_browser import describe, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def price(provider: Provider, point: int, fee: str, rate: str, **extra: object) -> None:
    ObservationFactory(
        provider=provider,
        price_point=point,
        amount_sent=Decimal("185.00") if point == 200 else Decimal("462.50"),
        fee=Decimal(fee),
        exchange_rate=Decimal(rate),
        collected_on=datetime.date(2026, 8, 14),
        **extra,
    )


@pytest.fixture
def prices() -> None:
    """France (EUR) to Senegal (XOF), and a second corridor so that there is a choice. At EUR
    300 (fee included): Alpha (300 - 6.24) x 650 = 190,944; Beta (300 - 2) x 640 = 190,720;
    Gamma with a long name 300 x 630 = 189,000; Shady, which does not disclose its rate,
    300 x 655 = 196,500."""
    alpha = ProviderFactory(name="Alpha Transfer", kind=Provider.Kind.MONEY_TRANSFER_OPERATOR)
    beta = ProviderFactory(name="Beta Bank", kind=Provider.Kind.BANK)
    gamma = ProviderFactory(
        name="Gamma Mobile Money International Remittance Services",
        kind=Provider.Kind.MOBILE_OPERATOR,
    )
    price(alpha, 200, "5", "650")
    price(alpha, 500, "8", "652")
    price(beta, 200, "2", "640")
    price(beta, 500, "2", "645")
    price(gamma, 200, "0", "630", instrument="mobile_money", pickup="mobile_wallet")
    price(ProviderFactory(name="Shady Cash"), 200, "0", "655", transparent=False)
    ObservationFactory(
        corridor=CorridorFactory(destination_country="ML"),
        provider=alpha,
        status=Observation.Status.VERIFIED,
    )


def phone(browser: Browser, live_server, *, width: int, locale: str) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(
        base_url=live_server.url,
        locale=locale,
        viewport={"width": width, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def iphone(browser: Browser, live_server) -> Iterator[Page]:
    yield from phone(browser, live_server, width=390, locale="en-GB")


@pytest.fixture
def small_arabic_phone(browser: Browser, live_server) -> Iterator[Page]:
    yield from phone(browser, live_server, width=360, locale="ar")


def assert_fits(page: Page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page is {width[0]} px wide on a {width[1]} px screen"


def ranked(page: Page) -> list[str]:
    return page.locator("#calculator-results > li").evaluate_all(
        "items => items.map(item => item.dataset.provider)"
    )


def test_a_visitor_on_a_phone_compares_providers(iphone: Page, prices: None) -> None:
    page = iphone
    page.goto("/")
    page.get_by_role("link", name="Compare providers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare the cost of sending money")
    expect(page.locator("#calculator-independence")).to_contain_text("no money from providers")
    assert_fits(page)

    page.get_by_label("From and to").select_option(label="France → Senegal (EUR → XOF)")
    page.get_by_label("Amount you pay, fee included").fill("300")
    with page.expect_navigation():
        page.get_by_role("button", name="Compare").click()
    assert "corridor=FR-EUR-SN-XOF" in page.url and "amount=300" in page.url
    assert ranked(page) == [
        "Alpha Transfer",
        "Beta Bank",
        "Gamma Mobile Money International Remittance Services",
    ]
    first = page.locator("#calculator-results > li").first
    expect(first.locator(".received")).to_have_text("F\u00a0CFA\u00a0190,944")
    expect(page.locator("#calculator-data-date")).to_contain_text("2026 Q3")
    expect(page.locator("#calculator-count")).to_have_text("3 services compared.")
    expect(page.locator(".opaque-badge")).to_have_count(0)
    assert_fits(page)

    with page.expect_navigation():
        page.get_by_role("link", name="Show providers that do not disclose their rate").click()
    assert ranked(page)[:2] == ["Shady Cash", "Alpha Transfer"]
    badge = page.locator("#calculator-results > li").first.locator(".opaque-badge")
    expect(badge).to_be_visible()
    expect(badge).to_have_text("Rate not disclosed")
    expect(page.locator("#calculator-opaque-note")).to_contain_text(
        "do not tell the sender the exchange rate"
    )
    expect(page.get_by_label("Show providers that do not disclose their rate")).to_be_checked()
    assert_fits(page)
    violations = serious_violations(page)
    assert not violations, describe(violations)

    # A bad amount is said next to the field; the page still fits.
    page.get_by_label("Amount you pay, fee included").fill("12.345")
    with page.expect_navigation():
        page.get_by_role("button", name="Compare").click()
    expect(page.locator("#id_amount_error")).to_have_text(
        "Amounts in Euro have at most 2 decimals."
    )
    assert_fits(page)


def test_the_arabic_page_fits_a_small_phone_right_to_left(
    small_arabic_phone: Page, prices: None
) -> None:
    page = small_arabic_phone
    page.goto("/remittances/?corridor=FR-EUR-SN-XOF&amount=300&opaque=1")
    assert page.evaluate("() => document.documentElement.dir") == "rtl"
    assert len(ranked(page)) == 4
    assert_fits(page)
    violations = serious_violations(page)
    assert not violations, describe(violations)
