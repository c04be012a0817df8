"""Benchmark: importing a KoboToolbox export of the ready diaspora mapping survey into a wave.

Generates a KoboToolbox XLSX export ("XML values and headers", group names included, a select
multiple in one column, the ``languages`` repeat on its own sheet with ``_parent_index``) of
synthetic submissions that keep every rule of the form, then imports it into a wave with
Liaison's import (``liaison.surveys.submissions.import_file``: read the workbook, check every
submission with the rules engine, store submissions and typed answers in one transaction).
Prints submissions per second, the time spent reading, checking and storing (the rest is mostly
the commit), the process's peak memory, and, measured in the same run on the same database, a
baseline: ``core.bulk.insert`` of the same submission and answer rows alone into another wave, in
one committed transaction (no reading, no checking).

Runs on a fresh SQLite file, and on PostgreSQL too when DATABASE_URL points at a PostgreSQL
server: in a database of its own (``liaison_kobo_bench``, dropped and created again), never the
test database or ``liaison_bench``.

Usage: python benchmarks/kobo_import.py [--submissions 100000] [--csv]
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import ROOT, migrate, reset_postgresql, setup_django

BENCH_DB = "liaison_kobo_bench"


# --- the file ------------------------------------------------------------------------------


def rows(count: int, layout: Any) -> tuple[list[str], list[list[Any]], list[str], list[list[Any]]]:
    """The main sheet and the languages sheet of a Kobo export, as headers and rows."""
    rng = random.Random(4)
    choices = {f.name: list(f.choices) for f in layout.fields}
    countries = [c for c in choices["residence_country"] if c != "XK"]
    given = ["Amina", "Moussa", "Maria", "Jose", "Fatou", "Rizal", "Ana", "Omar", "Leila", "Juan"]
    family = ["Diallo", "Santos", "Reyes", "Benali", "Ba", "Cruz", "Garcia", "Haddad", "Sow"]
    cities = ["Lyon", "Paris", "Madrid", "Berlin", "Dakar", "Montreal", "Milan"]
    occupations = ["nurse", "engineer", "teacher", "accountant", "driver", "developer", "chef"]
    questions = [
        "consent/consent_register",
        "consent/consent_contact",
        "about_you/given_name",
        "about_you/family_name",
        "about_you/contact_by",
        "about_you/email",
        "about_you/phone",
        "about_you/sex",
        "about_you/birth_year",
        "about_you/connection",
        "about_you/nationalities",
        "residence/residence_country",
        "residence/residence_city",
        "residence/time_abroad",
        "residence/residence_status",
        "education_work/education_level",
        "education_work/field_of_study",
        "education_work/work_status",
        "education_work/occupation",
        "education_work/years_experience",
        "education_work/sectors",
        "contribution/contribution_interest",
        "contribution/availability",
        "contribution/mission_length",
        "contribution/obstacles",
        "contribution/needs",
        "comments",
    ]
    meta = ["meta/instanceID", "_id", "_uuid", "_submission_time", "_validation_status"]
    meta += ["_notes", "_status", "_submitted_by", "__version__", "_tags", "_index"]
    main_headers = ["start", "end", *questions, *meta]
    lang_headers = ["languages/language", "languages/language_level", "_parent_table_name"]
    lang_headers += ["_parent_index", "_submission__id", "_submission__uuid"]
    main: list[list[Any]] = []
    languages: list[list[Any]] = []
    moment = datetime.datetime(2026, 11, 1, 8, 0)
    for i in range(1, count + 1):
        uuid = f"{i:08x}-0000-4000-8000-{rng.randrange(16**12):012x}"
        register, contact = rng.choice(["yes", "no"]), rng.choice(["yes", "no"])
        named = register == "yes" or contact == "yes"
        means = rng.choice(["email", "phone", "email phone"]) if contact == "yes" else ""
        interest = rng.sample(choices["contribution_interest"][:-1], rng.randint(1, 3))
        availability = rng.sample(choices["availability"], rng.randint(1, 2))
        level = rng.choice(choices["education_level"])
        values = {
            "consent/consent_register": register,
            "consent/consent_contact": contact,
            "about_you/given_name": rng.choice(given) if named else "",
            "about_you/family_name": rng.choice(family) if named else "",
            "about_you/contact_by": means,
            "about_you/email": f"person{i}@example.org" if "email" in means else "",
            "about_you/phone": f"+33 61{rng.randrange(10**7):07d}" if "phone" in means else "",
            "about_you/sex": rng.choice(choices["sex"]),
            "about_you/birth_year": str(rng.randint(1950, 2004)),
            "about_you/connection": rng.choice(choices["connection"]),
            "about_you/nationalities": " ".join(rng.sample(countries, rng.randint(1, 2))),
            "residence/residence_country": rng.choice(countries),
            "residence/residence_city": rng.choice(cities),
            "residence/time_abroad": rng.choice(choices["time_abroad"]),
            "residence/residence_status": rng.choice(choices["residence_status"]),
            "education_work/education_level": level,
            "education_work/field_of_study": (
                "medicine" if level not in ("isced_0", "isced_1", "isced_2") else ""
            ),
            "education_work/work_status": rng.choice(choices["work_status"]),
            "education_work/occupation": rng.choice(occupations),
            "education_work/years_experience": str(rng.randint(0, 40)),
            "education_work/sectors": " ".join(
                rng.sample(choices["sectors"][:-1], rng.randint(1, 2))
            ),
            "contribution/contribution_interest": " ".join(interest),
            "contribution/availability": " ".join(availability),
            "contribution/mission_length": (
                rng.choice(choices["mission_length"]) if "temporary" in availability else ""
            ),
            "contribution/obstacles": " ".join(
                rng.sample(choices["obstacles"][:-2], rng.randint(1, 3))
            ),
            "contribution/needs": " ".join(rng.sample(choices["needs"][:-1], rng.randint(1, 3))),
            "comments": "",
        }
        moment += datetime.timedelta(seconds=rng.randint(1, 60))
        started = moment - datetime.timedelta(minutes=rng.randint(5, 30))
        main.append(
            [
                started.isoformat() + ".000+00:00",
                moment.isoformat() + ".000+00:00",
                *(values[q] for q in questions),
                f"uuid:{uuid}",
                i,
                uuid,
                moment.isoformat(),
                "",
                "",
                "submitted_via_web",
                "",
                "2026-11",
                "",
                i,
            ]
        )
        for language in rng.sample(["fr", "en", "ar", "es", "wo", "pt"], rng.randint(1, 3)):
            level = rng.choice(choices["language_level"])
            languages.append([language, level, "Diaspora mapping survey", i, i, uuid])
    return main_headers, main, lang_headers, languages


def write_xlsx(path: Path, tables: list[tuple[str, list[str], list[list[Any]]]]) -> None:
    """The workbook through openpyxl's write-only mode, then each sheet given the
    ``<dimension>`` that KoboToolbox's writer (xlsxwriter) puts in and openpyxl's leaves out:
    without it, reading a sheet starts by scanning it whole to learn its size."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    for title, headers, body in tables:
        sheet = book.create_sheet(title)
        sheet.append(headers)
        for row in body:
            sheet.append(row)
    raw = path.with_suffix(".raw.xlsx")
    book.save(raw)
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            number = info.filename.removeprefix("xl/worksheets/sheet").removesuffix(".xml")
            if info.filename.startswith("xl/worksheets/sheet") and number.isdigit():
                _title, headers, body = tables[int(number) - 1]
                ref = f"A1:{get_column_letter(len(headers))}{len(body) + 1}"
                data = data.replace(
                    b"<sheetViews>", f'<dimension ref="{ref}" /><sheetViews>'.encode(), 1
                )
            out.writestr(info, data)
    raw.unlink()


def write_csv(path: Path, headers: list[str], body: list[list[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_ALL)
        writer.writerow(headers)
        writer.writerows(body)


# --- one database --------------------------------------------------------------------------


def worker(url: str, path: Path) -> dict[str, Any]:
    """Import the file into a fresh wave of the ready form, then the baseline; returns the
    figures."""
    setup_django(url)
    from django.db import connection, transaction
    from django.utils import timezone

    from liaison.accounts.models import User
    from liaison.accounts.roles import Role
    from liaison.accounts.services import grant_role
    from liaison.core import bulk
    from liaison.surveys import exchange, ready, services, submissions
    from liaison.surveys.models import Answer, Submission, Wave

    version, _new = services.upload(
        None, io.BytesIO(ready.BY_SLUG["diaspora_mapping"].workbook()), "diaspora_mapping.xlsx"
    )
    wave = Wave.objects.create(
        questionnaire=version.questionnaire,
        version=version,
        name=f"bench {timezone.now():%H%M%S}",
        opens_at=timezone.now(),
    )
    spent = {"read": 0.0, "check": 0.0, "store": 0.0}

    def timed(phase: str, function: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[phase] += time.perf_counter() - started

        return run

    # Instrument the phases of the import in this process only.
    exchange.read = timed("read", exchange.read)
    submissions._check = timed("check", submissions._check)
    submissions._store = timed("store", submissions._store)
    started = time.perf_counter()
    # An officer for every country imports (registering respondents needs a scope covering
    # their country of residence).
    officer = User.objects.create_user(email="bench-officer@example.org", password=None)
    grant_role(None, officer, Role.PROGRAMME_OFFICER)
    with path.open("rb") as handle:
        report = submissions.import_file(officer, wave, handle, path.name)
    seconds = time.perf_counter() - started
    assert not report.problems, [p.as_dict() for p in report.problems[:5]]
    answers = Answer.objects.filter(wave=wave).count()

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    # Baseline: the same rows written again by bulk.insert alone, into another wave.
    subs = list(
        Submission.objects.filter(wave=wave).values(
            "version_id", "instance_id", "status", "source", "data", "started_at", "submitted_at"
        )
    )
    answer_rows = list(
        Answer.objects.filter(wave=wave).values(
            "submission_id", "question", "instance", "text", "number", "date"
        )
    )
    other = Wave.objects.create(
        questionnaire=version.questionnaire,
        version=version,
        name="baseline",
        opens_at=timezone.now(),
    )
    for row in subs:
        row["wave_id"] = other.pk
    for row in answer_rows:
        row["wave_id"] = other.pk
    started = time.perf_counter()
    with transaction.atomic():
        bulk.insert(Submission, subs, returning_ids=True)
        bulk.insert(Answer, answer_rows)
    baseline = time.perf_counter() - started
    return {
        "vendor": connection.vendor,
        "submissions": report.created,
        "answers": answers,
        "seconds": seconds,
        "phases": spent,
        "baseline_seconds": baseline,
        "peak_bytes": peak,
    }


def measure(url: str, path: Path) -> dict[str, Any]:
    migrate(url)
    out = subprocess.run(
        [sys.executable, __file__, "--worker", url, "--file", str(path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def report(figures: dict[str, Any]) -> None:
    n, seconds = figures["submissions"], figures["seconds"]
    phases = figures["phases"]
    base = figures["baseline_seconds"]
    print(f"\n{figures['vendor']}: {n:,} submissions, {figures['answers']:,} answer rows")
    rate = n / seconds
    print(f"  Liaison import (read, check, store): {rate:>9,.0f} submissions/s ({seconds:.1f} s)")
    rest = seconds - sum(phases.values())
    print(
        f"  of which reading {phases['read']:.1f} s, checking {phases['check']:.1f} s, "
        f"storing {phases['store']:.1f} s, committing and the rest {rest:.1f} s; "
        f"peak memory {figures['peak_bytes'] / 2**30:.2f} GiB"
    )
    print(
        f"  baseline, bulk.insert of the same submission and answer rows alone: "
        f"{n / base:>9,.0f} submissions/s ({base:.1f} s)"
    )
    print(f"  Liaison at {base / seconds:.1%} of the baseline's rate")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=100_000)
    parser.add_argument("--csv", action="store_true", help="a Kobo CSV (no repeat) instead")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, Path(args.file))))
        return
    url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        setup_django(f"sqlite:///{folder / 'layout.sqlite3'}")
        from liaison.surveys import exchange, ready, xlsform

        form = xlsform.read(io.BytesIO(ready.BY_SLUG["diaspora_mapping"].workbook()), "x.xlsx")
        started = time.perf_counter()
        main_headers, main_rows, lang_headers, lang_rows = rows(
            args.submissions, exchange.Layout(form.definition)
        )
        if args.csv:
            path = folder / "diaspora_mapping.csv"
            write_csv(path, main_headers, main_rows)
        else:
            path = folder / "diaspora_mapping.xlsx"
            write_xlsx(
                path,
                [
                    ("Diaspora mapping survey", main_headers, main_rows),
                    ("languages", lang_headers, lang_rows),
                ],
            )
        del main_rows, lang_rows
        print(
            f"generated a Kobo {'CSV' if args.csv else 'XLSX'} export of {args.submissions:,} "
            f"submissions ({path.stat().st_size / 1e6:.1f} MB) in "
            f"{time.perf_counter() - started:.1f} s"
        )
        results = [measure(f"sqlite:///{folder / 'bench.sqlite3'}", path)]
        if url.startswith(("postgres://", "postgresql://")):
            results.append(measure(reset_postgresql(url, BENCH_DB), path))
        for figures in results:
            report(figures)


if __name__ == "__main__":
    main()
