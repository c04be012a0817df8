"""Writing remittance prices: providers, officers' own observations (mystery shopping),
providers' reports and their verification. Every rule on the figures lives here:
``figure_problems`` for a form's text, and its two parts, ``sign_problem`` and ``priced``, which
the workbook import applies to the figures it has read.

A provider reports through the secret link of its ``report_token``; its report waits as
``pending`` and enters no average, ranking or export until an officer verifies it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.accounts.permissions import require
from liaison.audit.models import AuditEvent
from liaison.audit.services import record
from liaison.remittances import calculator, costs
from liaison.remittances.models import (
    OBSERVATION_IDENTITY,
    Corridor,
    Observation,
    Provider,
    new_report_token,
)

# A rate applied more than twice the interbank rate, or under a tenth of it, is a rate written
# the other way round (or per 100 units), not a margin.
MIN_MARGIN = Decimal(-100)
MAX_MARGIN = Decimal(90)
FIGURES = ("amount_sent", "fee", "exchange_rate", "interbank_rate")


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def figure_problems(
    amount_sent: Any, fee: Any, exchange_rate: Any, interbank_rate: Any
) -> dict[str, list[str]]:
    """What is wrong with the figures of one price, by field (empty when they hold): every
    figure a number; an amount above zero; a fee not negative; rates above zero; and then
    ``cost_problems``."""
    values = dict(zip(FIGURES, (amount_sent, fee, exchange_rate, interbank_rate), strict=True))
    numbers = {name: _decimal(value) for name, value in values.items()}
    problems: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        problems.setdefault(name, []).append(message)

    for name, number in numbers.items():
        if number is None:
            add(name, _("“%(value)s” is not a number.") % {"value": str(values[name])[:40]})
    for name, number in numbers.items():
        if number is not None and (wrong := sign_problem(name, number)):
            add(name, wrong)
    if not problems:
        amount, charged = numbers["amount_sent"], numbers["fee"]
        applied, interbank = numbers["exchange_rate"], numbers["interbank_rate"]
        assert amount is not None and charged is not None and applied and interbank
        for name, messages in priced(amount, charged, applied, interbank)[1].items():
            problems.setdefault(name, []).extend(messages)
    return problems


def sign_problem(field: str, number: Decimal) -> str | None:
    """The sign rule of one figure (``FIGURES``): a fee not negative, the amount sent and the
    rates above zero."""
    if field == "fee":
        return _("A fee cannot be negative (%(fee)s).") % {"fee": number} if number < 0 else None
    if number > 0:
        return None
    if field == "amount_sent":
        return _("The amount sent must be above zero.")
    return _("An exchange rate must be above zero, not %(rate)s.") % {"rate": number}


def priced(
    amount_sent: Decimal, fee: Decimal, exchange_rate: Decimal, interbank_rate: Decimal
) -> tuple[costs.Cost | None, dict[str, list[str]]]:
    """RPW's cost of figures each of the right sign, or None with what makes them no price,
    by field: a fee not below the amount sent; a rate applied more than twice the interbank
    rate or under a tenth of it; a total cost above 100%. (The RPW import names the
    workbook's columns for the fields.)"""
    if fee >= amount_sent:
        return None, {
            "fee": [
                _("A fee of %(fee)s for sending %(amount)s is not a price: check both figures.")
                % {"fee": fee, "amount": amount_sent}
            ]
        }
    cost = costs.cost(amount_sent, fee, exchange_rate, interbank_rate)
    if not MIN_MARGIN <= cost.fx_margin <= MAX_MARGIN:
        return None, {
            "exchange_rate": [
                _(
                    "The rate applied (%(applied)s) is too far from the interbank rate "
                    "(%(interbank)s) to be a margin: both must be units of the receiving "
                    "currency for one unit of the sending one. Is one written the other way "
                    "round?"
                )
                % {
                    "applied": exchange_rate.normalize(),
                    "interbank": interbank_rate.normalize(),
                }
            ]
        }
    if cost.total_cost > costs.HUNDRED:
        return None, {
            "fee": [
                _("The total cost would be %(cost)s%% of the amount sent, above 100%%.")
                % {"cost": cost.total_cost}
            ]
        }
    return cost, {}


def same_as(observation: Observation) -> Observation | None:
    """The stored observation (not rejected) that ``observation`` would repeat, if any."""
    key = {name: getattr(observation, name) for name in OBSERVATION_IDENTITY}
    key["corridor"] = observation.corridor_id
    key["provider"] = observation.provider_id
    return (
        Observation.objects.filter(**key)
        .exclude(status=Observation.Status.REJECTED)
        .exclude(pk=observation.pk)
        .select_related("provider")
        .first()
    )


def _repeat_error(stored: Observation) -> ValidationError:
    return ValidationError(
        _(
            "This price is already recorded: %(provider)s, %(period)s, USD %(point)s, the same "
            "instrument, access point and pickup (entered %(when)s, %(status)s). Correct that "
            "one instead."
        )
        % {
            "provider": stored.provider,
            "period": stored.period,
            "point": stored.price_point,
            "when": stored.created_at.date().isoformat(),
            "status": stored.get_status_display(),
        },
        code="repeat",
    )


def corridor_for(
    source_country: str, source_currency: str, destination_country: str, destination_currency: str
) -> Corridor:
    """The corridor with these countries and currencies, created when new (validated)."""
    found = Corridor.objects.filter(
        source_country=source_country,
        source_currency=source_currency,
        destination_country=destination_country,
        destination_currency=destination_currency,
    ).first()
    if found is not None:
        return found
    corridor = Corridor(
        source_country=source_country,
        source_currency=source_currency,
        destination_country=destination_country,
        destination_currency=destination_currency,
    )
    if source_country and source_country == destination_country:
        raise ValidationError(
            {"destination_country": [_("A corridor goes from one country to another.")]}
        )
    corridor.full_clean()
    corridor.save()
    return corridor


def _check(observation: Observation) -> None:
    problems = figure_problems(
        observation.amount_sent,
        observation.fee,
        observation.exchange_rate,
        observation.interbank_rate,
    )
    if problems:
        raise ValidationError(problems)
    observation.compute()
    observation.full_clean(validate_constraints=False)
    if observation.collected_on and observation.collected_on > timezone.localdate():
        raise ValidationError({"collected_on": [_("A price cannot be collected in the future.")]})
    stored = same_as(observation)
    if stored is not None:
        raise _repeat_error(stored)


def _store(observation: Observation) -> None:
    try:
        with transaction.atomic():
            observation.save()
    except IntegrityError:  # the same price saved by someone else a moment ago
        stored = same_as(observation)
        if stored is None:
            raise
        raise _repeat_error(stored) from None


@transaction.atomic
def save_observation(actor: Any, observation: Observation) -> Observation:
    """Create or correct a price an officer collected (or an imported one). The officer's own
    prices count at once; correcting a provider's pending report does not verify it. (The
    audit log records the change through the model's signals.)"""
    require(actor, "remittances.manage")
    if observation.pk is None:
        observation.source = observation.source or Observation.Source.SURVEY
        if observation.source == Observation.Source.SURVEY:
            observation.status = Observation.Status.VERIFIED
            observation.verified_by = actor
            observation.verified_at = timezone.now()
        observation.entered_by = actor
    else:
        Observation.objects.select_for_update().get(pk=observation.pk)
    _check(observation)
    _store(observation)
    return observation


@transaction.atomic
def submit_report(provider: Provider, observation: Observation) -> Observation:
    """A provider's report of one of its prices, through its secret link: stored as pending,
    for an officer to verify."""
    observation.provider = provider
    observation.source = Observation.Source.PROVIDER_REPORT
    observation.status = Observation.Status.PENDING
    observation.entered_by = None
    _check(observation)
    _store(observation)
    return observation


@transaction.atomic
def verify(actor: Any, observation: Observation, *, accept: bool, reason: str = "") -> Observation:
    """Accept or reject a provider's pending report. Rejecting needs a reason."""
    require(actor, "remittances.manage")
    locked = Observation.objects.select_for_update().get(pk=observation.pk)
    if locked.status != Observation.Status.PENDING:
        raise ValidationError(
            _("This report is already “%(status)s”: nothing was changed.")
            % {"status": locked.get_status_display()},
            code="state",
        )
    reason = reason.strip()
    if not accept and not reason:
        raise ValidationError({"reason": [_("Say why the report is rejected.")]})
    locked.status = Observation.Status.VERIFIED if accept else Observation.Status.REJECTED
    locked.verified_by = actor
    locked.verified_at = timezone.now()
    # Written without signals, so that the one audit event carries the reason.
    Observation.objects.filter(pk=locked.pk).update(
        status=locked.status, verified_by=actor, verified_at=locked.verified_at
    )
    calculator.forget_corridors()
    record(
        AuditEvent.Action.UPDATE,
        locked,
        actor=actor,
        changes={"status": [Observation.Status.PENDING, locked.status]},
        reason=reason,
    )
    return locked


@transaction.atomic
def save_provider(actor: Any, provider: Provider) -> Provider:
    """Create or change a provider; names are unique whatever their case."""
    require(actor, "remittances.manage")
    provider.name = " ".join(provider.name.split())
    provider.full_clean(validate_constraints=False)
    clash = Provider.objects.filter(name__iexact=provider.name).exclude(pk=provider.pk).first()
    if clash is not None:
        raise ValidationError(
            {"name": [_("“%(name)s” is already a provider.") % {"name": clash.name}]}
        )
    provider.save()
    return provider


@transaction.atomic
def renew_report_link(actor: Any, provider: Provider) -> Provider:
    """Give the provider a new report link; the old one stops working."""
    require(actor, "remittances.manage")
    provider.report_token = new_report_token()
    provider.save(update_fields=["report_token"])
    return provider


def pending() -> Any:
    return (
        Observation.objects.filter(status=Observation.Status.PENDING)
        .select_related("provider", "corridor")
        .order_by("created_at")
    )
