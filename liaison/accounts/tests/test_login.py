from __future__ import annotations

import datetime
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.utils import timezone

from liaison.accounts.roles import Role
from tests.factories import user_with_role

PASSWORD = "a-long-and-uncommon-passphrase-17"


def _user(role: str = Role.MEMBER):
    user = user_with_role(role, email=f"{role}@example.org")
    Authenticator.objects.filter(user=user).delete()  # each test sets up its own
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(client, email, password):
    return client.post("/accounts/login/", {"login": email, "password": password})


def _code(secret: str, offset: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


@pytest.mark.django_db
def test_members_sign_in_with_their_email_address(client):
    _user()
    response = _login(client, "MEMBER@example.org", PASSWORD)
    assert response.status_code == 302
    assert client.get("/me/").status_code == 200


@pytest.mark.django_db
def test_a_wrong_password_says_so_and_signs_nobody_in(client):
    _user()
    response = _login(client, "member@example.org", "not-the-password")
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2():
    user = _user()
    assert user.password.startswith("argon2")
    assert get_user_model().objects.get(pk=user.pk).check_password(PASSWORD)


@pytest.mark.django_db
def test_registration_refuses_a_short_or_common_password(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "new@example.org", "password1": "password", "password2": "password"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "too short" in body or "too common" in body
    assert not get_user_model().objects.filter(email="new@example.org").exists()


@pytest.mark.django_db
def test_registration_sends_a_verification_email_and_grants_the_member_role(client, mailoutbox):
    response = client.post(
        "/accounts/signup/",
        {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(email="new@example.org")
    assert list(user.role_grants.values_list("role", flat=True)) == [Role.MEMBER]
    assert len(mailoutbox) == 1
    assert "confirm" in mailoutbox[0].body.lower()
    # Unverified: signing in is held until the address is confirmed.
    client.logout()
    _login(client, "new@example.org", PASSWORD)
    assert client.get("/me/").status_code == 302


@pytest.mark.django_db
def test_repeated_failures_lock_the_account_even_for_the_right_password(client):
    _user()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "member@example.org", "wrong-password-here")
    assert AccessAttempt.objects.filter(username="member@example.org").exists()
    response = _login(client, "member@example.org", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_staff_without_an_authenticator_can_only_set_one_up(client):
    officer = _user(Role.PROGRAMME_OFFICER)
    _login(client, officer.email, PASSWORD)
    response = client.get("/backoffice/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    # allauth asks for the password once more before a second factor is added.
    assert client.get("/accounts/2fa/totp/activate/")["Location"].startswith(
        "/accounts/reauthenticate/"
    )
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    assert client.get("/api/v1/registry/members/").status_code == 403


@pytest.mark.django_db
def test_members_are_not_forced_to_use_a_second_factor(client):
    client.force_login(_user(Role.MEMBER))
    assert client.get("/me/").status_code == 200


@pytest.mark.django_db
def test_staff_sign_in_needs_a_valid_code_after_the_password(client):
    officer = _user(Role.PROGRAMME_OFFICER)
    secret = generate_totp_secret()
    TOTP.activate(officer, secret)
    response = _login(client, officer.email, PASSWORD)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    # No code, then a wrong code: refused, still signed out.
    assert client.post("/accounts/2fa/authenticate/", {"code": ""}).status_code == 200
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "Incorrect code" in wrong.content.decode()
    assert client.get("/backoffice/").status_code == 302
    right = client.post("/accounts/2fa/authenticate/", {"code": _code(secret)})
    assert right.status_code == 302
    assert client.get("/backoffice/").status_code == 200


@pytest.mark.django_db
def test_an_idle_session_expires(client):
    user = _user()
    client.force_login(user)
    assert client.get("/me/").status_code == 200
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get("/me/").status_code == 302
