"""End-to-end checks in a real Chromium: sign-in for every role (with TOTP enrolment for staff),
the second factor at sign-in, switching language (including right-to-left) and accessibility."""

from __future__ import annotations

import io
import json
import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Page, expect

from liaison.accounts.models import User
from liaison.accounts.roles import STAFF_ROLES, Role
from liaison.registry.management.commands.seed_demo import DEMO_PASSWORD, demo_email

from .conftest import AXE_JS, submit_code, submit_password, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def seed_demo() -> None:
    call_command("seed_demo", "--members", "30", "--seed", "1", stdout=io.StringIO())


def path_of(page: Page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url).split("?")[0]


def sign_out(page: Page) -> None:
    """Press the navbar's "Sign out" button; the session must really end."""
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Sign out").click()
    response = navigation.value
    assert response is not None and response.ok, (
        f"signing out answered {response and response.status} at {page.url}:\n"
        + page.locator("body").inner_text()[:500]
    )
    expect(page.locator("header").get_by_role("link", name="Sign in")).to_be_visible()


def sign_in_with_totp(page: Page, email: str, secret: str) -> None:
    """Password, then the authenticator code at /accounts/2fa/authenticate/."""
    submit_password(page, email, DEMO_PASSWORD)
    assert path_of(page) == "/accounts/2fa/authenticate/"
    submit_code(page, totp_code(secret))


# 1. Every demo role signs in -------------------------------------------------------------------

LANDING = {
    Role.MEMBER: ("/me/", "My space"),
    Role.ORGANISATION_REP: ("/dashboard/", "Welcome"),
    Role.HOST_FOCAL_POINT: ("/dashboard/", "Welcome"),
    Role.REVIEWER: ("/dashboard/", "Welcome"),
    Role.PROGRAMME_OFFICER: ("/backoffice/", "Back office"),
    Role.CONSULAR_OFFICER: ("/backoffice/", "Back office"),
    Role.ANALYST: ("/backoffice/", "Back office"),
    Role.ADMINISTRATOR: ("/backoffice/", "Back office"),
}


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_demo_role_signs_in_through_the_login_form(page: Page, role: Role):
    seed_demo()
    email = demo_email(role)
    landing_path, landing_heading = LANDING[role]

    submit_password(page, email, DEMO_PASSWORD)

    if role in STAFF_ROLES:
        # The second factor is compulsory: the first stop is the authenticator set-up page.
        expect(page.locator(".messages")).to_contain_text("set up an authenticator app first")
        if path_of(page) == "/accounts/reauthenticate/":
            # allauth asks for the password again before adding an authenticator.
            page.locator("input[name=password]").fill(DEMO_PASSWORD)
            with page.expect_navigation():
                page.locator("main form button[type=submit]").click()
        assert path_of(page) == "/accounts/2fa/totp/activate/", page.locator("main").inner_text()
        # Any other page sends them back here until a TOTP authenticator exists.
        page.goto(landing_path)
        assert path_of(page) == "/accounts/2fa/totp/activate/"
        secret = page.locator("#authenticator_secret").input_value()
        assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret
        expect(page.locator("main img[src^='data:image/svg+xml']")).to_have_attribute("alt", secret)
        submit_code(page, totp_code(secret))
        assert path_of(page) != "/accounts/2fa/totp/activate/", page.locator("main").inner_text()
        user = User.objects.get(email=email)
        assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        page.goto("/dashboard/")
    else:
        assert not path_of(page).startswith("/accounts/"), page.locator("main").inner_text()

    assert path_of(page) == landing_path
    expect(page.locator("main h1")).to_have_text(landing_heading)
    expect(page.locator("header")).to_contain_text(email)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


# 2. The second factor at sign-in ---------------------------------------------------------------


def test_enrolled_staff_must_give_a_valid_totp_code(page: Page, context, live_server):
    seed_demo()
    email = demo_email(Role.PROGRAMME_OFFICER)
    user = User.objects.get(email=email)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)

    # Start signed in (session from the test client), then sign out through the page.
    client = Client()
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto("/backoffice/")
    assert path_of(page) == "/backoffice/"
    sign_out(page)
    page.goto("/backoffice/")
    assert path_of(page) == "/accounts/login/"

    # The password alone is not enough: a code is asked for, and nothing else opens meanwhile.
    submit_password(page, email, DEMO_PASSWORD)
    assert path_of(page) == "/accounts/2fa/authenticate/"
    expect(page.locator("input[name=code]")).to_be_visible()
    page.goto("/backoffice/")
    assert path_of(page) == "/accounts/2fa/authenticate/"
    expect(page.locator("header")).not_to_contain_text(email)

    wrong = f"{(int(totp_code(secret)) + 500_000) % 1_000_000:06d}"
    submit_code(page, wrong)
    assert path_of(page) == "/accounts/2fa/authenticate/"
    expect(page.locator("main .errorlist")).to_have_text("Incorrect code.")

    right = totp_code(secret)
    submit_code(page, right)
    assert path_of(page) == "/backoffice/"
    expect(page.locator("main h1")).to_have_text("Back office")
    expect(page.locator("header")).to_contain_text(email)

    # A code works once: signing in again with the same one is refused.
    sign_out(page)
    submit_password(page, email, DEMO_PASSWORD)
    assert path_of(page) == "/accounts/2fa/authenticate/"
    submit_code(page, right)
    assert path_of(page) == "/accounts/2fa/authenticate/"
    expect(page.locator("main .errorlist")).to_have_text("Incorrect code.")


# 3. Language switch ----------------------------------------------------------------------------


def stylesheets(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        "link[rel=stylesheet]", "links => links.map(l => new URL(l.href).pathname)"
    )


def loaded_rules(page: Page) -> dict[str, int]:
    """Stylesheets the page actually parsed, with their number of rules."""
    return page.evaluate(
        """() => Object.fromEntries([...document.styleSheets].filter(s => s.href)
            .map(s => [new URL(s.href).pathname, s.cssRules.length]))"""
    )


def choose_language(page: Page, code: str) -> None:
    page.locator("#language-select").select_option(code)
    with page.expect_navigation():
        page.locator("form:has(#language-select) button[type=submit]").click()


def test_language_switch_to_french_then_arabic(page: Page):
    css_responses: dict[str, int] = {}
    page.on(
        "response",
        lambda r: (
            css_responses.__setitem__(re.sub(r"^https?://[^/]+", "", r.url), r.status)
            if r.url.endswith(".css")
            else None
        ),
    )

    page.goto("/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "en")
    expect(html).to_have_attribute("dir", "ltr")
    assert stylesheets(page) == ["/static/dist/app.css"]
    assert css_responses.get("/static/dist/app.css") == 200
    assert loaded_rules(page)["/static/dist/app.css"] > 100
    navbar = page.locator("header nav")
    expect(navbar.get_by_role("link", name="Register", exact=True)).to_be_visible()

    choose_language(page, "fr")
    assert path_of(page) == "/"
    expect(html).to_have_attribute("lang", "fr")
    expect(html).to_have_attribute("dir", "ltr")
    expect(navbar.get_by_role("link", name="S’inscrire", exact=True)).to_be_visible()
    expect(navbar.get_by_role("link", name="Se connecter", exact=True)).to_be_visible()
    expect(page.locator("main h1")).to_have_text("Relier la diaspora à son pays d’origine")
    expect(page.locator("label[for=language-select]")).to_have_text("Langue")
    expect(page.locator("#language-select")).to_have_value("fr")

    choose_language(page, "ar")
    assert path_of(page) == "/"
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    expect(navbar.get_by_role("link", name="التسجيل", exact=True)).to_be_visible()
    assert stylesheets(page) == ["/static/dist/app.rtl.css"]
    assert css_responses.get("/static/dist/app.rtl.css") == 200
    rules = loaded_rules(page)
    assert list(rules) == ["/static/dist/app.rtl.css"]
    assert rules["/static/dist/app.rtl.css"] > 100
    # The layout really is mirrored: the document's direction is computed right-to-left.
    assert page.evaluate("() => getComputedStyle(document.body).direction") == "rtl"


# 4. Accessibility ------------------------------------------------------------------------------


def serious_violations(page: Page) -> list[dict]:
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async () => await axe.run()")
    return [v for v in result["violations"] if v["impact"] in {"serious", "critical"}]


def describe(violations: list[dict]) -> str:
    return json.dumps(
        [
            {
                "rule": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [
                    {"target": n["target"], "html": n["html"][:200], "summary": n["failureSummary"]}
                    for n in v["nodes"]
                ],
            }
            for v in violations
        ],
        indent=2,
        ensure_ascii=False,
    )


def axe_report(page: Page, paths: list[str]) -> str:
    """Open each page and run axe; describe the serious and critical violations found."""
    reports = []
    for path in paths:
        page.goto(path)
        assert path_of(page) == path, f"{path} redirected to {page.url}"
        # Without the stylesheet axe would judge unstyled HTML (no colour contrast to check).
        assert loaded_rules(page).get("/static/dist/app.css", 0) > 100, f"no CSS on {path}"
        violations = serious_violations(page)
        if violations:
            reports.append(f"axe on {path}:\n{describe(violations)}")
    return "\n".join(reports)


def test_public_pages_have_no_serious_accessibility_violations(page: Page):
    report = axe_report(page, ["/", "/accounts/login/"])
    assert not report, report


def test_member_area_has_no_serious_accessibility_violations(page: Page):
    seed_demo()
    submit_password(page, demo_email(Role.MEMBER), DEMO_PASSWORD)
    assert path_of(page) == "/me/"
    expect(page.locator("main h1")).to_have_text("My space")
    report = axe_report(
        page,
        [
            "/me/",
            "/me/profile/",
            "/me/profile/skills/",
            "/me/profile/engagement/",
            "/me/consents/",
            "/me/erase/",
        ],
    )
    assert not report, report


def test_back_office_has_no_serious_accessibility_violations(page: Page):
    seed_demo()
    email = demo_email(Role.ADMINISTRATOR)
    secret = generate_totp_secret()
    TOTP.activate(User.objects.get(email=email), secret)
    sign_in_with_totp(page, email, secret)
    assert path_of(page) == "/backoffice/"
    from liaison.registry.models import Member, Organisation

    member = Member.objects.order_by("pk").first()
    organisation = Organisation.objects.order_by("pk").first()
    assert member is not None and organisation is not None
    report = axe_report(
        page,
        [
            "/backoffice/",
            "/registry/members/",
            f"/registry/members/{member.pk}/",
            f"/registry/members/{member.pk}/edit/",
            f"/registry/members/{member.pk}/versions/",
            "/registry/members/export/",
            "/registry/imports/",
            "/registry/duplicates/",
            "/registry/organisations/",
            f"/registry/organisations/{organisation.pk}/",
            "/audit/",
            "/taxonomy/",
        ],
    )
    assert not report, report
    page.goto("/registry/members/")
    expect(page.locator("main table tbody a[href^='/registry/members/']")).not_to_have_count(0)
