"""What the benchmark scripts share: Django set up on a database given by its URL, a throwaway
PostgreSQL database of a script's own, and migrations. (Not a benchmark: ``make benchmarks``
runs the scripts whose names do not start with an underscore.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Never dropped: the test suite's database, the registry benchmarks' million members, and the
# development database.
FORBIDDEN = {"test_liaison", "liaison_bench", "liaison"}


def setup_django(url: str, **env: str) -> None:
    """Django on ``url`` with the test settings (``env``: more environment, such as
    ``DATABASE_CONN_MAX_AGE``), in this process."""
    os.environ.update(
        {
            "LIAISON_ENV": "test",
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "liaison.settings",
            **env,
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def reset_postgresql(url: str, name: str) -> str:
    """Drop and create the database ``name`` on ``url``'s server; its URL."""
    import psycopg

    server, given = url.rsplit("/", 1)
    if name in FORBIDDEN or name == given:
        raise SystemExit(f"refusing to drop {name!r}: the benchmarks use a database of their own")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def migrate(url: str) -> None:
    env = {**os.environ, "LIAISON_ENV": "test", "DATABASE_URL": url}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
