from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _manage("check", LIAISON_ENV="production", DATABASE_URL=f"sqlite:///{tmp_path}/x.db")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_the_deployment_checklist(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        LIAISON_ENV="production",
        SECRET_KEY="k" * 20 + "-x9!Rq2#Lm4$Zp7^Vt1&Wc5*Yb8(Nd3)Hf6",
        DATABASE_URL=f"sqlite:///{tmp_path}/x.db",
        ALLOWED_HOSTS="liaison.example.org",
        SECURE_HSTS_PRELOAD="true",
        FIELD_ENCRYPTION_KEYS="3q2wW9mBvYQ4hQ0j1H8m6X0JmKf7c1nS2yT4uV5wX6Y=",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_health_reports_a_database_that_does_not_answer():
    script = (
        "import django; django.setup();"
        "from django.test import Client; r = Client().get('/health/');"
        "print(r.status_code, r.content.decode())"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "liaison.settings",
            "LIAISON_ENV": "test",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.startswith("503"), result.stdout + result.stderr
    assert "unreachable" in result.stdout


@pytest.mark.django_db
def test_health_is_ok_when_the_database_answers(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
