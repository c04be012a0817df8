"""How the calculator reads an amount typed in any of the interface languages, and writes
money in them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel import Locale
from babel.numbers import format_currency, parse_pattern

from liaison.remittances.forms_calculator import decimals, parse_amount
from liaison.remittances.views_calculator import formats_for


@pytest.mark.parametrize(
    ("text", "symbol", "expected"),
    [
        ("250", ".", "250"),
        ("250.50", ".", "250.50"),
        ("1,250.50", ".", "1250.50"),  # English
        ("1 250,50", ",", "1250.50"),  # French, a plain space
        ("1\u202f250,50", ",", "1250.50"),  # French as Babel writes it (narrow space)
        ("1.250,50", ",", "1250.50"),  # the dot grouping, comma decimals
        ("1,000", ".", "1000"),  # three digits after an English comma: a thousand
        ("1,000", ",", "1.000"),  # in French the comma marks decimals
        ("1.000", ",", "1000"),  # three digits after a dot in French: a thousand
        ("2,5", ".", "2.5"),  # not three digits: decimals, in any language
        ("250.5", ",", "250.5"),
        ("1,000,000", ".", "1000000"),
        ("1,00,000", ".", "100000"),  # Indian grouping
        ("1'000.50", ".", "1000.50"),  # Swiss grouping
        ("٢٥٠", ".", "250"),  # Arabic-Indic digits
        ("٢٥٠٫٥", ".", "250.5"),  # with the Arabic decimal separator
        (".5", ".", "0.5"),
        ("-5", ".", "-5"),  # read; the form then refuses it as not positive
    ],
)
def test_amounts_typed_the_usual_ways_are_read(text, symbol, expected):
    assert parse_amount(text, symbol) == Decimal(expected)


@pytest.mark.parametrize(
    "text", ["abc", "1e5", "NaN", "Infinity", "12,34.56,7", "1.2.3,4", "5 €", "--5", ".", "12,34,5"]
)
def test_what_is_no_number_is_refused(text):
    assert parse_amount(text, ".") is None


def test_trailing_zeros_are_no_decimals():
    assert decimals(Decimal("300.000")) == 0
    assert decimals(Decimal("12.345")) == 3
    assert decimals(Decimal("1E+3")) == 0


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_money_is_written_as_babel_writes_it(language):
    """The page prepares each currency's pattern once; what it writes must be what Babel's
    format_currency writes (but for CLDR's space after a symbol ending in a letter)."""
    formats = formats_for(language)
    for currency in ("EUR", "USD", "XOF", "GBP", "JPY", "KWD", "PHP", "MAD"):
        for amount in ("0", "0.005", "0.015", "1", "12.345", "1234.5", "190944", "-3.5"):
            expected = format_currency(Decimal(amount), currency, locale=language)
            written = formats.money(Decimal(amount), currency)
            assert written.replace("\xa0", "") == expected.replace("\xa0", ""), (currency, amount)
    # The space CLDR asks for, which Babel leaves out.
    assert formats_for("en").money(Decimal("120250"), "XOF") == "F\u202fCFA\xa0120,250"


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_percentages_are_written_as_babel_writes_them(language):
    """Percentages take the prepared pattern's own digits (not Babel's, per figure)."""
    where = Locale.parse(language)
    percent = parse_pattern(where.percent_formats[None].pattern)
    percent.frac_prec = (2, 2)
    formats = formats_for(language)
    for value in ("0", "0.9081", "3.0323", "-1", "0.005", "0.015", "-0.001", "123456.789"):
        assert formats.percent(Decimal(value)) == percent.apply(Decimal(value) / 100, where)


@pytest.mark.parametrize(
    ("language", "percents", "rates"),
    [
        # Worked out from CLDR's conventions: groups of three, two decimals for a percentage
        # and two to six for a rate, rounded half to even (0.005 -> 0.00, 0.0015245 -> 0.001524).
        (
            "en",
            ["3.03%", "-1.00%", "123,456.79%", "0.00%"],
            ["650.00", "655.957", "0.001524", "12,345.123457"],
        ),
        (  # a comma for decimals, a narrow space between groups, a space before %
            "fr",
            ["3,03\xa0%", "-1,00\xa0%", "123\u202f456,79\xa0%", "0,00\xa0%"],
            ["650,00", "655,957", "0,001524", "12\u202f345,123457"],
        ),
        (  # Latin digits, as the rest of the page
            "ar",
            ["3.03%", "-1.00%", "123,456.79%", "0.00%"],
            ["650.00", "655.957", "0.001524", "12,345.123457"],
        ),
    ],
)
def test_percentages_and_rates_read_as_the_language_writes_numbers(language, percents, rates):
    formats = formats_for(language)
    percent_values = ("3.0323", "-1", "123456.789", "0.005")
    rate_values = ("650", "655.957", "0.0015245", "12345.1234567")
    assert [formats.percent(Decimal(v)) for v in percent_values] == percents
    assert [formats.number(Decimal(v)) for v in rate_values] == rates
