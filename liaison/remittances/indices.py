"""The remittance price indices of a quarter, computed the way the World Bank's Remittance Prices
Worldwide (RPW) computes its own, at one price point (USD 200 unless USD 500 is asked for).

Each observation is one service (a provider's product in a corridor). The observations counted
are ``Observation.objects.counted(opaque=...)``: verified ones and, unless the reader includes
them, only those of providers transparent about their exchange rate (RPW leaves the others out
of its averages).

- Corridor average: the simple average of the total cost of the services in the corridor.
- Global average: as RPW's, the simple average over *all services* in all corridors (not an
  average of corridor averages), so a corridor with more services weighs more.
- Regional averages: the same over the services sent to countries of one region (the M49
  sub-region of the receiving country, ``taxonomy.regions``).
- Weighted average: corridor averages weighted by the World Bank's bilateral remittance
  estimate of the corridor's country pair (``RemittanceFlow``, the latest year held). Corridors
  sharing a country pair (other currencies) share its flow equally; corridors without a flow
  are left out, and counted.
- SmaRT (always at USD 200): per corridor, the simple average of the three cheapest services
  that are transparent, arrive within 5 days and are accessible (``Observation.smart``); a
  corridor with fewer than three such services has none. The SmaRT average is the simple
  average over the corridors that have one.
- Averages by provider type and by payment instrument: simple averages over their services.
- SDG 10.c: the share of corridors whose average is at or below 5%, and how far the global
  average is from 3% (percentage points above it, negative when below).
- Trend: the global average of every quarter from Liaison's own observations; quarters without
  any are filled from the World Bank's published corridor averages (``CorridorHistory``, USD 200
  only), where the global figure is the simple average of the corridor averages, and said so.

Averages are sums and counts aggregated by the database, divided here in ``Decimal`` and
rounded half-even to four decimals like RPW's figures: the database's own AVG returns a float
on SQLite and a long numeric on PostgreSQL, which would round differently.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, DecimalField, Max, Min, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.remittances.costs import (
    HUNDRED,
    PERCENT,
    SDG_CORRIDOR_CEILING,
    SDG_GLOBAL_TARGET,
)
from liaison.remittances.models import (
    Corridor,
    CorridorHistory,
    Instrument,
    Observation,
    ObservationQuerySet,
    PricePoint,
    Provider,
    RemittanceFlow,
)
from liaison.remittances.periods import Period
from liaison.taxonomy import regions

SMART_PRICE_POINT = PricePoint.USD_200
SMART_SERVICES = 3  # SmaRT averages the three cheapest qualifying services

# Where a point of the trend comes from.
OBSERVATIONS = "observations"
HISTORY = "history"


def source_label(source: str) -> str:
    if source == HISTORY:
        return _("World Bank DataBank corridor averages (simple average of the corridors)")
    return _("Liaison's price observations (simple average of the services)")


def _sum() -> Sum:
    # Wide enough for the sum of many percentages (the column holds one, max_digits=9).
    return Sum("total_cost", output_field=DecimalField(max_digits=20, decimal_places=4))


def _exact(value: Any) -> Decimal:
    """A sum from the database, back to four decimals (SQLite adds REAL values: any float
    noise sits far below the fourth decimal)."""
    return Decimal(value or 0).quantize(PERCENT, ROUND_HALF_EVEN)


def _round(value: Decimal) -> Decimal:
    return value.quantize(PERCENT, ROUND_HALF_EVEN)


def _average(total: Decimal, count: int) -> Decimal | None:
    return _round(total / count) if count else None


@dataclass(frozen=True)
class Selection:
    """What the reader asked for: a quarter, a price point, and whether providers that are not
    transparent about their exchange rate are counted."""

    period: Period
    price_point: int = PricePoint.USD_200
    opaque: bool = False

    def observations(self) -> ObservationQuerySet:
        """The services counted in this selection."""
        return (
            Observation.objects.counted(opaque=self.opaque)
            .in_period(self.period)
            .filter(price_point=self.price_point)
        )

    @property
    def providers_counted(self) -> str:
        if self.opaque:
            return _("All verified services, including providers not transparent about the rate")
        return _("Only providers transparent about the exchange rate (RPW's rule)")

    @property
    def slug(self) -> str:
        """For file names: ``2026Q3-usd200-transparent``."""
        shown = "all" if self.opaque else "transparent"
        return f"{self.period.key}-usd{self.price_point}-{shown}"

    def query(self) -> dict[str, str]:
        """The selection as the page's and the API's parameters."""
        return {
            "period": self.period.key,
            "price_point": str(self.price_point),
            "opaque": "true" if self.opaque else "false",
        }


@dataclass(frozen=True)
class Average:
    """A simple average of total cost (%) over ``services`` services in ``corridors``."""

    key: str
    label: str
    average: Decimal | None
    services: int
    corridors: int = 0


@dataclass
class CorridorRow:
    corridor: Corridor
    region: str
    region_label: str
    average: Decimal
    services: int
    cheapest: Decimal
    total: Decimal  # the sum of the services' costs, kept for exact regional and global sums
    smart: Decimal | None = None
    smart_services: int = 0  # services qualifying for SmaRT (at USD 200)
    flow: Decimal | None = None  # the weight: USD millions (its share if the pair is shared)

    @property
    def above_ceiling(self) -> bool:
        """Above SDG 10.c's 5% (compared as shown, to four decimals)."""
        return self.average > SDG_CORRIDOR_CEILING


@dataclass
class Weighted:
    average: Decimal | None
    flow_year: int | None
    corridors: int  # weighted
    without_flow: list[Corridor] = field(default_factory=list)  # left out: no estimate


@dataclass
class Smart:
    average: Decimal | None
    corridors: int  # corridors with a SmaRT
    too_few: list[tuple[Corridor, int]] = field(default_factory=list)  # (corridor, qualifying)


@dataclass
class Sdg:
    corridors: int
    at_or_below: int
    share: Decimal | None  # % of corridors at or below the ceiling
    global_distance: Decimal | None  # percentage points above the target (negative: below)
    ceiling: Decimal = SDG_CORRIDOR_CEILING
    target: Decimal = SDG_GLOBAL_TARGET

    @property
    def target_met(self) -> bool | None:
        return None if self.global_distance is None else self.global_distance <= 0


@dataclass
class Indices:
    selection: Selection
    corridors: list[CorridorRow]  # cheapest average first
    global_average: Average
    regions: list[Average]
    weighted: Weighted
    smart: Smart
    by_kind: list[Average]
    by_instrument: list[Average]
    sdg: Sdg
    # Verified services of providers not transparent about the rate, in this quarter and price
    # point: left out by default, counted when the reader includes them.
    opaque_services: int

    @property
    def empty(self) -> bool:
        return not self.corridors

    @property
    def first_above(self) -> int | None:
        """Where the SDG ceiling falls in the corridor table: the first row above it."""
        return next((i for i, r in enumerate(self.corridors) if r.above_ceiling), None)


def compute(selection: Selection) -> Indices:
    """Every index of ``selection`` (a fixed number of queries, whatever the corridors)."""
    counted = selection.observations()
    rows = _corridor_rows(counted)
    services = sum(r.services for r in rows)
    total = sum((r.total for r in rows), Decimal(0))
    global_average = Average(
        "global", _("Global average"), _average(total, services), services, len(rows)
    )
    rows.sort(key=lambda r: (r.average, str(r.corridor)))
    smart = _smart(selection.period, rows)
    weighted = _weighted(rows)
    return Indices(
        selection=selection,
        corridors=rows,
        global_average=global_average,
        regions=_regions(rows),
        weighted=weighted,
        smart=smart,
        by_kind=_grouped(counted, "provider__kind", Provider.Kind.choices),
        by_instrument=_grouped(counted, "instrument", Instrument.choices),
        sdg=_sdg(rows, global_average.average),
        opaque_services=Observation.objects.in_period(selection.period)
        .filter(
            price_point=selection.price_point,
            status=Observation.Status.VERIFIED,
            transparent=False,
        )
        .count(),
    )


def _corridor_rows(counted: ObservationQuerySet) -> list[CorridorRow]:
    stats = (
        counted.order_by()
        .values("corridor")
        .annotate(total=_sum(), services=Count("pk"), cheapest=Min("total_cost"))
    )
    found = {s["corridor"]: s for s in stats}
    corridors = Corridor.objects.in_bulk(list(found))
    labels = regions.labels()
    rows = []
    for pk, s in found.items():
        corridor = corridors[pk]
        region = regions.region_of(corridor.destination_country.code)
        total = _exact(s["total"])
        rows.append(
            CorridorRow(
                corridor=corridor,
                region=region,
                region_label=labels[region],
                average=_round(total / s["services"]),
                services=s["services"],
                cheapest=_exact(s["cheapest"]),
                total=total,
            )
        )
    return rows


def _regions(rows: list[CorridorRow]) -> list[Average]:
    """Simple averages over the services sent to each region (regions in M49 order)."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    services: dict[str, int] = defaultdict(int)
    corridors: dict[str, int] = defaultdict(int)
    for r in rows:
        totals[r.region] += r.total
        services[r.region] += r.services
        corridors[r.region] += 1
    return [
        Average(
            code, label, _average(totals[code], services[code]), services[code], corridors[code]
        )
        for code, label in regions.labels().items()
        if services[code]
    ]


def _grouped(
    counted: ObservationQuerySet, by: str, choices: Iterable[tuple[str, Any]]
) -> list[Average]:
    """Simple averages over the services of each value of ``by`` (in the choices' order)."""
    stats = {
        s[by]: s
        for s in counted.order_by()
        .values(by)
        .annotate(total=_sum(), services=Count("pk"), corridors=Count("corridor_id", distinct=True))
    }
    return [
        Average(
            key,
            str(label),
            _average(_exact(stats[key]["total"]), stats[key]["services"]),
            stats[key]["services"],
            stats[key]["corridors"],
        )
        for key, label in choices
        if key in stats
    ]


def _smart(period: Period, rows: list[CorridorRow]) -> Smart:
    """SmaRT per corridor (set on the rows shown) and its average over corridors.

    Only qualifying services are read, cheapest first, two columns each: RPW surveys some
    fifteen services a corridor, so this stays small where a window query would not be
    simpler.
    """
    base = Observation.objects.counted().in_period(period).filter(price_point=SMART_PRICE_POINT)
    qualifying: dict[int, list[Decimal]] = defaultdict(list)
    for corridor_id, cost in (
        base.smart()
        .order_by("corridor_id", "total_cost", "pk")
        .values_list("corridor_id", "total_cost")
    ):
        qualifying[corridor_id].append(cost)
    # The sums of the three cheapest: the SmaRT average divides their total, not the
    # rounded SmaRTs, so that it is exact.
    sums = {
        pk: sum(costs[:SMART_SERVICES], Decimal(0))
        for pk, costs in qualifying.items()
        if len(costs) >= SMART_SERVICES
    }
    smart = {pk: _round(total / SMART_SERVICES) for pk, total in sums.items()}
    for r in rows:
        r.smart = smart.get(r.corridor.pk)
        r.smart_services = len(qualifying.get(r.corridor.pk, []))
    # Corridors priced at USD 200 this quarter (transparent, verified) without a SmaRT.
    priced = set(base.order_by().values_list("corridor_id", flat=True).distinct())
    short = Corridor.objects.in_bulk([pk for pk in priced if pk not in smart])
    too_few = sorted(
        ((c, len(qualifying.get(pk, []))) for pk, c in short.items()), key=lambda t: str(t[0])
    )
    total = sum(sums.values(), Decimal(0))
    return Smart(_average(total, SMART_SERVICES * len(sums)), len(sums), too_few)


def latest_flow_year() -> int | None:
    year: int | None = RemittanceFlow.objects.aggregate(year=Max("year"))["year"]
    return year


def _weighted(rows: list[CorridorRow]) -> Weighted:
    year = latest_flow_year()
    if year is None or not rows:
        return Weighted(None, year, 0, [r.corridor for r in rows])
    pairs = {(r.corridor.source_country.code, r.corridor.destination_country.code) for r in rows}
    flows = {
        (src, dst): usd
        for src, dst, usd in RemittanceFlow.objects.filter(
            year=year,
            source_country__in={p[0] for p in pairs},
            destination_country__in={p[1] for p in pairs},
        ).values_list("source_country", "destination_country", "usd_millions")
    }
    sharing: dict[tuple[str, str], int] = defaultdict(int)
    for r in rows:
        sharing[(r.corridor.source_country.code, r.corridor.destination_country.code)] += 1
    weights = Decimal(0)
    weighted = Decimal(0)
    without = []
    for r in rows:
        pair = (r.corridor.source_country.code, r.corridor.destination_country.code)
        if pair not in flows:
            without.append(r.corridor)
            continue
        r.flow = flows[pair] / sharing[pair]
        weights += r.flow
        # The corridor's unrounded average: total / services.
        weighted += r.flow * r.total / r.services
    average = _round(weighted / weights) if weights else None
    return Weighted(average, year, len(rows) - len(without), without)


def _sdg(rows: list[CorridorRow], global_average: Decimal | None) -> Sdg:
    below = sum(1 for r in rows if not r.above_ceiling)
    share = _round(HUNDRED * below / len(rows)) if rows else None
    distance = None if global_average is None else global_average - SDG_GLOBAL_TARGET
    return Sdg(len(rows), below, share, distance)


# --- trend ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    period: Period
    average: Decimal
    source: str  # OBSERVATIONS or HISTORY
    corridors: int
    services: int | None  # None for history (DataBank gives corridor averages only)

    @property
    def source_label(self) -> str:
        return source_label(self.source)


def trend(price_point: int = PricePoint.USD_200, opaque: bool = False) -> list[TrendPoint]:
    """The global average of every quarter, oldest first: from the observations counted where
    the quarter has any, else (at USD 200 only) from the DataBank corridor averages."""
    points: dict[Period, TrendPoint] = {}
    observed = (
        Observation.objects.counted(opaque=opaque)
        .filter(price_point=price_point)
        .order_by()
        .values("year", "quarter")
        .annotate(total=_sum(), services=Count("pk"), corridors=Count("corridor_id", distinct=True))
    )
    for s in observed:
        period = Period(s["year"], s["quarter"])
        average = _average(_exact(s["total"]), s["services"])
        assert average is not None  # a group has at least one row
        points[period] = TrendPoint(period, average, OBSERVATIONS, s["corridors"], s["services"])
    if price_point == SMART_PRICE_POINT:
        history = (
            CorridorHistory.objects.order_by()
            .values("year", "quarter")
            .annotate(total=_sum(), corridors=Count("pk"))
        )
        for h in history:
            period = Period(h["year"], h["quarter"])
            average = _average(_exact(h["total"]), h["corridors"])
            if period not in points and average is not None:
                points[period] = TrendPoint(period, average, HISTORY, h["corridors"], None)
    return [points[p] for p in sorted(points)]


# --- the parameters, shared by the page, the downloads and the API --------------------------


def available_periods() -> list[Period]:
    """Quarters holding verified observations, latest first."""
    found = (
        Observation.objects.filter(status=Observation.Status.VERIFIED)
        .order_by("-year", "-quarter")
        .values_list("year", "quarter")
        .distinct()
    )
    return [Period(y, q) for y, q in found]


def default_period(periods: Iterable[Period] | None = None) -> Period:
    """The latest quarter with verified observations; the current one when there is none."""
    for period in available_periods() if periods is None else periods:
        return period
    return Period.of(timezone.localdate())


OPAQUE_CHOICES = [
    ("false", gettext_lazy("Only providers transparent about the exchange rate (RPW's rule)")),
    ("true", gettext_lazy("All providers, including those not transparent about it")),
]


class IndicesForm(forms.Form):
    """``period`` (2026Q3; the latest by default), ``price_point`` (200 or 500; 200 by
    default) and ``opaque`` (true to count providers not transparent about the exchange rate;
    false by default)."""

    period = forms.CharField(label=gettext_lazy("Quarter"), required=False, max_length=20)
    price_point = forms.TypedChoiceField(
        label=gettext_lazy("Price point"),
        choices=PricePoint.choices,
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={
            "invalid_choice": gettext_lazy(
                "“%(value)s” is not a price point: choose 200 or 500 (USD)."
            )
        },
    )
    opaque = forms.ChoiceField(
        label=gettext_lazy("Providers counted"),
        choices=OPAQUE_CHOICES,
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy(
                "“%(value)s” is not an answer here: write true (count every provider) or false "
                "(only transparent ones)."
            )
        },
    )

    def clean_period(self) -> Period | None:
        raw = self.cleaned_data.get("period")
        if not raw:
            return None
        try:
            return Period.parse(raw)
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from exc

    def selection(self, periods: Iterable[Period] | None = None) -> Selection:
        """The selection asked for; defaults for what is missing or was refused."""
        # The parts that were right count even when another is refused (shown with its
        # message): a bad quarter does not reset the price point.
        data: Mapping[str, Any] = {}
        if self.is_bound:
            self.is_valid()  # fields refused are left out of cleaned_data
            data = self.cleaned_data
        period = data.get("period") or default_period(periods)
        price_point = data.get("price_point") or PricePoint.USD_200
        return Selection(period, int(price_point), data.get("opaque") == "true")
