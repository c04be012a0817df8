"""Demo remittance prices: the corridors from the main host countries of the demo diaspora to
its country of origin, fictitious providers of every kind, eight quarters of prices at both
price points, a few providers that do not disclose their rate, and two providers' reports
waiting for verification. Deterministic for a seed; only for demos and tests.

Exchange rates are rounded figures of late 2026 against the US dollar, enough for plausible
prices; nothing here is a real provider's price.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import get_territory_currencies
from django.db import transaction

from liaison.remittances.calculator import forget_corridors
from liaison.remittances.models import (
    AccessPoint,
    Corridor,
    Instrument,
    Observation,
    Pickup,
    PricePoint,
    Provider,
    Speed,
)
from liaison.remittances.periods import Period

# Units of each currency for one US dollar (rounded).
PER_USD = {
    "USD": Decimal("1"),
    "EUR": Decimal("0.92"),
    "GBP": Decimal("0.79"),
    "CAD": Decimal("1.38"),
    "AUD": Decimal("1.52"),
    "NZD": Decimal("1.66"),
    "JPY": Decimal("151"),
    "SAR": Decimal("3.75"),
    "AED": Decimal("3.6725"),
    "KWD": Decimal("0.307"),
    "QAR": Decimal("3.64"),
    "SGD": Decimal("1.34"),
    "HKD": Decimal("7.8"),
    "MYR": Decimal("4.45"),
    "CHF": Decimal("0.88"),
    "PHP": Decimal("58.5"),
    "MAD": Decimal("9.9"),
    "XOF": Decimal("603.5"),
    "INR": Decimal("84"),
    "MXN": Decimal("19.6"),
}

PROVIDERS = (
    ("Harbour Savings Bank", Provider.Kind.BANK),
    ("Continental Trust Bank", Provider.Kind.BANK),
    ("SwiftSend Money Transfer", Provider.Kind.MONEY_TRANSFER_OPERATOR),
    ("Kinship Remit", Provider.Kind.MONEY_TRANSFER_OPERATOR),
    ("GlobeCash Express", Provider.Kind.MONEY_TRANSFER_OPERATOR),
    ("Padala Plus", Provider.Kind.MONEY_TRANSFER_OPERATOR),
    ("TalkPay Mobile", Provider.Kind.MOBILE_OPERATOR),
    ("National Post Money Orders", Provider.Kind.POST_OFFICE),
    ("Nimbus Transfer", Provider.Kind.FINTECH),
    ("Lumen Wallet", Provider.Kind.FINTECH),
    ("Corner Exchange House", Provider.Kind.OTHER),
)

# (instrument, access point, pickup, speed) a kind of provider typically offers.
PRODUCTS: dict[str, list[tuple[Instrument, AccessPoint, Pickup, Speed]]] = {
    Provider.Kind.BANK: [
        (Instrument.BANK_ACCOUNT, AccessPoint.BRANCH, Pickup.BANK_ACCOUNT, Speed.TWO_DAYS),
        (Instrument.BANK_ACCOUNT, AccessPoint.INTERNET, Pickup.BANK_ACCOUNT, Speed.NEXT_DAY),
    ],
    Provider.Kind.MONEY_TRANSFER_OPERATOR: [
        (Instrument.CASH, AccessPoint.AGENT, Pickup.CASH, Speed.LESS_THAN_ONE_HOUR),
        (Instrument.DEBIT_CARD, AccessPoint.INTERNET, Pickup.CASH, Speed.SAME_DAY),
    ],
    Provider.Kind.MOBILE_OPERATOR: [
        (
            Instrument.MOBILE_MONEY,
            AccessPoint.MOBILE_PHONE,
            Pickup.MOBILE_WALLET,
            Speed.SAME_DAY,
        ),
    ],
    Provider.Kind.POST_OFFICE: [
        (Instrument.CASH, AccessPoint.BRANCH, Pickup.CASH, Speed.THREE_TO_FIVE_DAYS),
    ],
    Provider.Kind.FINTECH: [
        (Instrument.DEBIT_CARD, AccessPoint.MOBILE_PHONE, Pickup.MOBILE_WALLET, Speed.SAME_DAY),
        (Instrument.BANK_ACCOUNT, AccessPoint.INTERNET, Pickup.BANK_ACCOUNT, Speed.NEXT_DAY),
    ],
    Provider.Kind.OTHER: [
        (Instrument.CASH, AccessPoint.BRANCH, Pickup.HOME_DELIVERY, Speed.SIX_DAYS_OR_MORE),
    ],
}
# A kind's usual fee (share of USD 200, %) and FX margin (%), before each provider's own twist.
TYPICAL = {
    Provider.Kind.BANK: (Decimal("5.5"), Decimal("3.5")),
    Provider.Kind.MONEY_TRANSFER_OPERATOR: (Decimal("3.0"), Decimal("2.5")),
    Provider.Kind.MOBILE_OPERATOR: (Decimal("1.5"), Decimal("2.0")),
    Provider.Kind.POST_OFFICE: (Decimal("3.5"), Decimal("3.0")),
    Provider.Kind.FINTECH: (Decimal("1.0"), Decimal("0.8")),
    Provider.Kind.OTHER: (Decimal("4.0"), Decimal("4.5")),
}
NOT_TRANSPARENT = frozenset({"Corner Exchange House", "Continental Trust Bank"})
QUARTERS = 8
FORTY_DAYS = datetime.timedelta(days=40)
LARGER = Decimal("1.3")  # the fee at USD 500 against the one at USD 200


@dataclass
class Result:
    providers: int
    corridors: int
    observations: int
    pending: int


def currency_of(country: str) -> str | None:
    """The currency a country uses today (Babel's CLDR data), if Liaison has a rate for it."""
    for code in get_territory_currencies(country, datetime.date(2026, 1, 1)):
        if code in PER_USD:
            return code
    return None


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP)


def _rate(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.000001"), ROUND_HALF_UP)


@transaction.atomic
def seed(origin: str, hosts: list[str], *, today: datetime.date, seed: int = 1) -> Result:
    """Prices from each of ``hosts`` to ``origin`` for the eight quarters up to ``today``'s."""
    rng = random.Random(seed)
    receiving = currency_of(origin)
    if receiving is None:
        return Result(0, 0, 0, 0)
    providers = [
        Provider.objects.get_or_create(name=name, defaults={"kind": kind})[0]
        for name, kind in PROVIDERS
    ]
    last = Period.of(today)
    periods = []
    year, quarter = last.year, last.quarter
    for _ in range(QUARTERS):
        periods.append(Period(year, quarter))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    corridors = 0
    rows: list[Observation] = []
    pending = 0
    for host in hosts:
        sending = currency_of(host)
        if sending is None or host == origin:
            continue
        corridor, _created = Corridor.objects.get_or_create(
            source_country=host,
            source_currency=sending,
            destination_country=origin,
            destination_currency=receiving,
        )
        corridors += 1
        offering = rng.sample(providers, k=rng.randint(6, len(providers)))
        interbank_now = PER_USD[receiving] / PER_USD[sending]
        for provider in offering:
            fee_share, margin = TYPICAL[Provider.Kind(provider.kind)]
            twist = Decimal(rng.randint(70, 140)) / 100
            for instrument, access, pickup, speed in PRODUCTS[Provider.Kind(provider.kind)]:
                for age, period in enumerate(periods):
                    # Prices fall slowly: older quarters cost up to ~15% more.
                    drift = 1 + Decimal(age) * Decimal("0.02")
                    interbank = _rate(interbank_now * (1 + Decimal(rng.randint(-30, 30)) / 1000))
                    fee_200 = Decimal(200) * PER_USD[sending] * fee_share * twist * drift / 100
                    applied = _rate(interbank * (1 - margin * twist * drift / 100))
                    for point in PricePoint:
                        rows.append(
                            Observation(
                                corridor=corridor,
                                provider=provider,
                                year=period.year,
                                quarter=period.quarter,
                                price_point=point.value,
                                amount_sent=_money(Decimal(point.value) * PER_USD[sending]),
                                # A fee is mostly fixed: a smaller share of the larger amount.
                                fee=_money(
                                    fee_200 * (1 if point == PricePoint.USD_200 else LARGER)
                                ),
                                exchange_rate=applied,
                                interbank_rate=interbank,
                                speed=speed,
                                instrument=instrument,
                                access_point=access,
                                pickup=pickup,
                                transparent=provider.name not in NOT_TRANSPARENT,
                                source=Observation.Source.SURVEY,
                                status=Observation.Status.VERIFIED,
                                collected_on=min(today, period.starts + FORTY_DAYS),
                            )
                        )
    # Two prices of the newest quarter come as providers' reports, not yet checked.
    newest = [row for row in rows if (row.year, row.quarter) == (last.year, last.quarter)]
    for row in rng.sample(newest, k=min(2, len(newest))):
        row.source = Observation.Source.PROVIDER_REPORT
        row.status = Observation.Status.PENDING
        pending += 1
    for row in rows:
        row.compute()
    Observation.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    forget_corridors()
    return Result(len(providers), corridors, len(rows), pending)
