"""The public remittance calculator: the ranking and the figures (worked out by hand below),
the transparency toggle, what counts, bad input, the page in three languages, its queries.

The corridor is France (EUR) to Senegal (XOF); every observation has the interbank rate
655.957 XOF per euro and the price points' local amounts EUR 185 (USD 200) and EUR 462.50
(USD 500), so the points are 277.50 apart. Three services, one each:

    Alpha (MTO)     USD 200: fee 5, rate 650    USD 500: fee 8, rate 652
    Beta (bank)     USD 200: fee 2, rate 640    USD 500: fee 2, rate 645
    Gamma (mobile)  USD 200: fee 0, rate 630    (no USD 500 observation)
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from liaison.remittances import calculator
from liaison.remittances.models import Observation, Provider
from liaison.remittances.periods import Period
from tests.factories import CorridorFactory, ObservationFactory, ProviderFactory

pytestmark = pytest.mark.django_db

URL = "/remittances/"
LOW, HIGH = Decimal("185.00"), Decimal("462.50")


def price(provider: Provider, point: int, fee: str, rate: str, **extra: object) -> Observation:
    observation: Observation = ObservationFactory(
        provider=provider,
        price_point=point,
        amount_sent=LOW if point == 200 else HIGH,
        fee=Decimal(fee),
        exchange_rate=Decimal(rate),
        **extra,
    )
    return observation


@pytest.fixture
def three() -> dict[str, Provider]:
    alpha: Provider = ProviderFactory(name="Alpha", kind=Provider.Kind.MONEY_TRANSFER_OPERATOR)
    beta: Provider = ProviderFactory(name="Beta", kind=Provider.Kind.BANK)
    gamma: Provider = ProviderFactory(name="Gamma", kind=Provider.Kind.MOBILE_OPERATOR)
    price(alpha, 200, "5", "650")
    price(alpha, 500, "8", "652", collected_on=datetime.date(2026, 9, 2))
    price(beta, 200, "2", "640")
    price(beta, 500, "2", "645")
    price(gamma, 200, "0", "630", speed="lt1h", instrument="mobile_money", pickup="mobile_wallet")
    return {"alpha": alpha, "beta": beta, "gamma": gamma}


def option() -> calculator.CorridorOption:
    (found,) = [o for o in calculator.corridor_options() if o.key == "FR-EUR-SN-XOF"]
    return found


def providers(page: str) -> list[str]:
    return re.findall(r'data-provider="([^"]+)"', page)


def plain(page: str) -> str:
    """The page with its non-breaking and narrow spaces (Babel's, in French) as plain ones."""
    return page.replace("\u202f", " ").replace("\xa0", " ")


def get(client: Client, language: str = "en", **query: str) -> str:
    response = client.get(URL, query, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


# --- the figures -------------------------------------------------------------------------------


def test_paying_300_interpolates_the_fee_and_ranks_by_the_amount_received(three):
    comparison = calculator.compare(option(), Decimal("300"))
    alpha, beta, gamma = comparison.quotes
    # Alpha: 300 is 115 of the 277.50 between the points: fee 5 + (8 - 5) x 115 / 277.50
    # = 6.2432 -> 6.24. The USD 200 point is nearer (115 against 162.50): rate 650.
    # Received (300 - 6.24) x 650 = 293.76 x 650 = 190,944.00.
    assert (alpha.provider_name, alpha.fee, alpha.rate) == ("Alpha", Decimal("6.24"), 650)
    assert alpha.amount_received == Decimal("190944.00")
    # FX margin (655.957 - 650) / 655.957 = 0.90814%; total cost 6.24 / 293.76 = 2.12418%
    # + 0.90814% = 3.03232%.
    assert alpha.fx_margin == Decimal("0.9081")
    assert alpha.total_cost == Decimal("3.0323")
    # Beta: fee 2 at both points; 298 x 640 = 190,720.00; margin 15.957 / 655.957 = 2.43263%,
    # total 2 / 298 = 0.67114% + 2.43263% = 3.10377%.
    assert (beta.provider_name, beta.fee, beta.amount_received) == (
        "Beta",
        Decimal("2.00"),
        Decimal("190720.00"),
    )
    assert beta.total_cost == Decimal("3.1038")
    # Gamma: one point, fee 0: 300 x 630 = 189,000.00.
    assert (gamma.provider_name, gamma.fee, gamma.amount_received) == (
        "Gamma",
        Decimal("0.00"),
        Decimal("189000.00"),
    )
    assert comparison.period is not None and str(comparison.period) == "2026 Q3"
    assert comparison.collected_on == datetime.date(2026, 9, 2)  # Alpha's USD 500 observation


def test_paying_400_takes_the_usd_500_rate_and_the_order_changes(three):
    quotes = calculator.compare(option(), Decimal("400")).quotes
    # Alpha: fee 5 + 3 x 215 / 277.50 = 7.3243 -> 7.32; USD 500 is nearer (62.50 against
    # 215): rate 652; 392.68 x 652 = 256,027.36.
    # Beta: fee 2, rate 645: 398 x 645 = 256,710.00. Gamma: 400 x 630 = 252,000.00.
    assert [(q.provider_name, q.amount_received) for q in quotes] == [
        ("Beta", Decimal("256710.00")),
        ("Alpha", Decimal("256027.36")),
        ("Gamma", Decimal("252000.00")),
    ]
    assert quotes[1].fee == Decimal("7.32") and quotes[1].rate == 652


def test_outside_the_price_points_the_nearer_fee_is_taken(three):
    low = {q.provider_name: q for q in calculator.compare(option(), Decimal("100")).quotes}
    # Below EUR 185: the USD 200 fee. Alpha (100 - 5) x 650 = 61,750.
    assert low["Alpha"].fee == 5 and low["Alpha"].amount_received == Decimal("61750.00")
    high = {q.provider_name: q for q in calculator.compare(option(), Decimal("1000")).quotes}
    # Above EUR 462.50: the USD 500 fee and rate. Alpha (1000 - 8) x 652 = 646,784.
    assert high["Alpha"].fee == 8 and high["Alpha"].amount_received == Decimal("646784.00")
    # Gamma has only the USD 200 point: its fee and rate, whatever the amount.
    assert high["Gamma"].fee == 0 and high["Gamma"].amount_received == Decimal("630000.00")


def test_equal_amounts_received_are_ordered_by_total_cost_not_by_name():
    # Both deliver (200 - 0) x 650 = 130,000. Against an interbank rate of 660, Able's margin
    # is 10 / 660 = 1.52% against Zeta's 5.957 / 655.957 = 0.91%: Zeta first.
    able, zeta = ProviderFactory(name="Able"), ProviderFactory(name="Zeta")
    price(able, 200, "0", "650", interbank_rate=Decimal("660"))
    price(zeta, 200, "0", "650")
    quotes = calculator.compare(option(), Decimal("200")).quotes
    assert [q.provider_name for q in quotes] == ["Zeta", "Able"]
    assert quotes[0].amount_received == quotes[1].amount_received == Decimal("130000.00")


def test_each_service_of_a_provider_is_its_own_row(three):
    price(three["alpha"], 200, "1", "655", instrument="account", access_point="internet")
    quotes = calculator.compare(option(), Decimal("300")).quotes
    # Alpha online: fee 1 (one point), 299 x 655 = 195,845, first.
    assert [(q.provider_name, q.instrument) for q in quotes][:2] == [
        ("Alpha", "account"),
        ("Alpha", "cash"),
    ]
    assert quotes[0].amount_received == Decimal("195845.00") and len(quotes) == 4


def test_a_fee_as_large_as_the_amount_leaves_the_service_out(three):
    comparison = calculator.compare(option(), Decimal("4"))
    # Alpha's fee (5) is above EUR 4: nothing would arrive. Beta: 2 x 640 = 1,280.
    assert [q.provider_name for q in comparison.quotes] == ["Gamma", "Beta"]
    assert comparison.fee_too_high == 1


def test_only_verified_observations_of_the_latest_quarter_count(three):
    star = ProviderFactory(name="Star")
    price(star, 200, "0", "655", status=Observation.Status.PENDING)
    price(star, 500, "0", "655", status=Observation.Status.REJECTED)
    # A later quarter with only a pending observation is not "the latest quarter" ...
    price(ProviderFactory(name="Later"), 200, "0", "655", year=2026, quarter=4, status="pending")
    # ... and an earlier quarter's verified one is history.
    price(ProviderFactory(name="Earlier"), 200, "0", "655", year=2026, quarter=2)
    comparison = calculator.compare(option(), Decimal("300"))
    assert [q.provider_name for q in comparison.quotes] == ["Alpha", "Beta", "Gamma"]
    assert comparison.period is not None and str(comparison.period) == "2026 Q3"


def test_the_latest_verified_quarter_replaces_the_older_one(three):
    price(ProviderFactory(name="Newcomer"), 200, "3", "648", year=2026, quarter=4)
    comparison = calculator.compare(option(), Decimal("300"))
    assert [q.provider_name for q in comparison.quotes] == ["Newcomer"]
    assert comparison.period is not None and str(comparison.period) == "2026 Q4"


def test_services_hiding_their_rate_are_left_out_unless_asked(three):
    shady = ProviderFactory(name="Shady")
    price(shady, 200, "0", "655", transparent=False)
    # Mixed: transparent at USD 200, not at USD 500: the service does not disclose its rate.
    half = ProviderFactory(name="Half")
    price(half, 200, "0", "654")
    price(half, 500, "0", "654", transparent=False)
    hidden = calculator.compare(option(), Decimal("300"))
    assert [q.provider_name for q in hidden.quotes] == ["Alpha", "Beta", "Gamma"]
    assert hidden.opaque_left_out == 2
    shown = calculator.compare(option(), Decimal("300"), opaque=True)
    # Shady 300 x 655 = 196,500; Half 300 x 654 = 196,200 (nearer point USD 200).
    assert [(q.provider_name, q.transparent) for q in shown.quotes] == [
        ("Shady", False),
        ("Half", False),
        ("Alpha", True),
        ("Beta", True),
        ("Gamma", True),
    ]
    assert shown.opaque_left_out == 0


def test_a_corridor_without_verified_prices_compares_nothing():
    corridor = CorridorFactory(destination_country="ML")
    empty = calculator.CorridorOption(corridor.pk, "FR", "EUR", "ML", "XOF", Period(2026, 3), "t")
    comparison = calculator.compare(empty, Decimal("300"))
    assert comparison.quotes == [] and comparison.period is None


def test_only_corridors_with_verified_prices_are_offered_each_currency_pair_apart(three):
    # France to Senegal in US dollars too: a second currency corridor for the same countries.
    dollars = CorridorFactory(source_currency="USD")
    ObservationFactory(corridor=dollars, provider=three["beta"])
    ObservationFactory(corridor=CorridorFactory(destination_country="ML"), status="pending")
    assert sorted(o.key for o in calculator.corridor_options()) == [
        "FR-EUR-SN-XOF",
        "FR-USD-SN-XOF",
    ]


def test_a_new_verified_observation_refreshes_the_cached_corridor_list(
    client, three, django_capture_on_commit_callbacks
):
    assert "FR-EUR-ML-XOF" not in get(client)
    observation = ObservationFactory(
        corridor=CorridorFactory(destination_country="ML"), status="pending"
    )
    assert "FR-EUR-ML-XOF" not in get(client)
    observation.status = Observation.Status.VERIFIED
    with django_capture_on_commit_callbacks(execute=True):  # the list is forgotten on commit
        observation.save()
    assert "FR-EUR-ML-XOF" in get(client)


# --- the page ----------------------------------------------------------------------------------


def test_the_page_ranks_the_services_with_their_figures_the_notice_and_the_date(client, three):
    page = get(client, corridor="FR-EUR-SN-XOF", amount="300")
    assert providers(page) == ["Alpha", "Beta", "Gamma"]
    text = plain(page)
    for figure in ("F CFA 190,944", "€6.24", "0.91%", "3.03%", "F CFA 190,720", "3.10%"):
        assert figure in text, figure
    assert "1 EUR = 650.00 XOF" in text and "Money transfer operator" in text
    assert "Less than one hour" in text and "Mobile wallet" in text  # Gamma's speed, pickup
    assert "takes no advertising and no money from providers" in page
    assert "ranked only by the amount the receiver gets" in page
    assert "Prices observed in 2026 Q3." in page
    assert "Latest collected on Sept. 2, 2026." in page
    assert "3 services compared." in page
    assert reverse("remittances:calculator") == URL


def test_the_toggle_shows_the_hidden_services_with_a_badge(client, three):
    price(ProviderFactory(name="Shady"), 200, "0", "655", transparent=False)
    page = get(client, corridor="FR-EUR-SN-XOF", amount="300")
    assert providers(page) == ["Alpha", "Beta", "Gamma"]
    assert "1 service that does not disclose its exchange rate is left out." in page
    link = re.search(r'id="opaque-toggle" href="\?([^"#]+)', page)
    assert link and "opaque=1" in link.group(1)
    shown = client.get(URL + "?" + link.group(1).replace("&amp;", "&")).content.decode()
    assert providers(shown) == ["Shady", "Alpha", "Beta", "Gamma"]
    assert shown.count("Rate not disclosed</span>") == 1
    assert "do not tell the sender the exchange rate before they pay" in shown
    # The form keeps the choice, so a new amount keeps the hidden services shown.
    assert re.search(r'<input type="checkbox" name="opaque"[^>]* checked>', shown)


def test_only_hidden_services_says_so(client):
    price(ProviderFactory(name="Shady"), 200, "0", "655", transparent=False)
    page = get(client, corridor="FR-EUR-SN-XOF", amount="300")
    assert providers(page) == []
    assert "No service in this corridor discloses its exchange rate." in page
    assert 'id="opaque-toggle"' in page


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("abc", "Enter the amount as a number, for example 250 or 250.50."),
        ("1e5", "Enter the amount as a number, for example 250 or 250.50."),
        ("", "Enter the amount you want to pay."),
        ("0", "Enter an amount greater than zero."),
        ("-50", "Enter an amount greater than zero."),
        ("12.345", "Amounts in Euro have at most 2 decimals."),
        # EUR 185 buys USD 200: USD 1,000,000 is EUR 925,000, shown as 920,000.
        ("1000001", "Enter at most €920,000.00"),
        ("925001", "Enter at most €920,000.00"),
        ("9" * 20, "This amount is too large to compare."),
    ],
)
def test_a_bad_amount_gets_a_clear_form_error(client, three, amount, message):
    page = get(client, corridor="FR-EUR-SN-XOF", amount=amount)
    assert message in page
    assert 'aria-invalid="true"' in page and "is-invalid" in page
    assert providers(page) == []


def test_amounts_are_read_as_people_type_them(client, three):
    # 1,000.00 in English, 1 000,00 in French: both EUR 1,000 (Alpha 992 x 652 = 646,784).
    assert "F CFA 646,784" in plain(get(client, corridor="FR-EUR-SN-XOF", amount="1,000.00"))
    assert "646 784 F CFA" in plain(get(client, "fr", corridor="FR-EUR-SN-XOF", amount="1 000,00"))
    # A 3.00 typed with its trailing zeros has no decimal too many.
    assert "Alpha" in providers(get(client, corridor="FR-EUR-SN-XOF", amount="300.000"))


def test_whole_number_currencies_refuse_decimals(client):
    ObservationFactory(
        corridor=CorridorFactory(
            source_country="SN",
            source_currency="XOF",
            destination_country="FR",
            destination_currency="EUR",
        ),
        amount_sent=Decimal("120000"),
        fee=Decimal("2000"),
        exchange_rate=Decimal("0.0015"),
        interbank_rate=Decimal("0.0015245"),
    )
    page = get(client, corridor="SN-XOF-FR-EUR", amount="50000.5")
    assert "Amounts in West African CFA Franc are whole numbers: leave out the decimals." in page


@pytest.mark.parametrize("corridor", ["XX-EUR-SN-XOF", "FR-EUR-ML-XOF", "<script>"])
def test_an_unknown_corridor_gets_a_clear_message(client, three, corridor):
    ObservationFactory(corridor=CorridorFactory(destination_country="ML"), status="rejected")
    response = client.get(URL, {"corridor": corridor, "amount": "300"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There are no prices for the corridor" in page and "choose one from the list" in page
    assert "<script>" not in page.split("<main", 1)[1]


def test_no_prices_at_all_is_said_plainly(client):
    page = get(client, corridor="FR-EUR-SN-XOF", amount="300")
    assert "There are no verified prices to compare yet." in page
    assert "takes no advertising" in page


def test_the_form_alone_lists_the_corridors_by_sending_country(client, three):
    page = get(client)
    assert '<optgroup label="France">' in page
    assert "France → Senegal (EUR → XOF)" in page
    assert providers(page) == []


def test_the_page_opens_in_french_and_in_arabic_right_to_left(client, three):
    french = get(client, "fr", corridor="FR-EUR-SN-XOF", amount="300")
    assert '<html lang="fr" dir="ltr">' in french
    assert providers(french) == ["Alpha", "Beta", "Gamma"]
    text = plain(french)
    assert "190 944 F CFA" in text and "6,24 €" in text and "3,03 %" in text
    arabic = get(client, "ar", corridor="FR-EUR-SN-XOF", amount="300")
    assert '<html lang="ar" dir="rtl">' in arabic and "app.rtl.css" in arabic
    assert providers(arabic) == ["Alpha", "Beta", "Gamma"]


def test_the_comparison_reads_the_prices_in_one_query_however_many_services(
    client, django_assert_max_num_queries
):
    for n in range(12):
        provider = ProviderFactory(name=f"Provider {n:02}")
        price(provider, 200, str(n), "650")
        price(provider, 500, str(n + 2), "652")
        price(provider, 200, "1", "640", instrument="account", access_point="internet")
    # A cold cache: the corridor list, then the prices.
    with django_assert_max_num_queries(2):
        page = get(client, corridor="FR-EUR-SN-XOF", amount="300")
    assert len(providers(page)) == 24
    # The corridor list cached, and the quarter's prices kept under it: nothing to ask.
    with django_assert_max_num_queries(0):
        again = get(client, corridor="FR-EUR-SN-XOF", amount="350", opaque="1")
    assert len(providers(again)) == 24


def test_a_fee_above_the_amount_is_said_on_the_page(client, three):
    page = get(client, corridor="FR-EUR-SN-XOF", amount="4")
    assert providers(page) == ["Gamma", "Beta"]
    assert "1 service charges a fee of at least this amount and is left out" in page


def test_provider_names_are_escaped(client):
    price(ProviderFactory(name='Evil <script>alert(1)</script> "Co"'), 200, "0", "650")
    page = get(client, corridor="FR-EUR-SN-XOF", amount="300")
    assert "<script>alert(1)</script>" not in page
    assert "Evil &lt;script&gt;alert(1)&lt;/script&gt; &quot;Co&quot;" in page


def test_a_cached_quarter_without_prices_left_falls_back_to_the_latest(
    three, django_assert_num_queries
):
    # The list knew 2026 Q2, whose prices have gone since: the database says Q3 is the latest.
    stale = dataclasses.replace(option(), latest=Period(2026, 2))
    with django_assert_num_queries(2):
        comparison = calculator.compare(stale, Decimal("300"))
    assert comparison.period == Period(2026, 3)
    assert [q.provider_name for q in comparison.quotes] == ["Alpha", "Beta", "Gamma"]


# --- prices kept between pages, and forgotten ----------------------------------------------------


def test_a_saved_price_shows_on_the_next_page_though_the_last_page_kept_the_prices(
    client, three, django_capture_on_commit_callbacks
):
    # Alpha's fee at EUR 300: 5 + (8 - 5) x (300 - 185) / 277.50 = 6.24
    assert "€6.24" in plain(get(client, corridor="FR-EUR-SN-XOF", amount="300"))
    alpha_low = Observation.objects.get(provider=three["alpha"], price_point=200)
    alpha_low.fee = Decimal("1")
    with django_capture_on_commit_callbacks(execute=True):
        alpha_low.save()
    # now 1 + (8 - 1) x 115 / 277.50 = 3.90
    text = plain(get(client, corridor="FR-EUR-SN-XOF", amount="300"))
    assert "€6.24" not in text and "€3.90" in text


def test_a_renamed_provider_shows_under_its_new_name_at_once(
    client, three, django_capture_on_commit_callbacks
):
    assert providers(get(client, corridor="FR-EUR-SN-XOF", amount="300"))[0] == "Alpha"
    three["alpha"].name = "Alpha Remit"
    with django_capture_on_commit_callbacks(execute=True):
        three["alpha"].save()
    assert providers(get(client, corridor="FR-EUR-SN-XOF", amount="300"))[0] == "Alpha Remit"


def test_nothing_is_forgotten_before_the_write_commits(client, three):
    """Other processes cannot see a write before its commit; with the cache in the database, a
    delete inside a long import's transaction would lock out every page until then."""
    before = option().generation
    three["alpha"].name = "Alpha Remit"
    three["alpha"].save()  # the test's transaction never commits
    assert option().generation == before


def test_a_process_keeps_the_prices_of_one_corridor_list_at_most(
    client, three, django_capture_on_commit_callbacks
):
    dollars = CorridorFactory(source_currency="USD")
    ObservationFactory(corridor=dollars, provider=three["beta"])
    get(client, corridor="FR-EUR-SN-XOF", amount="300")
    get(client, corridor="FR-USD-SN-XOF", amount="300")
    assert calculator._quarter_points.cache_info().currsize == 2
    with django_capture_on_commit_callbacks(execute=True):
        calculator.forget_corridors()
    get(client, corridor="FR-EUR-SN-XOF", amount="300")
    # the prices kept under the forgotten list are dropped, not merely left unused
    assert calculator._quarter_points.cache_info().currsize == 1
