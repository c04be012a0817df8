"""Remittance prices, kept the way the World Bank's Remittance Prices Worldwide (RPW) keeps them.

A *provider* (bank, money transfer operator, mobile operator, post office, fintech ...) offers
services in *corridors* (sending country and currency to receiving country and currency). An
*observation* is the price of one service (a provider's product: how the sender pays, where,
and how the money is picked up) in one corridor, in one quarter, at one price point: the
local-currency equivalent of USD 200 or USD 500. Its FX margin, total cost and amount received
are computed by ``costs.cost`` whenever it is saved, never typed in.

Observations come from RPW workbooks (``source=import``), from officers' own collection
(mystery shopping, ``source=survey``) and from providers' reports, which count only once an
officer has verified them (``status``). The World Bank's published corridor averages of earlier
years are kept as *history* (``CorridorHistory``), and its bilateral remittance estimates as
the weights of the weighted average (``RemittanceFlow``).
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from liaison.core.validators import no_markup
from liaison.remittances import costs
from liaison.remittances.periods import FIRST_YEAR, LAST_YEAR, Period
from liaison.taxonomy.reference import currency_code


def new_report_token() -> str:
    return secrets.token_urlsafe(24)


class Provider(models.Model):
    class Kind(models.TextChoices):
        BANK = "bank", _("Bank")
        MONEY_TRANSFER_OPERATOR = "mto", _("Money transfer operator")
        MOBILE_OPERATOR = "mobile_operator", _("Mobile operator")
        POST_OFFICE = "post_office", _("Post office")
        FINTECH = "fintech", _("Fintech")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, validators=[no_markup])
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    website = models.URLField(_("website"), blank=True)
    # The secret part of the link a provider reports its prices through (``services``).
    report_token = models.CharField(
        max_length=64, unique=True, default=new_report_token, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    audit_redact = ("report_token",)

    class Meta:
        verbose_name = _("provider")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="remittance_provider_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Corridor(models.Model):
    source_country = CountryField(_("sending country"))
    source_currency = models.CharField(
        _("sending currency"), max_length=3, validators=[currency_code]
    )
    destination_country = CountryField(_("receiving country"))
    destination_currency = models.CharField(
        _("receiving currency"), max_length=3, validators=[currency_code]
    )

    class Meta:
        verbose_name = _("corridor")
        ordering = ["source_country", "destination_country", "source_currency"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "source_country",
                    "source_currency",
                    "destination_country",
                    "destination_currency",
                ],
                name="remittance_corridor_unique",
            ),
            models.CheckConstraint(
                condition=~models.Q(source_country=models.F("destination_country")),
                name="remittance_corridor_two_countries",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.source_country.name} ({self.source_currency}) → "
            f"{self.destination_country.name} ({self.destination_currency})"
        )


class Speed(models.TextChoices):
    """How long the money takes to arrive (RPW's "speed actual")."""

    LESS_THAN_ONE_HOUR = "lt1h", _("Less than one hour")
    SAME_DAY = "same_day", _("Same day")
    NEXT_DAY = "next_day", _("Next day")
    TWO_DAYS = "2_days", _("2 days")
    THREE_TO_FIVE_DAYS = "3_5_days", _("3 to 5 days")
    SIX_DAYS_OR_MORE = "6_days", _("6 days or more")


# Speeds of 5 days or less (SmaRT's second condition).
WITHIN_FIVE_DAYS = frozenset(set(Speed) - {Speed.SIX_DAYS_OR_MORE})


class Instrument(models.TextChoices):
    """How the sender pays (RPW's "payment instrument")."""

    CASH = "cash", _("Cash")
    BANK_ACCOUNT = "account", _("Bank account")
    DEBIT_CARD = "debit_card", _("Debit card")
    CREDIT_CARD = "credit_card", _("Credit card")
    MOBILE_MONEY = "mobile_money", _("Mobile money")
    OTHER = "other", _("Other")


class AccessPoint(models.TextChoices):
    """Where the sender sends from (RPW's "access point")."""

    BRANCH = "branch", _("Branch")
    AGENT = "agent", _("Agent")
    INTERNET = "internet", _("Internet")
    MOBILE_PHONE = "mobile_phone", _("Mobile phone")
    CALL_CENTRE = "call_centre", _("Call centre")
    OTHER = "other", _("Other")


class Pickup(models.TextChoices):
    """How the money reaches the receiver."""

    UNKNOWN = "", _("Not known")
    CASH = "cash", _("Cash pickup")
    BANK_ACCOUNT = "account", _("Bank account")
    MOBILE_WALLET = "mobile_wallet", _("Mobile wallet")
    HOME_DELIVERY = "home_delivery", _("Home delivery")
    OTHER = "other", _("Other")


# SmaRT's third condition, "accessible": the sender need not hold a bank account (cash, a
# card or mobile money at a branch, an agent, a phone or online) and the receiver can collect
# without one either (cash, a mobile wallet, home delivery, or a pickup not recorded).
ACCESSIBLE_INSTRUMENTS = frozenset(
    {Instrument.CASH, Instrument.DEBIT_CARD, Instrument.CREDIT_CARD, Instrument.MOBILE_MONEY}
)
ACCESSIBLE_PICKUPS = frozenset(
    {Pickup.UNKNOWN, Pickup.CASH, Pickup.MOBILE_WALLET, Pickup.HOME_DELIVERY}
)


class PricePoint(models.IntegerChoices):
    USD_200 = 200, _("USD 200")
    USD_500 = 500, _("USD 500")


class ObservationQuerySet(models.QuerySet["Observation"]):
    def counted(self, *, opaque: bool = False) -> ObservationQuerySet:
        """The observations that enter averages and rankings: verified ones, and (unless
        ``opaque``) only from providers transparent about their exchange rate."""
        qs = self.filter(status=Observation.Status.VERIFIED)
        return qs if opaque else qs.filter(transparent=True)

    def smart(self) -> ObservationQuerySet:
        """The services that qualify for SmaRT (``Observation.smart``, as a filter)."""
        return self.filter(
            transparent=True,
            speed__in=sorted(WITHIN_FIVE_DAYS),
            instrument__in=sorted(ACCESSIBLE_INSTRUMENTS),
            pickup__in=sorted(ACCESSIBLE_PICKUPS),
        )

    def in_period(self, period: Period) -> ObservationQuerySet:
        return self.filter(year=period.year, quarter=period.quarter)


# What makes two observations the same one (refused twice; a rejected report does not stand in
# the way of its correction).
OBSERVATION_IDENTITY = (
    "corridor",
    "provider",
    "year",
    "quarter",
    "price_point",
    "instrument",
    "access_point",
    "pickup",
)


class Observation(models.Model):
    """The price of one service in one corridor, quarter and price point."""

    class Source(models.TextChoices):
        SURVEY = "survey", _("Survey (mystery shopping)")
        PROVIDER_REPORT = "provider_report", _("Provider report")
        IMPORT = "import", _("Import (RPW workbook)")

    class Status(models.TextChoices):
        VERIFIED = "verified", _("Verified")
        PENDING = "pending", _("Waiting for verification")
        REJECTED = "rejected", _("Rejected")

    corridor = models.ForeignKey(
        Corridor, on_delete=models.PROTECT, related_name="observations", verbose_name=_("corridor")
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="observations", verbose_name=_("provider")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    price_point = models.PositiveSmallIntegerField(_("price point"), choices=PricePoint.choices)
    amount_sent = models.DecimalField(
        _("amount sent (sending currency)"), max_digits=16, decimal_places=2
    )
    fee = models.DecimalField(_("transfer fee (sending currency)"), max_digits=16, decimal_places=2)
    exchange_rate = models.DecimalField(
        _("exchange rate applied"), max_digits=24, decimal_places=10
    )
    interbank_rate = models.DecimalField(
        _("interbank reference rate"), max_digits=24, decimal_places=10
    )
    fx_margin = models.DecimalField(_("FX margin (%)"), max_digits=9, decimal_places=4)
    total_cost = models.DecimalField(_("total cost (%)"), max_digits=9, decimal_places=4)
    amount_received = models.DecimalField(
        _("amount received (receiving currency)"), max_digits=24, decimal_places=2
    )
    speed = models.CharField(_("speed"), max_length=10, choices=Speed.choices, blank=True)
    instrument = models.CharField(
        _("payment instrument"), max_length=20, choices=Instrument.choices
    )
    access_point = models.CharField(_("access point"), max_length=20, choices=AccessPoint.choices)
    pickup = models.CharField(
        _("pickup method"), max_length=20, choices=Pickup.choices, blank=True, default=""
    )
    transparent = models.BooleanField(
        _("transparent about the exchange rate"),
        default=True,
        help_text=_("Whether the provider tells the sender the rate and the fee before paying."),
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.VERIFIED
    )
    collected_on = models.DateField(_("date collected"))
    note = models.TextField(_("note"), blank=True, validators=[no_markup])
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ObservationQuerySet.as_manager()

    class Meta:
        verbose_name = _("price observation")
        ordering = ["-year", "-quarter", "corridor", "provider", "price_point"]
        constraints = [
            models.UniqueConstraint(
                fields=list(OBSERVATION_IDENTITY),
                condition=~models.Q(status="rejected"),
                name="remittance_observation_once",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_sent__gt=0)
                & models.Q(fee__gte=0)
                & models.Q(exchange_rate__gt=0)
                & models.Q(interbank_rate__gt=0),
                name="remittance_observation_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4),
                name="remittance_observation_quarter",
            ),
        ]
        indexes = [
            models.Index(fields=["corridor", "year", "quarter"]),
            models.Index(fields=["year", "quarter", "status", "transparent"]),
        ]

    def __str__(self) -> str:
        return f"{self.provider} · {self.corridor} · {self.period} · USD {self.price_point}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.compute()
        super().save(*args, **kwargs)

    @property
    def period(self) -> Period:
        return Period(self.year, self.quarter)

    @property
    def smart(self) -> bool:
        """Whether the service qualifies for SmaRT (at USD 200): transparent, arriving in 5
        days or less, and accessible."""
        return (
            self.transparent
            and self.speed in WITHIN_FIVE_DAYS
            and self.instrument in ACCESSIBLE_INSTRUMENTS
            and self.pickup in ACCESSIBLE_PICKUPS
        )

    def compute(self) -> None:
        """Set the FX margin, total cost and amount received from the figures observed."""
        cost = costs.cost(
            Decimal(self.amount_sent),
            Decimal(self.fee),
            Decimal(self.exchange_rate),
            Decimal(self.interbank_rate),
        )
        self.fx_margin, self.total_cost, self.amount_received = (
            cost.fx_margin,
            cost.total_cost,
            cost.amount_received,
        )


class CorridorHistory(models.Model):
    """A corridor's average total cost of sending USD 200 in one quarter as the World Bank
    published it (DataBank series ATCR.CORR): the history before Liaison's own observations.
    DataBank corridors are country pairs, without currencies."""

    source_country = CountryField(_("sending country"))
    destination_country = CountryField(_("receiving country"))
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    total_cost = models.DecimalField(_("average total cost (%)"), max_digits=9, decimal_places=4)
    source = models.CharField(_("source"), max_length=100, default="World Bank DataBank")

    class Meta:
        verbose_name = _("corridor average (history)")
        verbose_name_plural = _("corridor averages (history)")
        ordering = ["year", "quarter", "source_country", "destination_country"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_country", "destination_country", "year", "quarter"],
                name="remittance_history_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_country} → {self.destination_country} {self.period}"

    @property
    def period(self) -> Period:
        return Period(self.year, self.quarter)


class RemittanceFlow(models.Model):
    """The World Bank's estimate of what was remitted from one country to another in a year
    (USD millions): the weight of a corridor in the weighted average."""

    source_country = CountryField(_("sending country"))
    destination_country = CountryField(_("receiving country"))
    year = models.PositiveSmallIntegerField(_("year"))
    usd_millions = models.DecimalField(_("USD millions"), max_digits=14, decimal_places=3)

    # Published reference figures, loaded and replaced a year at a time: the import logs one
    # event per run rather than one per row.
    audit_skip = True

    class Meta:
        verbose_name = _("remittance flow estimate")
        constraints = [
            models.UniqueConstraint(
                fields=["source_country", "destination_country", "year"],
                name="remittance_flow_once",
            ),
            models.CheckConstraint(
                condition=models.Q(usd_millions__gte=0), name="remittance_flow_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_country} → {self.destination_country} {self.year}"
