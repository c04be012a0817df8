"""The cost of a transfer, exactly as the World Bank's Remittance Prices Worldwide (RPW) counts
it, at a price point (the local-currency equivalent of USD 200 or USD 500):

- FX margin % = (interbank rate - rate applied) / interbank rate x 100;
- total cost % = fee / amount sent x 100 + FX margin %;
- amount received = amount sent x rate applied (RPW's fee is paid on top of the amount sent).

Rates are units of the receiving currency for one unit of the sending currency. Percentages
are kept to four decimals, amounts to two, rounded half-even like RPW's published figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

PERCENT = Decimal("0.0001")
CENTS = Decimal("0.01")
HUNDRED = Decimal(100)
# SDG 10.c: a global average below 3% and no corridor above 5%.
SDG_GLOBAL_TARGET = Decimal(3)
SDG_CORRIDOR_CEILING = Decimal(5)


@dataclass(frozen=True)
class Cost:
    fx_margin: Decimal  # %
    total_cost: Decimal  # %
    amount_received: Decimal  # receiving currency


def _margin(interbank_rate: Decimal, rate_applied: Decimal) -> Decimal:
    return (interbank_rate - rate_applied) / interbank_rate * HUNDRED


def fx_margin(interbank_rate: Decimal, rate_applied: Decimal) -> Decimal:
    """The FX margin in % of the interbank rate (negative when the rate applied beats it)."""
    return _margin(interbank_rate, rate_applied).quantize(PERCENT, ROUND_HALF_EVEN)


def cost(
    amount_sent: Decimal, fee: Decimal, rate_applied: Decimal, interbank_rate: Decimal
) -> Cost:
    """The RPW cost of sending ``amount_sent`` for ``fee`` (both in the sending currency)."""
    margin = _margin(interbank_rate, rate_applied)
    total = fee / amount_sent * HUNDRED + margin
    return Cost(
        margin.quantize(PERCENT, ROUND_HALF_EVEN),
        total.quantize(PERCENT, ROUND_HALF_EVEN),
        (amount_sent * rate_applied).quantize(CENTS, ROUND_HALF_EVEN),
    )
