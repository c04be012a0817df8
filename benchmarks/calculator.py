"""Benchmark: the public remittance calculator page, server side.

Seeds a throwaway database: France (EUR) to Senegal (XOF) with 30 providers of three services
each (cash at an agent, online from an account, mobile money from a phone), priced at both
points (USD 200 and USD 500) in each of 8 quarters (2025 Q1 to 2026 Q4), 5 of the services
not disclosing their rate, plus pending and rejected observations in the latest quarter;
and 40 other corridors with 10 providers each over the same quarters (about 8,000
observations in all), so that the indexes have something to skip.

Then requests the page through Django's test Client (URL resolution, every middleware, the
form, the query, the template; connections kept between requests as in production), with 500
amounts between EUR 10 and EUR 2,000, one in four with the providers that hide their rate
shown. Four kinds of request take turns, so that the machine's moods weigh on all alike:

* warm: the corridor list in the cache and the quarter's prices kept by this process under
  it (the usual case: a list lives ``CACHE_SECONDS`` unless a write forgets it sooner);
  no query (with the cache in the database, the cache's own);
* cold: the cache emptied before the request, so the corridor list is read again, with a new
  token, and the prices too (two queries);
* baselines: ``/health/`` (one ``SELECT 1``, no template) and the empty form
  (``/remittances/``: the base layout and the form, the corridor list from the cache).

The page's figures are checked on the way (the number of services compared; the amounts
received in descending order), the queries of each request counted, and the CPU time of each
request taken beside its wall time. Target: p95 under 20 ms warm.

Each database is measured twice, in processes of their own: with the test settings' cache in
memory, and with production's (``DatabaseCache``: a table in the same database, so that the
corridor list costs a query of its own, and a cold request the cache's own writes).

Runs on a fresh SQLite file, and on PostgreSQL too when DATABASE_URL points at a PostgreSQL
server: in a database of its own (``liaison_calculator_bench``, dropped and created again;
ANALYZEd, as autovacuum would have).

Measured on 2026-11-26 (a 2-vCPU AMD EPYC virtual machine; Python 3.11, Django 5.2, DEBUG off;
PostgreSQL 15 local; nothing else running), 7,844 observations, 85 services compared per
request (90 with the hidden ones), 500 requests of each kind:

                                         p50      p95     queries
    SQLite      cache in memory  warm    4.7 ms   6.2 ms   0
                                 cold   10.7 ms  13.4 ms   2
                cache in DB      warm    4.5 ms   5.9 ms   1
                                 cold   10.4 ms  12.9 ms   8
                /health/                 0.4 ms   0.7 ms
                empty form               2.5 ms   3.6 ms
    PostgreSQL  cache in memory  warm    4.5 ms   5.7 ms   0
                                 cold   10.6 ms  13.3 ms   2
                cache in DB      warm    4.9 ms   6.4 ms   1
                                 cold   11.6 ms  14.3 ms   8
                /health/                 0.6 ms   1.0 ms
                empty form               2.4 ms   3.3 ms

Target met: warm p95 6.4 ms at most; even a cold request (p95 14.3 ms) is within it. The
machine matters: an earlier session's machine ran the same pages three times slower,
baselines included (``/health/`` p95 1.9 ms, the empty form 10.1 ms; each kind of request
there ran in a fast and a 1.6 times slower mode), and there, before the prices were kept
between requests, warm p95 was 30.6 ms. The same day on this machine, before they were kept:
warm p50 8.4 ms, p95 9.4 ms, one query (1.7 ms of it reading and converting 180 price
points). Where the rest of a warm request goes, at 4 to 5 ms: the base layout and the form,
as in the empty form, 2 ms; ranking the services 0.4 ms; the 85 cards 1.3 ms; the rest of
the template and the middleware. Steps taken on the way from 140 ms: one query of tuples
instead of model instances, the latest quarter known from the cached corridor list (no
subquery to compile), labels translated once per page, Babel's patterns prepared once per
currency (``format_currency`` looks up the currency's plural name for every figure), the
cards drawn without a template loop, the corridor select without a template per option, and
the quarter's prices kept by each process under the corridor list's token.

Usage: python benchmarks/calculator.py [--requests 500]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import ROOT, migrate, reset_postgresql, setup_django

BENCH_DB = "liaison_calculator_bench"
QUARTERS = [(2025, q) for q in range(1, 5)] + [(2026, q) for q in range(1, 5)]
DATABASE_CACHE = "django.core.cache.backends.db.DatabaseCache"
BACKENDS = {
    "memory": "django.core.cache.backends.locmem.LocMemCache",  # the test settings'
    "database": DATABASE_CACHE,
}
SERVICES = [("cash", "agent", "cash"), ("account", "internet", "account")]
SERVICES += [("mobile_money", "mobile_phone", "mobile_wallet")]
OTHER_DESTINATIONS = [
    "ML",
    "CI",
    "BF",
    "NE",
    "TG",
    "BJ",
    "GW",
    "CM",
    "GA",
    "CG",
    "MA",
    "DZ",
    "TN",
    "EG",
    "NG",
    "GH",
    "KE",
    "ET",
    "PH",
    "VN",
    "IN",
    "PK",
    "BD",
    "LK",
    "NP",
    "CN",
    "TH",
    "ID",
    "MX",
    "CO",
    "PE",
    "BR",
    "HT",
    "DO",
    "UA",
    "MD",
    "RO",
    "RS",
    "TR",
    "LB",
]


def seed() -> int:
    """Fill the database; returns the number of observations."""
    from django.db import connection

    from liaison.remittances.models import Corridor, Observation, Provider

    rng = random.Random(7)
    providers = Provider.objects.bulk_create(
        Provider(name=f"Provider {i:02}", kind=rng.choice(Provider.Kind.values)) for i in range(30)
    )
    main = Corridor.objects.create(
        source_country="FR",
        source_currency="EUR",
        destination_country="SN",
        destination_currency="XOF",
    )
    others = Corridor.objects.bulk_create(
        Corridor(
            source_country="FR",
            source_currency="EUR",
            destination_country=code,
            destination_currency="XOF",
        )
        for code in OTHER_DESTINATIONS
    )
    rows: list[Observation] = []

    def observe(corridor: Corridor, provider: Provider, year: int, quarter: int, **kw: Any) -> None:
        for point, local in ((200, Decimal("185.00")), (500, Decimal("462.50"))):
            row = Observation(
                corridor=corridor,
                provider=provider,
                year=year,
                quarter=quarter,
                price_point=point,
                amount_sent=local,
                fee=Decimal(rng.randrange(0, 1500)) / 100,
                exchange_rate=Decimal(rng.randrange(62000, 65590)) / 100,
                interbank_rate=Decimal("655.957"),
                speed=rng.choice(["lt1h", "same_day", "next_day", "3_5_days"]),
                source=Observation.Source.SURVEY,
                collected_on=datetime.date(year, 3 * quarter - 1, 10 + rng.randrange(15)),
                **kw,
            )
            row.compute()  # bulk_create does not call save()
            rows.append(row)

    for year, quarter in QUARTERS:
        for n, provider in enumerate(providers):
            for s, (instrument, access, pickup) in enumerate(SERVICES):
                observe(
                    main,
                    provider,
                    year,
                    quarter,
                    instrument=instrument,
                    access_point=access,
                    pickup=pickup,
                    transparent=(n * 3 + s) % 18 != 0,  # 5 of the 90 services
                )
        for corridor in others:
            for provider in providers[:10]:
                observe(corridor, provider, year, quarter, instrument="cash", access_point="agent")
    # Unverified prices in the latest quarter, which must change nothing.
    for status, provider in (("pending", providers[0]), ("rejected", providers[1])):
        observe(main, provider, 2026, 4, instrument="other", access_point="other", status=status)
    Observation.objects.bulk_create(rows, batch_size=1000)
    if connection.vendor == "postgresql":
        # Production's autovacuum would have gathered the statistics; the planner needs them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return len(rows)


def worker(url: str, requests: int, backend: str) -> dict[str, Any]:
    # Connections kept between requests, as production keeps them (60 s by default); the test
    # settings' 0 would open one per request.
    setup_django(url, DATABASE_CONN_MAX_AGE="60")
    from django.core.cache import cache, caches
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    if backend == "database":
        # Production's cache (settings.py): a table in the same database. Each cache read is
        # then a query of its own.
        database = {"BACKEND": DATABASE_CACHE, "LOCATION": "liaison_cache"}
        override_settings(CACHES={"default": database}).enable()
        call_command("createcachetable", verbosity=0)
    used = type(caches["default"])
    assert f"{used.__module__}.{used.__name__}" == BACKENDS[backend], used
    observations = seed()
    client = Client()
    rng = random.Random(11)
    amounts = [
        f"{Decimal(rng.randrange(1000, 200_000)) / 100:.2f}" for _ in range(requests)
    ]  # EUR 10.00 to 1,999.99

    cpu: dict[str, list[float]] = {"warm": [], "cold": [], "health": [], "empty": []}

    def timed(
        path: str, query: dict[str, str], *, cold: bool = False, kind: str = ""
    ) -> tuple[float, int, str]:
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path, query)
            elapsed = (time.perf_counter() - started) * 1000
            if kind:
                cpu[kind].append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, response.status_code
        return elapsed, len(queries), response.content.decode()

    def check(page: str, opaque: bool) -> None:
        found = re.search(r"(\d+) services compared", page)
        assert found, "no count of services on the page"
        shown = int(found.group(1))
        assert shown == (90 if opaque else 85), shown
        received = [
            Decimal(re.sub(r"[^\d.]", "", amount))
            for amount in re.findall(r'class="fs-4 fw-bold received"><bdi>([^<]+)<', page)
        ]
        assert len(received) == shown and received == sorted(received, reverse=True)

    for amount in amounts[:30]:  # warm up: URLconf, templates, translations, connection
        timed("/remittances/", {"corridor": "FR-EUR-SN-XOF", "amount": amount})
        timed("/health/", {})
    # The four kinds of request take turns, so that whatever else the machine does at a
    # moment weighs on all of them alike.
    warm, cold, health, empty = [], [], [], []
    warm_queries, cold_queries = set(), set()
    for i, amount in enumerate(amounts):
        opaque = i % 4 == 0
        query = {"corridor": "FR-EUR-SN-XOF", "amount": amount}
        if opaque:
            query["opaque"] = "1"
        health.append(timed("/health/", {}, kind="health")[0])
        empty.append(timed("/remittances/", {}, kind="empty")[0])
        elapsed, n, page = timed("/remittances/", query, kind="warm")
        warm.append(elapsed)
        warm_queries.add(n)
        if i % 50 == 0:
            check(page, opaque)
        elapsed, n, page = timed("/remittances/", query, cold=True, kind="cold")
        cold.append(elapsed)
        cold_queries.add(n)
    return {
        "vendor": connection.vendor,
        "backend": backend,
        "observations": observations,
        "warm": warm,
        "warm_queries": sorted(warm_queries),
        "cold": cold,
        "cold_queries": sorted(cold_queries),
        "health": health,
        "empty": empty,
        "cpu": cpu,
        "load": os.getloadavg()[0],
    }


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1]


def report(figures: dict[str, Any], requests: int) -> None:
    print(
        f"\n{figures['vendor']}, cache in {figures['backend']}: {figures['observations']:,} "
        f"observations, {requests} requests of each kind "
        f"(load average {figures['load']:.1f} at the end)"
    )
    for label, key, queries in (
        ("calculator, warm", "warm", figures["warm_queries"]),
        ("calculator, cold", "cold", figures["cold_queries"]),
        ("baseline /health/", "health", None),
        ("baseline empty form", "empty", None),
    ):
        times = figures[key]
        spent = figures["cpu"][key]
        line = (
            f"  {label:<22} p50 {statistics.median(times):5.1f} ms  "
            f"p95 {percentile(times, 0.95):5.1f} ms  "
            f"(CPU p50 {statistics.median(spent):5.1f} ms  p95 {percentile(spent, 0.95):5.1f} ms)"
        )
        if queries is not None:
            line += f"   queries per request {'/'.join(map(str, queries))}"
        print(line)
    verdict = "met" if percentile(figures["warm"], 0.95) < 20 else "MISSED"
    print(f"  target p95 < 20 ms warm: {verdict}")


def measure(url: str, requests: int, backend: str) -> dict[str, Any]:
    migrate(url)
    command = [sys.executable, __file__, "--worker", url, "--requests", str(requests)]
    out = subprocess.run(
        [*command, "--cache", backend],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--cache", choices=sorted(BACKENDS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.requests, args.cache)))
        return
    url = os.environ.get("DATABASE_URL", "")
    results = []
    for backend in ("memory", "database"):
        with tempfile.TemporaryDirectory() as tmp:
            sqlite = f"sqlite:///{Path(tmp) / 'calculator.sqlite3'}"
            results.append(measure(sqlite, args.requests, backend))
        if url.startswith(("postgres://", "postgresql://")):
            results.append(measure(reset_postgresql(url, BENCH_DB), args.requests, backend))
    for figures in results:
        report(figures, args.requests)


if __name__ == "__main__":
    main()
