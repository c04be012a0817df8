"""The public remittance calculator: what each service in a corridor delivers for the amount a
sender types, ranked by what the receiver gets.

How the figures are made (the page says the same in plain words):

- The amount typed is what the sender pays in all, fee included. The receiver gets
  (amount - fee) x the rate applied. RPW adds the fee on top of the amount sent instead; a
  sender comparing offers knows what they can spend, so this is the question answered here.
- The data is the corridor's latest quarter with verified observations
  (``Observation.objects.counted(opaque=True)``: pending and rejected ones never count). The
  quarter does not depend on the transparency toggle, which only adds rows.
- A service is one provider's product: provider + payment instrument + access point + pickup.
  Its fee at the amount typed is interpolated linearly between its fees at the USD 200 and
  USD 500 price points (placed at their local-currency amounts); below the lower point or
  above the higher one, the nearer point's fee; with one point observed, that point's fee.
  The rate applied (with the interbank rate and the speed) is the nearer point's, the lower
  price point on a tie: rates are quoted, not interpolated.
- FX margin and total cost are ``costs.cost(amount - fee, fee, rate, interbank)``: RPW's
  definitions, with the amount converted as the amount sent.
- Ranking: amount received, highest first; then total cost, lowest first; then the
  provider's name (so equal offers always come in the same order).
- A service that does not disclose its rate (any of its observations says so) is left out
  unless asked for, and counted so the page can say how many were left out. A service whose
  fee at the amount reaches the amount itself is left out too (nothing would arrive), and
  counted.
- An amount above the equivalent of USD 1,000,000 (at the quarter's price points) is refused:
  prices observed for USD 200 and USD 500 say nothing about such sums, and a fixed ceiling in
  the sending currency would refuse ordinary transfers in won or pesos.

The list of corridors offered (those with verified observations, each with its latest quarter
of verified prices) is cached, so that the page reads the prices of a known quarter in one
simple query; if that quarter has no verified price left, the database is asked which quarter
is the latest (a second query). Saving or deleting an observation, a corridor or a provider
forgets the list (the receivers below, connected by the app's ``ready``), and so do the writes
that send no signal (an officer's verification, the RPW import, demo prices:
``forget_corridors``); any other such write shows within ``CACHE_SECONDS``.

Each list carries a new ``generation`` token, and each process keeps the prices it read for a
corridor's quarter under that token (``_kept_points``: the first page under a new token empties
what the process kept, so it holds one list's prices at most). Forgetting the list
therefore forgets the prices too, in every process that shares the cache (the database cache
in production): the next list has a new token, so no process reuses prices read under the old
one. With the list cached, a page then asks the database nothing but the cache.
"""

from __future__ import annotations

import datetime
import functools
import math
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal
from typing import Any, NamedTuple

from django.core.cache import cache
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.models.signals import post_delete, post_save

from liaison.remittances import costs
from liaison.remittances.models import Corridor, Observation, Provider
from liaison.remittances.periods import Period

CACHE_KEY = "remittances:calculator:corridors:v2"
CACHE_SECONDS = 60  # an upper bound on staleness where no signal reaches the cache
USD_CEILING = Decimal(1_000_000)


class AmountTooLarge(Exception):
    """The amount is above the equivalent of ``USD_CEILING``; ``limit`` is in the sending
    currency, rounded down to two significant figures."""

    def __init__(self, limit: Decimal) -> None:
        super().__init__(str(limit))
        self.limit = limit


@dataclass(frozen=True)
class CorridorOption:
    """A corridor the calculator offers, without its names (they depend on the language)."""

    pk: int
    source_country: str
    source_currency: str
    destination_country: str
    destination_currency: str
    latest: Period  # its latest quarter with verified prices, when the list was made
    generation: str  # the list's token: prices read under it are forgotten with it

    @property
    def key(self) -> str:
        """How the corridor is written in the page's URL: ``FR-EUR-SN-XOF``."""
        return (
            f"{self.source_country}-{self.source_currency}-"
            f"{self.destination_country}-{self.destination_currency}"
        )


class Point(NamedTuple):
    """One verified observation, as much of it as the comparison needs (read as a tuple:
    no model instances to build)."""

    provider_id: int
    provider_name: str
    provider_kind: str
    price_point: int
    amount_sent: Decimal
    fee: Decimal
    exchange_rate: Decimal
    interbank_rate: Decimal
    speed: str
    instrument: str
    access_point: str
    pickup: str
    transparent: bool
    collected_on: datetime.date
    year: int
    quarter: int


POINT_FIELDS = (
    "provider_id",
    "provider__name",
    "provider__kind",
    "price_point",
    "amount_sent",
    "fee",
    "exchange_rate",
    "interbank_rate",
    "speed",
    "instrument",
    "access_point",
    "pickup",
    "transparent",
    "collected_on",
    "year",
    "quarter",
)


class Quote(NamedTuple):
    """What one service delivers for the amount typed. Its speed comes from the nearer price
    point's observation, like its rate. (A tuple: a hundred are made per page.)"""

    provider_name: str
    provider_kind: str  # Provider.Kind
    instrument: str  # Instrument
    access_point: str  # AccessPoint
    pickup: str  # Pickup
    speed: str  # Speed, or "" when not known
    transparent: bool
    fee: Decimal  # sending currency
    rate: Decimal  # receiving currency per unit of the sending currency
    fx_margin: Decimal  # %
    total_cost: Decimal  # %
    amount_received: Decimal  # receiving currency


@dataclass(frozen=True)
class Comparison:
    option: CorridorOption
    amount: Decimal
    opaque: bool  # whether services that do not disclose their rate are included
    period: Period | None  # None: no verified observation in the corridor
    collected_on: datetime.date | None  # the latest among the services listed
    quotes: list[Quote]
    opaque_left_out: int  # services left out because they do not disclose their rate
    fee_too_high: int  # services whose fee reaches the amount itself


# --- the corridors offered ---------------------------------------------------------------------


def corridor_options() -> list[CorridorOption]:
    """The corridors with at least one verified observation, each with its latest quarter of
    verified prices, from the cache when there."""
    found = cache.get(CACHE_KEY)
    if isinstance(found, list):
        return found
    latest = (
        Observation.objects.counted(opaque=True)
        .filter(corridor=OuterRef("pk"))
        .order_by("-year", "-quarter")
    )
    rows = (
        Corridor.objects.annotate(
            latest_year=Subquery(latest.values("year")[:1]),
            latest_quarter=Subquery(latest.values("quarter")[:1]),
        )
        .filter(latest_year__isnull=False)
        .order_by("pk")
        .values_list(
            "pk",
            "source_country",
            "source_currency",
            "destination_country",
            "destination_currency",
            "latest_year",
            "latest_quarter",
        )
    )
    generation = uuid.uuid4().hex
    options = [
        CorridorOption(*row[:5], latest=Period(row[5], row[6]), generation=generation)
        for row in rows
    ]
    cache.set(CACHE_KEY, options, CACHE_SECONDS)
    return options


def forget_corridors(using: str = "default", **_kwargs: Any) -> None:
    """Drop the cached corridor list once the write is committed (at once outside a
    transaction). Not before: other processes cannot see the write until then, and with the
    cache in the database a delete inside a long import's transaction would hold the cache's
    row, and every page reading it, until the commit."""
    transaction.on_commit(lambda: cache.delete(CACHE_KEY), using=using)


# A provider's name and type are shown with its prices.
for _model in (Observation, Corridor, Provider):
    post_save.connect(
        forget_corridors, sender=_model, dispatch_uid=f"calculator-save-{_model.__name__}"
    )
    post_delete.connect(
        forget_corridors, sender=_model, dispatch_uid=f"calculator-delete-{_model.__name__}"
    )


# --- the comparison ----------------------------------------------------------------------------


def compare(option: CorridorOption, amount: Decimal, *, opaque: bool = False) -> Comparison:
    """The services of ``option``'s corridor ranked by what arrives when the sender pays
    ``amount`` (fee included). One query, none when this process has read the quarter's
    prices under the same corridor list, two when the quarter the option knows has lost its
    prices since. Raises ``AmountTooLarge``."""
    points = _kept_points(option.generation, option.pk, option.latest) or _points(option.pk, None)
    if not points:
        return Comparison(option, amount, opaque, None, None, [], 0, 0)
    _check_ceiling(amount, points)

    services: dict[tuple[int, str, str, str], list[Point]] = defaultdict(list)
    for point in points:
        services[(point.provider_id, point.instrument, point.access_point, point.pickup)].append(
            point
        )
    quotes: list[Quote] = []
    shown: list[Point] = []
    opaque_left_out = fee_too_high = 0
    for service in services.values():
        transparent = all(p.transparent for p in service)
        if not transparent and not opaque:
            opaque_left_out += 1
            continue
        quote = _quote(amount, service, transparent)
        if quote is None:
            fee_too_high += 1
            continue
        quotes.append(quote)
        shown.extend(service)
    quotes.sort(
        key=lambda q: (
            -q.amount_received,
            q.total_cost,
            q.provider_name.casefold(),
            q.instrument,
            q.access_point,
            q.pickup,
        )
    )
    return Comparison(
        option=option,
        amount=amount,
        opaque=opaque,
        period=Period(points[0].year, points[0].quarter),
        collected_on=max((p.collected_on for p in shown), default=None),
        quotes=quotes,
        opaque_left_out=opaque_left_out,
        fee_too_high=fee_too_high,
    )


_kept_generation = ""


def _kept_points(generation: str, corridor: int, period: Period) -> tuple[Point, ...]:
    """``_points`` kept in this process under the corridor list's token (see the module's
    docstring): a new list, a new token, the prices read again."""
    global _kept_generation
    if generation != _kept_generation:
        _quarter_points.cache_clear()
        _kept_generation = generation
    return _quarter_points(generation, corridor, period)


@functools.lru_cache(maxsize=256)  # corridors; a country's office follows a few dozen
def _quarter_points(generation: str, corridor: int, period: Period) -> tuple[Point, ...]:
    return _points(corridor, period)


def _points(corridor: int, period: Period | None) -> tuple[Point, ...]:
    """The verified observations of ``corridor`` in ``period``, or, without one, in its latest
    quarter with any (asked of the database in the same query)."""
    verified = Observation.objects.counted(opaque=True).filter(corridor_id=corridor)
    if period is None:
        latest = verified.order_by("-year", "-quarter")
        verified = verified.filter(
            year=Subquery(latest.values("year")[:1]),
            quarter=Subquery(latest.values("quarter")[:1]),
        )
    else:
        verified = verified.in_period(period)
    return tuple(Point._make(row) for row in verified.order_by().values_list(*POINT_FIELDS))


def fee_at(amount: Decimal, points: list[Point]) -> Decimal:
    """The fee at ``amount``: linear between the price points' (local amount, fee), the nearer
    point's outside them."""
    low, *rest = sorted(points, key=lambda p: (p.amount_sent, p.price_point))
    high = rest[-1] if rest else low
    if amount <= low.amount_sent:
        fee = low.fee
    elif amount >= high.amount_sent:
        fee = high.fee
    else:
        share = (amount - low.amount_sent) / (high.amount_sent - low.amount_sent)
        fee = low.fee + (high.fee - low.fee) * share
    return fee.quantize(costs.CENTS, ROUND_HALF_EVEN)


def nearer(amount: Decimal, points: list[Point]) -> Point:
    """The price point whose local amount is nearer ``amount`` (the lower point on a tie)."""
    return min(points, key=lambda p: (abs(amount - p.amount_sent), p.price_point))


def _quote(amount: Decimal, points: list[Point], transparent: bool) -> Quote | None:
    fee = fee_at(amount, points)
    if fee >= amount:
        return None
    point = nearer(amount, points)
    cost = costs.cost(amount - fee, fee, point.exchange_rate, point.interbank_rate)
    return Quote(
        provider_name=point.provider_name,
        provider_kind=point.provider_kind,
        instrument=point.instrument,
        access_point=point.access_point,
        pickup=point.pickup,
        speed=point.speed,
        transparent=transparent,
        fee=fee,
        rate=point.exchange_rate,
        fx_margin=cost.fx_margin,
        total_cost=cost.total_cost,
        amount_received=cost.amount_received,
    )


def _check_ceiling(amount: Decimal, points: Sequence[Point]) -> None:
    """Refuse an amount above the equivalent of ``USD_CEILING`` at the quarter's most generous
    price point (the most local currency per US dollar)."""
    per_usd = max(p.amount_sent / p.price_point for p in points)
    ceiling = USD_CEILING * per_usd
    if amount > ceiling:
        raise AmountTooLarge(_two_figures(ceiling))


def _two_figures(value: Decimal) -> Decimal:
    """``value`` rounded down to two significant figures: 925,000 -> 920,000."""
    if value < 10:
        return value.quantize(costs.CENTS, ROUND_DOWN)
    step = Decimal(10) ** (math.floor(math.log10(value)) - 1)
    return (value / step).to_integral_value(ROUND_DOWN) * step
