"""Benchmark: importing a Remittance Prices Worldwide workbook of 250,000 rows.

Generates a workbook in RPW's layout (sheet "Dataset (from Q2 2016)", the columns RPW has,
names and regions included, two unlabelled trailing columns, words in mixed case) with
openpyxl's write-only mode, in a temporary folder: 12 quarters, 400 corridors, about 52
services per corridor and quarter, both price points on every row. Then imports it with
Liaison's import (``liaison.remittances.imports.import_rpw``: stream the sheet, check every row,
look for the same observation in the file and in the database, write 5,000 observations at a
time, all in one transaction), in a process of its own, and prints rows per second and the
process's peak memory (``ru_maxrss``) against the target of 300 MB.

Baseline, measured in the same run in a process of its own: openpyxl alone streaming the same
sheet (read-only, values only), doing nothing with the rows. That is the floor of any import
of the file; the difference is Liaison's checking and storing.

Runs on a fresh SQLite file, and on PostgreSQL too when DATABASE_URL points at a PostgreSQL
server: in a database of its own (``liaison_rpw_bench``, dropped and created again), never the
test database or ``liaison_bench``.

Measured on 2026-11-26 (a 2-vCPU AMD EPYC virtual machine, nothing else running; PostgreSQL 15
local, default settings), 250,000 rows:
    generated a workbook of 250,000 rows (29.1 MB) in 44.6 s
    baseline, openpyxl streaming the sheet:   4,759 rows/s (52.5 s), peak memory  50 MB
    Liaison import (sqlite):                  2,850 rows/s (87.7 s), peak memory 163 MB
    Liaison import (postgresql):              2,993 rows/s (83.5 s), peak memory 160 MB
    500,000 observations stored each time; Liaison at 60-63% of the baseline's rate
The peak is well within 300 MB (Django itself, then one integer per observation to find
repeats, and one batch of 5,000). An earlier session's machine, three to four times slower
and busy (load average 1.5 to 5), gave baseline 1,029 rows/s, SQLite 957 rows/s, 162 MB: there
openpyxl's parsing was most of the time; here Liaison's checking and storing is 40% of it.

Usage: python benchmarks/rpw_import.py [--rows 250000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import ROOT, migrate, reset_postgresql, setup_django

BENCH_DB = "liaison_rpw_bench"
TARGET_MB = 300
SHEET = "Dataset (from Q2 2016)"
HEADER = [
    "period",
    "source_code",
    "source_name",
    "source_region",
    "source_income",
    "destination_code",
    "destination_name",
    "destination_region",
    "destination_income",
    "firm",
    "firm_type",
    "product",
    "Payment Instrument",
    "Access Point",
    "Speed Actual",
    "cc1 denomination amount",
    "cc1 lcu amount",
    "cc1 lcu code",
    "cc1 lcu fee",
    "cc1 lcu fx rate",
    "cc1 fx margin",
    "cc1 total cost %",
    "cc2 denomination amount",
    "cc2 lcu amount",
    "cc2 lcu code",
    "cc2 lcu fee",
    "cc2 lcu fx rate",
    "cc2 fx margin",
    "cc2 total cost %",
    "inter lcu bank fx",
    "transparent",
    "corridor",
    "note",
    None,
    None,
]
# Sending countries with their currency and units per USD; receiving countries with units
# of their currency per USD (rough, for figures of the right size).
SENDING = [
    ("USA", "United States", "USD", 1.0),
    ("GBR", "United Kingdom", "GBP", 0.79),
    ("FRA", "France", "EUR", 0.92),
    ("DEU", "Germany", "EUR", 0.92),
    ("ESP", "Spain", "EUR", 0.92),
    ("ITA", "Italy", "EUR", 0.92),
    ("CAN", "Canada", "CAD", 1.36),
    ("AUS", "Australia", "AUD", 1.52),
    ("JPN", "Japan", "JPY", 150.0),
    ("SAU", "Saudi Arabia", "SAR", 3.75),
    ("ARE", "United Arab Emirates", "AED", 3.67),
    ("ZAF", "South Africa", "ZAR", 18.5),
    ("RUS", "Russian Federation", "RUB", 90.0),
    ("KOR", "Korea, Rep.", "KRW", 1330.0),
    ("CHE", "Switzerland", "CHF", 0.88),
    ("SGP", "Singapore", "SGD", 1.34),
]
RECEIVING = [
    ("MEX", "Mexico", 17.0),
    ("PHL", "Philippines", 56.0),
    ("IND", "India", 83.0),
    ("SEN", "Senegal", 603.0),
    ("NGA", "Nigeria", 1500.0),
    ("GHA", "Ghana", 12.5),
    ("KEN", "Kenya", 130.0),
    ("PAK", "Pakistan", 280.0),
    ("BGD", "Bangladesh", 110.0),
    ("VNM", "Vietnam", 24500.0),
    ("MAR", "Morocco", 10.0),
    ("EGY", "Egypt, Arab Rep.", 48.0),
    ("COL", "Colombia", 3900.0),
    ("GTM", "Guatemala", 7.8),
    ("HTI", "Haiti", 132.0),
    ("NPL", "Nepal", 133.0),
    ("LKA", "Sri Lanka", 300.0),
    ("UKR", "Ukraine", 39.0),
    ("TUR", "Turkey", 32.0),
    ("CHN", "China", 7.2),
    ("IDN", "Indonesia", 15700.0),
    ("ETH", "Ethiopia", 57.0),
    ("UGA", "Uganda", 3800.0),
    ("TZA", "Tanzania", 2500.0),
    ("ZMB", "Zambia", 26.0),
]
FIRM_TYPES = ["Money Transfer Operator", "MTO", "Bank", "BANK", "Post office", "Mobile Operator"]
INSTRUMENTS = ["Cash", "CASH", "Bank Account", "Mobile money", "Debit card", "Credit Card"]
ACCESS = ["Agent", "Branch", "Internet", "Mobile phone"]
SPEEDS = ["Less than one hour", "Same day", "Next day", "2 days", "3-5 days", "6 days or more"]
QUARTERS = [f"{year}_{quarter}Q" for year in (2023, 2024, 2025) for quarter in (1, 2, 3, 4)]


# --- the file ------------------------------------------------------------------------------


def corridors() -> list[tuple[tuple[str, str, str, float], tuple[str, str, float]]]:
    pairs = [(s, r) for s in SENDING for r in RECEIVING]
    return pairs[:400]


def rows(count: int) -> Iterator[list[Any]]:
    """RPW rows: each quarter, each corridor, services by distinct (firm, instrument, access
    point), so that no observation is given twice."""
    pairs = corridors()
    per_group = -(-count // (len(QUARTERS) * len(pairs)))
    made = 0
    for quarter in QUARTERS:
        for c, ((scode, sname, lcu, per_usd), (dcode, dname, dest_per_usd)) in enumerate(pairs):
            interbank = dest_per_usd / per_usd
            for j in range(per_group):
                if made == count:
                    return
                made += 1
                firm = f"Firm {(c * 13 + j // 4) % 700:03d}"
                fee1 = round((2 + (j * 7 + c) % 15) * per_usd, 2)
                rate = round(interbank * (1 - ((j * 3 + c) % 40) / 1000), 6)
                amount1, amount2 = round(200 * per_usd, 2), round(500 * per_usd, 2)
                fee2 = round(fee1 * 1.5, 2)
                yield [
                    quarter,
                    scode,
                    sname,
                    "High income",
                    "HIC",
                    dcode,
                    dname,
                    "Sub-Saharan Africa",
                    "LMIC",
                    firm,
                    FIRM_TYPES[(c + j) % len(FIRM_TYPES)],
                    f"Product {j}",
                    INSTRUMENTS[j % 4 if j % 4 < 2 else j % 4 + (c % 3)],
                    ACCESS[j % 4],
                    SPEEDS[(c + j) % len(SPEEDS)],
                    200,
                    amount1,
                    lcu,
                    fee1,
                    rate,
                    None,
                    None,
                    500,
                    amount2,
                    lcu,
                    fee2,
                    rate,
                    None,
                    None,
                    interbank,
                    "Yes" if (c + j) % 10 else "no",
                    f"{scode}_{dcode}",
                    "",
                    None,
                    "x" if j % 97 == 0 else None,
                ]


def write_xlsx(path: Path, count: int) -> None:
    """The workbook through openpyxl's write-only mode, then given the ``<dimension>`` that
    Excel writes and openpyxl's write-only mode leaves out (the progress bar reads it)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    sheet.append(HEADER)
    for row in rows(count):
        sheet.append(row)
    book.create_sheet("Notes").append(["Synthetic RPW data for a benchmark."])
    raw = path.with_suffix(".raw.xlsx")
    book.save(raw)
    ref = f"A1:{get_column_letter(len(HEADER))}{count + 1}"
    # Copied part by part, the sheet streamed: this process stays small, and so do the ones it
    # starts to measure (a child starts with its parent's resident pages, see ``peak_mb``).
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            with source.open(info) as part, out.open(info.filename, "w") as copy:
                start = part.read(1 << 16)
                if info.filename == "xl/worksheets/sheet1.xml":
                    start = start.replace(
                        b"<sheetViews>", f'<dimension ref="{ref}" /><sheetViews>'.encode(), 1
                    )
                copy.write(start)
                shutil.copyfileobj(part, copy, 1 << 20)
    raw.unlink()


# --- one process per measure ---------------------------------------------------------------


def peak_mb() -> float:
    """The process's peak resident memory, in MB. On Linux ``ru_maxrss`` of a child counts the
    pages it shared with its parent when forked (they are kept across ``exec``), so the peak of
    the program's own address space (``VmHWM``) is read where there is one."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def baseline(path: Path) -> dict[str, Any]:
    """openpyxl alone streaming the sheet."""
    from openpyxl import load_workbook

    started = time.perf_counter()
    book = load_workbook(path, read_only=True, data_only=True, keep_links=False)
    count = sum(1 for _row in book[SHEET].iter_rows(values_only=True)) - 1
    book.close()
    return {"rows": count, "seconds": time.perf_counter() - started, "peak_mb": peak_mb()}


def liaison_import(url: str, path: Path) -> dict[str, Any]:
    setup_django(url)
    from django.db import connection

    from liaison.remittances import imports
    from liaison.remittances.models import Observation

    started = time.perf_counter()
    with path.open("rb") as handle:
        report = imports.import_rpw(None, handle, path.name)
    seconds = time.perf_counter() - started
    assert not report.total_problems, [str(p) for p in report.problems[:5]]
    return {
        "vendor": connection.vendor,
        "rows": report.rows,
        "observations": Observation.objects.count(),
        "seconds": seconds,
        "peak_mb": peak_mb(),
    }


def run(*args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, *args], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def report(name: str, figures: dict[str, Any]) -> None:
    rate = figures["rows"] / figures["seconds"]
    verdict = "within" if figures["peak_mb"] <= TARGET_MB else "ABOVE"
    print(
        f"  {name:<40} {rate:>9,.0f} rows/s ({figures['seconds']:.1f} s), peak memory "
        f"{figures['peak_mb']:.0f} MB ({verdict} the {TARGET_MB} MB target)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=250_000)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--baseline", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline:
        print(json.dumps(baseline(Path(args.file))))
        return
    if args.worker:
        print(json.dumps(liaison_import(args.worker, Path(args.file))))
        return
    url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "rpw.xlsx"
        started = time.perf_counter()
        write_xlsx(path, args.rows)
        print(
            f"generated a workbook of {args.rows:,} rows ({path.stat().st_size / 1e6:.1f} MB) "
            f"in {time.perf_counter() - started:.1f} s"
        )
        floor = run("--baseline", "--file", str(path))
        databases = [f"sqlite:///{folder / 'bench.sqlite3'}"]
        if url.startswith(("postgres://", "postgresql://")):
            databases.append(reset_postgresql(url, BENCH_DB))
        results = []
        for database in databases:
            migrate(database)
            results.append(run("--worker", database, "--file", str(path)))
        report("baseline, openpyxl streaming the sheet:", floor)
        for figures in results:
            report(f"Liaison import ({figures['vendor']}):", figures)
            print(
                f"    {figures['observations']:,} observations stored; Liaison at "
                f"{floor['seconds'] / figures['seconds']:.0%} of the baseline's rate"
            )


if __name__ == "__main__":
    main()
