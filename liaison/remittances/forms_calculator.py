"""The calculator's form, read from the query string so that a comparison is a link one can
share: a corridor among those with prices, the amount paid, and whether to include the
providers that do not disclose their exchange rate."""

from __future__ import annotations

import functools
import re
import unicodedata
from decimal import Decimal
from typing import Any

from babel.numbers import get_currency_precision, get_decimal_symbol
from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_countries import countries

from liaison.core.forms import style_widgets
from liaison.remittances.calculator import CorridorOption
from liaison.taxonomy.reference import locale

# Above any sum a remittance calculator is asked about, in any currency: refused before the
# corridor's own ceiling (``calculator.AmountTooLarge``) is worked out.
HARD_CEILING = Decimal(10) ** 12
# Spaces of every width, apostrophes (Swiss grouping) and the Arabic thousands separator only
# ever group digits.
_GROUPING = str.maketrans("", "", " \u00a0\u202f\u2009'’\u066c")
# \d matches Arabic-Indic digits too, which Decimal reads.
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)$")


def parse_amount(text: str, decimal_symbol: str) -> Decimal | None:
    """Read an amount as people type it, in any of the interface languages: ``1,250.50``,
    ``1 250,50``, ``1.250,50``, ``250.5``, ``٢٥٠``. With both a comma and a dot, the last one
    marks the decimals; with one of them once, it marks the decimals unless exactly three
    digits follow and it is not the language's decimal symbol (``1,000`` in English is a
    thousand, ``2,5`` is two and a half). Grouped digits must be grouped by three (or by two,
    the Indian way, before the last three). None when it is no number."""
    text = text.strip().translate(_GROUPING).replace("\u066b", ".")  # Arabic decimal separator
    commas, dots = text.count(","), text.count(".")
    mark = group = ""
    if commas and dots:
        mark = text[max(text.rfind(","), text.rfind("."))]
        group = "." if mark == "," else ","
    elif commas or dots:
        sign = "," if commas else "."
        if text.count(sign) > 1 or (sign != decimal_symbol and len(text.rsplit(sign, 1)[1]) == 3):
            group = sign
        else:
            mark = sign
    whole, fraction = text.split(mark, 1) if mark else (text, "")
    if (mark and mark in fraction) or (group and group in fraction):
        return None
    if group:
        groups = whole.lstrip("+-").split(group)
        if not (
            1 <= len(groups[0]) <= 3
            and all(len(g) in (2, 3) for g in groups[1:])
            and len(groups[-1]) == 3
        ):
            return None
        whole = whole.replace(group, "")
    number = f"{whole}.{fraction}" if mark else whole
    return Decimal(number) if _NUMBER.match(number) else None


def decimals(amount: Decimal) -> int:
    """How many decimals ``amount`` really has (trailing zeros do not count)."""
    exponent = amount.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


class AmountField(forms.Field):
    widget = forms.TextInput(
        attrs={"inputmode": "decimal", "autocomplete": "off", "maxlength": "24", "size": "12"}
    )
    default_error_messages = {
        "invalid": gettext_lazy("Enter the amount as a number, for example 250 or 250.50."),
    }

    def to_python(self, value: Any) -> Decimal | None:
        text = str(value or "").strip()
        if not text:
            return None
        amount = parse_amount(text[:40], get_decimal_symbol(locale()))
        if amount is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return amount


class CorridorField(forms.ChoiceField):
    def validate(self, value: Any) -> None:
        try:
            super().validate(value)
        except ValidationError as error:
            if getattr(error, "code", None) != "invalid_choice":
                raise
            # The raw value is quoted back, but never more than a few characters of it.
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": str(value)[:30]},
            ) from None


class CorridorSelect(forms.Select):
    """A select drawn without a template per option: with a few hundred corridors, Django's
    option templates take longer than all the rest of the page."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        chosen = set(self.format_value(value))
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        parts: list[str] = [format_html("<select{}>", flatatt(final))]
        for key, label in self.choices:
            if isinstance(label, (list, tuple)):
                parts.append(format_html('<optgroup label="{}">', key))
                parts.extend(_option(k, text, chosen) for k, text in label)
                parts.append("</optgroup>")
            else:
                parts.append(_option(key, str(label), chosen))
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every part escaped by format_html)


def _option(key: str, label: str, chosen: set[str]) -> str:
    if key in chosen:
        return format_html('<option value="{}" selected>{}</option>', key, label)
    return _unchosen(key, label)


@functools.lru_cache(maxsize=4096)
def _unchosen(key: str, label: str) -> str:
    """An option as it is on every page but the one where it is chosen."""
    return format_html('<option value="{}">{}</option>', key, label)


def _sort_key(text: str) -> str:
    """Names sorted the way a reader expects, accents aside (Égypte among the E's)."""
    return "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).casefold()


def corridor_label(option: CorridorOption) -> str:
    return _("%(source)s → %(destination)s (%(source_currency)s → %(destination_currency)s)") % {
        "source": countries.name(option.source_country),
        "destination": countries.name(option.destination_country),
        "source_currency": option.source_currency,
        "destination_currency": option.destination_currency,
    }


def corridor_choices(options: list[CorridorOption]) -> list[Any]:
    """The corridors grouped by sending country, names in the interface language."""
    return _choices(translation.get_language() or "", tuple(options))


@functools.lru_cache(maxsize=16)
def _choices(language: str, options: tuple[CorridorOption, ...]) -> list[Any]:
    """Kept per language and corridor list: naming and sorting a few hundred corridors takes
    longer than the rest of the page."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for option in options:
        groups.setdefault(countries.name(option.source_country), []).append(
            (option.key, corridor_label(option))
        )
    return [("", _("Choose a corridor"))] + [
        (source, sorted(group, key=lambda choice: _sort_key(choice[1])))
        for source, group in sorted(groups.items(), key=lambda item: _sort_key(item[0]))
    ]


class CalculatorForm(forms.Form):
    corridor = CorridorField(
        widget=CorridorSelect,
        label=gettext_lazy("From and to"),
        error_messages={
            "required": gettext_lazy("Choose where you send from and to."),
            "invalid_choice": gettext_lazy(
                "There are no prices for the corridor “%(value)s”: choose one from the list."
            ),
        },
    )
    amount = AmountField(
        label=gettext_lazy("Amount you pay, fee included"),
        error_messages={"required": gettext_lazy("Enter the amount you want to pay.")},
    )
    opaque = forms.BooleanField(
        label=gettext_lazy("Show providers that do not disclose their rate"),
        required=False,
    )

    def __init__(self, *args: Any, options: list[CorridorOption], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options = {option.key: option for option in options}
        field = self.fields["corridor"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = corridor_choices(options)
        style_widgets(self)

    @property
    def option(self) -> CorridorOption:
        """The corridor chosen (once the form is valid)."""
        return self.options[self.cleaned_data["corridor"]]

    def clean_amount(self) -> Decimal:
        amount: Decimal = self.cleaned_data["amount"]
        if amount <= 0:
            raise ValidationError(_("Enter an amount greater than zero."), code="not_positive")
        if amount >= HARD_CEILING:
            raise ValidationError(_("This amount is too large to compare."), code="too_large")
        return amount

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        corridor, amount = data.get("corridor"), data.get("amount")
        if corridor in self.options and amount is not None:
            currency = self.options[corridor].source_currency
            places = get_currency_precision(currency)
            if decimals(amount) > places:
                name = locale().currencies.get(currency, currency)
                self.add_error(
                    "amount",
                    ValidationError(
                        _("Amounts in %(currency)s are whole numbers: leave out the decimals.")
                        % {"currency": name}
                        if places == 0
                        else ngettext(
                            "Amounts in %(currency)s have at most %(places)d decimal.",
                            "Amounts in %(currency)s have at most %(places)d decimals.",
                            places,
                        )
                        % {"currency": name, "places": places},
                        code="decimals",
                    ),
                )
        return data
