"""The public remittance calculator: open to anyone, no sign-in (see ``calculator`` for how the
figures are made)."""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from html import escape
from typing import Any

from babel import Locale
from babel.numbers import (
    NumberPattern,
    get_currency_precision,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
    parse_pattern,
)
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from liaison.core.forms import mark_invalid
from liaison.remittances import calculator
from liaison.remittances.forms_calculator import CalculatorForm, corridor_label
from liaison.remittances.models import AccessPoint, Instrument, Pickup, Provider, Speed
from liaison.taxonomy.reference import locale

# CLDR wants a space between a currency symbol ending in a letter and the digits ("F CFA 120,250");
# Babel leaves it out.
_LETTER_THEN_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)")


def _unquote(text: str) -> str:
    """A pattern's literal text as Babel writes it (quotes dropped, '' kept as ')."""
    return re.sub(r"'([^']*)'", lambda m: m.group(1) or "'", text)


class Writer:
    """One CLDR number pattern, ready to write many numbers. Babel's ``NumberPattern.apply``
    looks the locale's symbols up again for every number; for the usual patterns (groups of
    three, a fixed number of decimals) the digits come from Python's own formatting, rounded
    half-even like Babel, with the locale's symbols put in. Other patterns go to Babel."""

    def __init__(self, pattern: NumberPattern, where: Locale) -> None:
        self.pattern, self.locale = pattern, where
        low, high = pattern.frac_prec
        self.fast = (
            pattern.grouping == (3, 3)
            and low == high
            and pattern.int_prec[0] == 1
            and not pattern.exp_prec
            and "@" not in pattern.pattern
        )
        self.spec = f",.{high}f"
        self.symbols = str.maketrans({",": get_group_symbol(where), ".": get_decimal_symbol(where)})
        self.prefix = tuple(_unquote(part) for part in pattern.prefix)
        self.suffix = tuple(_unquote(part) for part in pattern.suffix)

    def __call__(self, value: Decimal) -> str:
        if not self.fast:
            return str(self.pattern.apply(value, self.locale))
        value = value.scaleb(self.pattern.scale)
        sign = int(value.is_signed())
        digits = format(abs(value), self.spec).translate(self.symbols)
        return f"{self.prefix[sign]}{digits}{self.suffix[sign]}"


class Formats:
    """Money, percentages and rates in one locale, by Babel's CLDR patterns, each prepared
    once (for money: with the currency's symbol and decimals in place). Written figure by
    figure with ``format_currency``, a page of a hundred services spent most of its time here;
    the tests check that what is written is what Babel writes."""

    def __init__(self, where: Locale) -> None:
        self.locale = where
        percent = parse_pattern(where.percent_formats[None].pattern)
        percent.frac_prec = (2, 2)
        self._percent = Writer(percent, where)
        rate = parse_pattern(where.decimal_formats[None].pattern)
        rate.frac_prec = (2, 6)
        self._rate = Writer(rate, where)
        self._money: dict[str, Writer] = {}
        self._numbers: dict[Decimal, str] = {}

    def _money_writer(self, currency: str) -> Writer:
        pattern = parse_pattern(self.locale.currency_formats["standard"].pattern)
        symbol = get_currency_symbol(currency, self.locale)
        positive, negative = (part.replace("¤", symbol) for part in pattern.prefix)
        pattern.prefix = (positive, negative)
        positive, negative = (part.replace("¤", symbol) for part in pattern.suffix)
        pattern.suffix = (positive, negative)
        digits = get_currency_precision(currency)
        pattern.frac_prec = (digits, digits)
        return Writer(pattern, self.locale)

    def money(self, amount: Decimal, currency: str) -> str:
        """What ``format_currency(amount, currency, locale)`` writes, with CLDR's space
        between a symbol ending in a letter and the digits."""
        writer = self._money.get(currency)
        if writer is None:
            writer = self._money[currency] = self._money_writer(currency)
        return _LETTER_THEN_DIGIT.sub("\u00a0", writer(amount))

    def percent(self, value: Decimal) -> str:
        """``value`` is in % already (3.0323 for 3.03%)."""
        return self._percent(value.scaleb(-2))

    def number(self, value: Decimal) -> str:
        """An exchange rate (2 to 6 decimals). Rates do not change with the amount typed:
        each is written once per language and kept."""
        written = self._numbers.get(value)
        if written is None:
            if len(self._numbers) > 10_000:
                self._numbers.clear()
            written = self._numbers[value] = self._rate(value)
        return written


@functools.lru_cache(maxsize=16)
def formats_for(language: str) -> Formats:
    return Formats(locale(language))


# One service's card. The list is drawn here rather than by a template loop: a corridor can have
# a hundred services, and Django's template engine, at some 30 variables a card, took longer
# than everything else on the page together. Every value is escaped (``html.escape``, what
# Django's ``escape`` calls) before it goes in.
CARD = """<li class="card mb-3{border}" data-provider="{provider}"><div class="card-body">
<div class="d-flex flex-wrap justify-content-between align-items-start gap-2">
<div class="text-break"><h3 class="h5 mb-1"><span class="badge rounded-pill text-bg-primary me-1">\
<span class="visually-hidden">{l_rank} </span>{rank}</span> {provider}</h3>
<span class="text-body-secondary small">{kind}</span>{badge}</div>
<div class="text-end"><div class="small text-body-secondary">{l_received}</div>
<div class="fs-4 fw-bold received"><bdi>{received}</bdi></div></div>
</div>
<dl class="row small mb-0 mt-2">
<dt class="col-6 col-md-3 col-xl-2">{l_fee}</dt><dd class="col-6 col-md-3 col-xl-2">{fee}</dd>
<dt class="col-6 col-md-3 col-xl-2">{l_margin}</dt><dd class="col-6 col-md-3 col-xl-2">{margin}</dd>
<dt class="col-6 col-md-3 col-xl-2">{l_cost}</dt><dd class="col-6 col-md-3 col-xl-2">{cost}</dd>
<dt class="col-6 col-md-3 col-xl-2">{l_rate}</dt>\
<dd class="col-6 col-md-3 col-xl-2 text-break"><bdi>{rate}</bdi></dd>
<dt class="col-6 col-md-3 col-xl-2">{l_speed}</dt><dd class="col-6 col-md-3 col-xl-2">{speed}</dd>
<dt class="col-6 col-md-3 col-xl-2">{l_instrument}</dt>\
<dd class="col-6 col-md-3 col-xl-2">{instrument}</dd>
<dt class="col-6 col-md-3 col-xl-2">{l_access}</dt><dd class="col-6 col-md-3 col-xl-2">{access}</dd>
<dt class="col-6 col-md-3 col-xl-2">{l_pickup}</dt><dd class="col-6 col-md-3 col-xl-2">{pickup}</dd>
</dl></div></li>
"""


def _labels(choices: type[models.Choices]) -> dict[str, str]:
    """A choice's labels in the reader's language, escaped, once per page (not per card)."""
    return {str(code): escape(str(label)) for code, label in choices.choices}


def cards(comparison: calculator.Comparison, formats: Formats) -> SafeString:
    """The ranked services, one card each, every figure written for the reader's locale."""
    source = comparison.option.source_currency
    destination = comparison.option.destination_currency
    kinds, speeds = _labels(Provider.Kind), _labels(Speed)
    instruments, access_points, pickups = _labels(Instrument), _labels(AccessPoint), _labels(Pickup)
    unknown = escape(_("Not known"))
    rate_text = _("1 %(source)s = %(rate)s %(destination)s")
    not_disclosed = escape(_("Rate not disclosed"))
    badge = f'<span class="badge text-bg-warning ms-1 opaque-badge">{not_disclosed}</span>'
    labels = {
        name: escape(label)
        for name, label in (
            ("l_rank", _("Rank")),
            ("l_received", _("Amount received")),
            ("l_fee", _("Fee")),
            ("l_margin", _("FX margin")),
            ("l_cost", _("Total cost")),
            ("l_rate", _("Exchange rate")),
            ("l_speed", _("Speed")),
            ("l_instrument", _("Payment by")),
            ("l_access", _("Sent from")),
            ("l_pickup", _("Received as")),
        )
    }
    html = "".join(
        CARD.format(
            border="" if quote.transparent else " border-warning",
            badge="" if quote.transparent else badge,
            rank=rank,
            provider=escape(quote.provider_name),
            kind=kinds.get(quote.provider_kind) or escape(quote.provider_kind),
            received=escape(formats.money(quote.amount_received, destination)),
            fee=escape(formats.money(quote.fee, source)),
            margin=escape(formats.percent(quote.fx_margin)),
            cost=escape(formats.percent(quote.total_cost)),
            rate=escape(
                rate_text
                % {"source": source, "rate": formats.number(quote.rate), "destination": destination}
            ),
            speed=speeds.get(quote.speed, unknown),
            instrument=instruments.get(quote.instrument) or escape(quote.instrument),
            access=access_points.get(quote.access_point) or escape(quote.access_point),
            pickup=pickups.get(quote.pickup, unknown),
            **labels,
        )
        for rank, quote in enumerate(comparison.quotes, start=1)
    )
    return mark_safe(html)  # noqa: S308 (every value escaped above)


def _toggle_query(request: HttpRequest, opaque: bool) -> str:
    """The same comparison with the providers that do not disclose their rate shown (or not)."""
    query = request.GET.copy()
    query.pop("opaque", None)
    if not opaque:
        query["opaque"] = "1"
    return query.urlencode()


def calculator_page(request: HttpRequest) -> HttpResponse:
    options = calculator.corridor_options()
    asked = bool(request.GET.keys() & {"corridor", "amount"})
    form = CalculatorForm(request.GET if asked else None, options=options)
    formats = formats_for(translation.get_language() or "")
    context: dict[str, Any] = {"form": form, "has_corridors": bool(options)}
    if asked and form.is_valid():
        option, amount = form.option, form.cleaned_data["amount"]
        try:
            comparison = calculator.compare(option, amount, opaque=form.cleaned_data["opaque"])
        except calculator.AmountTooLarge as refused:
            form.add_error(
                "amount",
                _(
                    "Enter at most %(limit)s: the prices compared are those of sending about "
                    "USD 200 and USD 500."
                )
                % {"limit": formats.money(refused.limit, option.source_currency)},
            )
        else:
            context.update(
                comparison=comparison,
                cards=cards(comparison, formats),
                corridor=corridor_label(option),
                amount=formats.money(amount, option.source_currency),
                quarter=_("%(year)s Q%(quarter)s")
                % {"year": comparison.period.year, "quarter": comparison.period.quarter}
                if comparison.period
                else "",
                collected_on=date_format(comparison.collected_on)
                if comparison.collected_on
                else "",
                toggle_query=_toggle_query(request, comparison.opaque),
            )
    mark_invalid(form)
    return render(request, "remittances/calculator/page.html", context)
