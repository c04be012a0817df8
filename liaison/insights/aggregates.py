"""Counts over the registry as analysts see them: never a person, and no cell small enough to
single one out. A count between 1 and the threshold is shown as "fewer than N"; when a table
would then hide a single cell, the next smallest is hidden too, so that the total cannot give
the hidden one away."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count
from django_countries import countries

from liaison.insights.models import MigrantStock
from liaison.registry.models import Member


@dataclass
class HostCountry:
    code: str
    name: str
    registered: int | None  # None: hidden, fewer than the threshold (or hidden with it)
    estimate: int | None  # the World Bank's estimate of people from the origin country there
    coverage: float | None  # registered as a share of the estimate, in per cent

    @property
    def hidden(self) -> bool:
        return self.registered is None


def threshold() -> int:
    return max(1, int(settings.LIAISON_DEFAULT_SUPPRESSION_THRESHOLD))


def suppress(counts: dict[str, int], limit: int) -> dict[str, int | None]:
    """Counts with every cell from 1 to ``limit - 1`` hidden (None), and, when that hides
    exactly one cell, the smallest other non-zero cell as well."""
    shown: dict[str, int | None] = {k: (None if 0 < v < limit else v) for k, v in counts.items()}
    hidden = [k for k, v in shown.items() if v is None]
    if len(hidden) == 1:
        others = [(v, k) for k, v in counts.items() if k not in hidden and v > 0]
        if others:
            shown[min(others)[1]] = None
    return shown


def host_countries(origin: str | None = None) -> tuple[list[HostCountry], int, int | None]:
    """Members by country of residence next to the latest World Bank estimate for the origin
    country; returns the rows (largest estimate first), the total and the estimate's year."""
    origin = (origin if origin is not None else settings.LIAISON_ORIGIN_COUNTRY).upper()
    counts = {
        str(code): n
        for code, n in Member.objects.values_list("country_of_residence")
        .annotate(n=Count("pk"))
        .order_by()
    }
    year = (
        MigrantStock.objects.filter(origin=origin).order_by("-year").values_list("year", flat=True)
    ).first()
    latest = MigrantStock.objects.filter(origin=origin, year=year or 0)
    estimates = {str(code): stock for code, stock in latest.values_list("destination", "stock")}
    shown = suppress(counts, threshold())
    rows = []
    for code in set(counts) | set(estimates):
        registered = shown.get(code, 0)
        estimate = estimates.get(code)
        coverage = (
            round(100 * registered / estimate, 2) if registered is not None and estimate else None
        )
        rows.append(HostCountry(code, str(countries.name(code)), registered, estimate, coverage))
    rows.sort(key=lambda r: (-(r.estimate or 0), -(r.registered or 0), r.name))
    return rows, sum(counts.values()), year
