"""Benchmark: `seed_demo` building 100,000 members on SQLite (target: under 60 s).

Baseline measured in the same run: inserting the same number of rows (members, their skills and
their languages) with sqlite3's executemany and constant values, the floor that any seeding
through the ORM, with generated names, dates and choices, can approach.
Usage: python benchmarks/seed_demo.py [--members N]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 60.0


def run(members: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "LIAISON_ENV": "development",
            "DEBUG": "false",
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
        }
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        esco = ROOT.parent / "shared" / "data" / "esco"
        if esco.is_dir():
            subprocess.run(
                [*manage, "import_esco", str(esco)],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
            )
        started = time.perf_counter()
        subprocess.run(
            [*manage, "seed_demo", "--members", str(members), "--seed", "1", "--no-accounts"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        seed_seconds = time.perf_counter() - started
        seeded = sqlite3.connect(f"{tmp}/bench.sqlite3")
        n_skills = seeded.execute("SELECT count(*) FROM registry_memberskill").fetchone()[0]
        n_languages = seeded.execute("SELECT count(*) FROM registry_memberlanguage").fetchone()[0]
        seeded.close()

        db = sqlite3.connect(f"{tmp}/baseline.sqlite3")
        db.execute(
            "CREATE TABLE m (id INTEGER PRIMARY KEY, given TEXT, family TEXT, sex TEXT, "
            "birth TEXT, country TEXT, city TEXT)"
        )
        db.execute("CREATE TABLE s (id INTEGER PRIMARY KEY, member INTEGER, skill INTEGER, y INT)")
        db.execute("CREATE TABLE l (id INTEGER PRIMARY KEY, member INTEGER, lang TEXT, lvl TEXT)")
        started = time.perf_counter()
        with db:
            db.executemany(
                "INSERT INTO m (given, family, sex, birth, country, city) VALUES (?,?,?,?,?,?)",
                ((f"g{i}", f"f{i}", "female", "1990-01-01", "FR", "Lyon") for i in range(members)),
            )
            db.executemany(
                "INSERT INTO s (member, skill, y) VALUES (?,?,?)",
                ((i % members, i % 4000, 3) for i in range(n_skills)),
            )
            db.executemany(
                "INSERT INTO l (member, lang, lvl) VALUES (?,?,?)",
                ((i % members, "en", "B2") for i in range(n_languages)),
            )
        baseline_seconds = time.perf_counter() - started
        rows = members + n_skills + n_languages

    print(
        f"seed_demo, {members} members (with skills, languages, organisations): "
        f"{seed_seconds:.1f} s ({members / seed_seconds:,.0f} members/s)"
    )
    print(f"baseline, bare sqlite3 executemany of the same {rows:,} rows: {baseline_seconds:.2f} s")
    print(f"ratio seed_demo / baseline: {seed_seconds / baseline_seconds:.0f}x")
    verdict = "PASS" if seed_seconds < TARGET_SECONDS else "FAIL"
    print(f"{verdict}: target under {TARGET_SECONDS:.0f} s for 100,000 members")
    if members == 100_000 and seed_seconds >= TARGET_SECONDS:
        sys.exit(1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    run(parser.parse_args().members)
