"""Benchmark: importing member rows from CSV into PostgreSQL, validated and committed.

Generates a CSV of synthetic member rows (the columns a Kobo export maps to), then, in the same
run and on the same file: (1) PostgreSQL's own ``COPY`` into a plain table of text columns with
no index, the fastest load the server does with no checks, and (2) Liaison's import: read,
check every row, commit in one transaction (liaison.registry.imports). Prints rows per second
for both and the ratio, then two bounds measured on this machine: ``COPY`` of the stored members
into a copy of the member table with all its indexes (writing alone, no checks), and the cost of
the dearest per-row check (a phone number through ``phonenumbers``).
Target: Liaison at least a quarter of COPY's rate.

Usage: python benchmarks/registry_import.py [--rows 1000000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/liaison_import_bench"
HEADERS = [
    "_uuid",
    "first_name",
    "last_name",
    "gender",
    "dob",
    "country",
    "city",
    "phone",
    "email",
    "education",
    "interests/mentoring",
    "interests/investment",
]


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(3)
    given = ["Amina", "Moussa", "Maria", "Jose", "Fatou", "Rizal", "Ana", "Omar", "Leila", "Juan"]
    family = ["Diallo", "Santos", "Reyes", "Benali", "Ba", "Cruz", "Garcia", "Haddad", "Sow"]
    cities = ["Lyon", "Paris", "Marseille", "Lille", "Toulouse"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for i in range(rows):
            writer.writerow(
                [
                    f"u-{i}",
                    rng.choice(given),
                    rng.choice(family),
                    rng.choice(["female", "male"]),
                    f"{rng.randint(1950, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    "FR",
                    rng.choice(cities),
                    f"+3361{rng.randrange(10**7):07d}",
                    f"person{i}@example.org",
                    str(rng.randint(1, 8)),
                    rng.choice("01"),
                    rng.choice("01"),
                ]
            )


def reset_database(url: str) -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "LIAISON_ENV": "development", "DEBUG": "false", "DATABASE_URL": url}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)


def copy_rate(url: str, path: Path, rows: int) -> float:
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute(  # a plain table: logged like the registry's, with no index to keep
            "CREATE TABLE IF NOT EXISTS copy_target ("
            + ", ".join(f'"{h}" text' for h in HEADERS)
            + ")"
        )
        conn.execute("TRUNCATE copy_target")
        started = time.perf_counter()
        with (
            conn.cursor() as cur,
            cur.copy("COPY copy_target FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            path.open("rb") as handle,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        conn.commit()
        seconds = time.perf_counter() - started
    return rows / seconds


def liaison_rate(url: str, path: Path, rows: int) -> tuple[float, dict[str, int]]:
    os.environ.update(
        {"LIAISON_ENV": "test", "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "liaison.settings"}
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from liaison.registry import imports

    started = time.perf_counter()
    with path.open("rb") as handle:
        table = imports.read_table(handle, path.name)
    mapping = imports.guess_mapping(table.headers)
    checked = imports.check(table, mapping, actor=None)
    assert not checked.errors, checked.errors[:3]
    counts = imports.commit(checked, actor=None, notice_version="bench")
    seconds = time.perf_counter() - started
    return rows / seconds, counts


def indexed_copy_rate(url: str, rows: int) -> float:
    """``COPY`` of the imported members, as stored, into a copy of the member table with all its
    indexes: what writing these rows costs PostgreSQL alone, with no check at all."""
    import psycopg

    with psycopg.connect(url) as conn:
        dump = io.BytesIO()
        with conn.cursor().copy("COPY registry_member TO STDOUT") as out:
            for chunk in out:
                dump.write(chunk)
        conn.execute("DROP TABLE IF EXISTS member_copy")
        conn.execute("CREATE TABLE member_copy (LIKE registry_member INCLUDING ALL)")
        dump.seek(0)
        started = time.perf_counter()
        with conn.cursor().copy("COPY member_copy FROM STDIN") as copy:
            while chunk := dump.read(1 << 20):
                copy.write(chunk)
        conn.commit()
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE member_copy")
        conn.commit()
    return rows / seconds


def phone_check_seconds(path: Path, sample: int = 20_000) -> float:
    """Seconds per row for the phone check alone (``phonenumbers`` parse and validation)."""
    from liaison.registry.services import normalise_phone

    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        phones = [(row["phone"], row["country"]) for row in itertools.islice(reader, sample)]
    started = time.perf_counter()
    for phone, country in phones:
        normalise_phone(phone, country)
    return (time.perf_counter() - started) / len(phones)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    reset_database(args.database_url)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "members.csv"
        write_csv(path, args.rows)
        copy = copy_rate(args.database_url, path, args.rows)
        ours, counts = liaison_rate(args.database_url, path, args.rows)
        phone = phone_check_seconds(path)
        indexed = indexed_copy_rate(args.database_url, args.rows)
    print(f"rows: {args.rows:,}")
    print(f"PostgreSQL COPY into a plain table:   {copy:>10,.0f} rows/s")
    print(f"Liaison import (read, check, commit): {ours:>10,.0f} rows/s  {counts}")
    print(
        f"COPY of the stored members into a copy of the member table, indexes and all, no "
        f"checks: {indexed:,.0f} rows/s ({indexed / copy:.1%} of COPY's rate; Liaison at "
        f"{ours / indexed:.1%} of it)"
    )
    print(
        f"the phone check alone: {phone * 1e6:.1f} µs per row, so at most {1 / phone:,.0f} rows/s "
        f"per core ({1 / phone / copy:.1%} of COPY's rate) for any import that validates phones"
    )
    ratio = ours / copy
    verdict = "PASS" if ratio >= 0.25 else "FAIL"
    print(f"{verdict}: Liaison at {ratio:.1%} of COPY's rate (target: at least 25%)")


if __name__ == "__main__":
    main()
