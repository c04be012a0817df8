"""Reference data from maintained packages: countries (django-countries, ISO 3166), currencies
(pycountry, ISO 4217), languages (pycountry, ISO 639), with names in the interface language
(Babel's CLDR data), plus CEFR and ISCED 2011 levels."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pycountry
from babel import Locale, UnknownLocaleError
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries


class CefrLevel(models.TextChoices):
    A1 = "A1", _("A1 – Beginner")
    A2 = "A2", _("A2 – Elementary")
    B1 = "B1", _("B1 – Intermediate")
    B2 = "B2", _("B2 – Upper intermediate")
    C1 = "C1", _("C1 – Advanced")
    C2 = "C2", _("C2 – Proficient")
    NATIVE = "native", _("Mother tongue")


CEFR_ORDER = {level: i for i, level in enumerate(CefrLevel.values)}


class IscedLevel(models.TextChoices):
    """ISCED 2011 levels of education (UNESCO)."""

    EARLY_CHILDHOOD = "0", _("Early childhood education")
    PRIMARY = "1", _("Primary education")
    LOWER_SECONDARY = "2", _("Lower secondary education")
    UPPER_SECONDARY = "3", _("Upper secondary education")
    POST_SECONDARY = "4", _("Post-secondary non-tertiary education")
    SHORT_TERTIARY = "5", _("Short-cycle tertiary education")
    BACHELOR = "6", _("Bachelor's or equivalent level")
    MASTER = "7", _("Master's or equivalent level")
    DOCTORAL = "8", _("Doctoral or equivalent level")


@dataclass(frozen=True)
class Entry:
    code: str
    name: str


def locale(language: str | None = None) -> Locale:
    """Babel's locale for ``language`` (by default the interface's), English if Babel knows
    none."""
    try:
        return Locale.parse((language or translation.get_language() or "en").replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale("en")


def country_list() -> list[Entry]:
    return [Entry(code, str(name)) for code, name in countries]


def is_country(code: str) -> bool:
    return bool(code) and code.upper() in countries


def country_code(code: object) -> str | None:
    """The ISO 3166 alpha-2 code for an alpha-2 or alpha-3 code of the country list (Kosovo's
    XK and XKX included: settings), None for anything else."""
    text = str(code or "").strip().upper()
    if len(text) not in (2, 3) or not text.isalpha():
        return None
    return countries.alpha2(text) or None


@functools.cache
def _currency_codes() -> tuple[tuple[str, str], ...]:
    return tuple(sorted((c.alpha_3, c.name) for c in pycountry.currencies))


def currency_list() -> list[Entry]:
    where = locale()
    return [Entry(code, where.currencies.get(code, name)) for code, name in _currency_codes()]


# ISO 4217 codes that are no money one is paid in: precious metals, bond-market units, the
# IMF's and the African Development Bank's units of account, the testing and "no currency" codes.
NOT_MONEY = frozenset(
    {"XAU", "XAG", "XPT", "XPD", "XBA", "XBB", "XBC", "XBD", "XDR", "XSU", "XUA", "XTS", "XXX"}
)


def is_currency(code: str) -> bool:
    """Whether ``code`` is an ISO 4217 currency people are paid in (XOF, XAF, XCD and XPF are;
    gold, the testing code and "no currency" are not)."""
    code = (code or "").upper()
    return (
        bool(code) and code not in NOT_MONEY and pycountry.currencies.get(alpha_3=code) is not None
    )


def currency_code(value: str) -> None:
    """Validator: an ISO 4217 currency code people are paid in, in capitals."""
    if not is_currency(value) or value != value.upper():
        raise ValidationError(
            _("“%(code)s” is not an ISO 4217 currency code (e.g. EUR, USD, PHP)."),
            params={"code": value},
            code="currency",
        )


@functools.cache
def _language_codes() -> tuple[tuple[str, str], ...]:
    """ISO 639 languages: the 639-1 code where one exists, else 639-3 for living languages."""
    entries = []
    for lang in pycountry.languages:
        code = getattr(lang, "alpha_2", None)
        if code is None:
            if getattr(lang, "type", "") != "L" or getattr(lang, "scope", "") != "I":
                continue
            code = lang.alpha_3
        entries.append((code, lang.name))
    return tuple(sorted(entries))


def language_list(query: str = "") -> list[Entry]:
    where = locale()
    q = query.strip().lower()
    out = []
    for code, name in _language_codes():
        local = where.languages.get(code, name)
        if q and q not in local.lower() and q not in name.lower() and q != code:
            continue
        out.append(Entry(code, local))
    return out


def is_language(code: str) -> bool:
    return any(known == code for known, _name in _language_codes())
