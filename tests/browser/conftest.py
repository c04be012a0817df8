"""Helpers for the browser tests: sign in through the real forms, axe. The Chromium, its
contexts and pages are fixtures of ``tests.browser.fixtures``, loaded for the whole suite (so
that browser tests anywhere share one Chromium)."""

from __future__ import annotations

import time
from pathlib import Path

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import Page

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TOTP_PERIOD = 30


def totp_code(secret: str) -> str:
    """The current code for ``secret``, never one about to expire (allauth has no tolerance)."""
    if TOTP_PERIOD - time.time() % TOTP_PERIOD < 3:
        time.sleep(TOTP_PERIOD - time.time() % TOTP_PERIOD + 0.2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // TOTP_PERIOD))


def submit_password(page: Page, email: str, password: str) -> None:
    """Fill and send the real sign-in form at /accounts/login/."""
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def submit_code(page: Page, code: str) -> None:
    page.locator("input[name=code]").fill(code)
    with page.expect_navigation():
        page.locator("main form button[type=submit]:not([form])").click()
