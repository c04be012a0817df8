"""Officers' own prices (mystery shopping), providers' reports through their link and their
verification, providers: the figures' rules, repeats, and who may do what."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from liaison.accounts.roles import Role
from liaison.audit.models import AuditEvent
from liaison.remittances import services
from liaison.remittances.models import Corridor, Observation, Provider
from tests.factories import ObservationFactory, ProviderFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return user_with_role(Role.PROGRAMME_OFFICER)


def price_form(provider: Provider | None = None, **overrides) -> dict:
    """Sending EUR 185 (USD 200) from Italy to Senegal for EUR 4, at 640 XOF per euro against
    an interbank 655.957."""
    data = {
        "source_country": "IT",
        "source_currency": "EUR",
        "destination_country": "SN",
        "destination_currency": "XOF",
        "quarter_text": "2026Q3",
        "price_point": "200",
        "amount_sent": "185",
        "fee": "4",
        "exchange_rate": "640",
        "interbank_rate": "655.957",
        "speed": "same_day",
        "instrument": "cash",
        "access_point": "branch",
        "pickup": "cash",
        "transparent": "on",
        "collected_on": "2026-08-03",
        "note": "",
    }
    if provider is not None:
        data["provider"] = str(provider.pk)
    data.update(overrides)
    return data


def test_an_officer_records_a_price_and_its_cost_is_computed(client, officer):
    provider = ProviderFactory(name="Sendwave")
    client.force_login(officer)
    response = client.post("/remittances/prices/new/", price_form(provider))
    assert response.status_code == 302
    price = Observation.objects.get()
    # Fee 4 / 185 = 2.16216%; margin (655.957 - 640) / 655.957 = 2.43263%; total 4.59479%.
    # Received: 185 x 640 = 118,400 XOF.
    assert price.fx_margin == Decimal("2.4326")
    assert price.total_cost == Decimal("4.5948")
    assert price.amount_received == Decimal("118400.00")
    assert (price.year, price.quarter) == (2026, 3)
    assert price.status == Observation.Status.VERIFIED and price.source == "survey"
    assert price.entered_by == officer and price.verified_by == officer
    corridor = Corridor.objects.get()
    assert (corridor.source_country, corridor.destination_currency) == ("IT", "XOF")
    event = AuditEvent.objects.get(
        action="create", content_type__model="observation", object_id=str(price.pk)
    )
    assert event.actor_id == officer.pk and event.changes["fee"] == "4"


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"fee": "-2"}, "fee", "A fee cannot be negative"),
        ({"fee": "185"}, "fee", "is not a price"),
        ({"exchange_rate": "0"}, "exchange_rate", "must be above zero"),
        ({"interbank_rate": "-655"}, "interbank_rate", "must be above zero"),
        # 1/655.957 XOF: a rate written the other way round.
        ({"exchange_rate": "0.0015"}, "exchange_rate", "the other way round"),
        ({"source_currency": "ABC"}, "source_currency", "ABC"),
        ({"destination_country": "XY"}, "destination_country", "XY"),
        ({"destination_country": "IT"}, "destination_country", "from one country to another"),
        ({"quarter_text": "2026_5Q"}, "quarter_text", "is not a quarter"),
        ({"collected_on": "2999-01-01"}, "collected_on", "in the future"),
    ],
)
def test_bad_figures_are_refused_on_their_field_and_nothing_is_stored(
    client, officer, overrides, field, words
):
    provider = ProviderFactory()
    client.force_login(officer)
    response = client.post("/remittances/prices/new/", price_form(provider, **overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and words in " ".join(errors[field]), errors
    assert not Observation.objects.exists() and not Corridor.objects.exists()


def test_the_same_price_twice_is_refused_with_the_one_recorded(client, officer):
    stored = ObservationFactory(
        corridor__source_country="IT", provider__name="Sendwave", instrument="cash"
    )
    client.force_login(officer)
    form = price_form(stored.provider, access_point="agent", source_country="IT", pickup="cash")
    response = client.post("/remittances/prices/new/", form)
    assert response.status_code == 200
    message = " ".join(response.context["form"].non_field_errors())
    assert "already recorded: Sendwave, 2026 Q3, USD 200" in message
    assert Observation.objects.count() == 1
    # Another product of the same provider (paid from a bank account) is another price.
    client.post(
        "/remittances/prices/new/",
        price_form(stored.provider, access_point="agent", instrument="account"),
    )
    assert Observation.objects.count() == 2


def test_correcting_a_price_recomputes_it_and_records_what_changed(client, officer):
    price = ObservationFactory()
    client.force_login(officer)
    form = price_form(
        price.provider,
        source_country="FR",
        fee="10",
        amount_sent="185",
        exchange_rate="650",
        access_point="agent",
    )
    response = client.post(f"/remittances/prices/{price.pk}/edit/", form)
    assert response.status_code == 302
    price.refresh_from_db()
    # 10 / 185 = 5.40541% + (655.957 - 650) / 655.957 = 0.90814%: 6.31355%.
    assert price.total_cost == Decimal("6.3135")
    event = AuditEvent.objects.get(
        action="update", content_type__model="observation", object_id=str(price.pk)
    )
    assert event.changes["fee"] == ["5.00", "10"]
    assert Corridor.objects.count() == 1


def test_analysts_read_prices_but_do_not_write_them(client):
    analyst = user_with_role(Role.ANALYST)
    ObservationFactory(provider__name="Wave")
    client.force_login(analyst)
    assert "Wave" in client.get("/remittances/prices/").content.decode()
    assert client.get("/remittances/prices/new/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.save_observation(analyst, ObservationFactory.build())


def test_a_provider_reports_through_its_link_and_the_report_counts_once_verified(client, officer):
    provider = ProviderFactory(name="Orange Money")
    link = f"/remittances/report/{provider.report_token}/"
    page = client.get(link)
    assert page.status_code == 200 and "Orange Money" in page.content.decode()
    response = client.post(link, price_form(provider=None, provider_id="999"))
    assert response.status_code == 302
    report = Observation.objects.get()
    assert report.provider == provider and report.status == "pending"
    assert report.source == "provider_report"
    assert not Observation.objects.counted().exists()

    client.force_login(officer)
    queue = client.get("/remittances/prices/to-verify/").content.decode()
    assert "Orange Money" in queue
    client.post(f"/remittances/prices/{report.pk}/verify/", {"decision": "accept"})
    report.refresh_from_db()
    assert report.status == "verified" and report.verified_by == officer
    assert list(Observation.objects.counted()) == [report]
    # A decision is taken once.
    response = client.post(
        f"/remittances/prices/{report.pk}/verify/",
        {"decision": "reject", "reason": "x"},
        follow=True,
    )
    assert "This report is already “Verified”: nothing was changed." in response.content.decode()
    report.refresh_from_db()
    assert report.status == "verified"


def test_a_rejection_needs_a_reason_and_the_corrected_report_can_follow(client, officer):
    provider = ProviderFactory()
    corridor = ObservationFactory().corridor  # another provider's price in the corridor
    report = services.submit_report(
        provider, ObservationFactory.build(corridor=corridor, instrument="mobile_money")
    )
    with pytest.raises(ValidationError, match="Say why"):
        services.verify(officer, report, accept=False)
    services.verify(officer, report, accept=False, reason="The fee is last year's.")
    assert Observation.objects.get(pk=report.pk).status == "rejected"
    decision = AuditEvent.objects.get(
        action="update", content_type__model="observation", object_id=str(report.pk)
    )
    assert decision.reason == "The fee is last year's." and decision.actor_id == officer.pk
    assert decision.changes == {"status": ["pending", "rejected"]}
    corrected = services.submit_report(
        provider,
        ObservationFactory.build(
            corridor=report.corridor, instrument="mobile_money", fee=Decimal("3")
        ),
    )
    assert corrected.status == "pending" and Observation.objects.count() == 3


def test_an_unknown_or_renewed_report_link_opens_nothing(client, officer):
    provider = ProviderFactory()
    old = provider.report_token
    assert client.get("/remittances/report/not-a-token/").status_code == 404
    client.force_login(officer)
    client.post(f"/remittances/providers/{provider.pk}/new-link/")
    client.logout()
    provider.refresh_from_db()
    assert provider.report_token != old
    # The log says the link changed, never what it is.
    logged = str(list(AuditEvent.objects.values_list("changes", flat=True)))
    assert old not in logged and provider.report_token not in logged
    assert client.get(f"/remittances/report/{old}/").status_code == 404
    response = client.post(f"/remittances/report/{old}/", price_form())
    assert response.status_code == 404 and not Observation.objects.exists()


def test_provider_names_are_unique_whatever_their_case(client, officer):
    ProviderFactory(name="Western Union")
    client.force_login(officer)
    response = client.post(
        "/remittances/providers/new/", {"name": "  western   union ", "kind": "mto"}
    )
    assert "“Western Union” is already a provider." in response.content.decode()
    assert Provider.objects.count() == 1
    client.post("/remittances/providers/new/", {"name": "Wise", "kind": "fintech"})
    assert Provider.objects.filter(name="Wise", kind="fintech").exists()


def test_the_figures_rules_name_every_problem_at_once():
    problems = services.figure_problems("abc", "-1", "0", "")
    assert problems["amount_sent"] == ["“abc” is not a number."]
    assert problems["fee"] == ["A fee cannot be negative (-1)."]
    assert problems["exchange_rate"] == ["An exchange rate must be above zero, not 0."]
    assert problems["interbank_rate"] == ["“” is not a number."]
    assert services.figure_problems(Decimal("200"), 0, Decimal("0.9"), Decimal("1")) == {}


def test_a_verified_report_shows_in_the_calculator_at_once(
    client, officer, django_capture_on_commit_callbacks
):
    provider = ProviderFactory(name="Lumen Wallet")
    client.post(f"/remittances/report/{provider.report_token}/", price_form())
    report = Observation.objects.get()
    comparison = "/remittances/?corridor=IT-EUR-SN-XOF&amount=185"
    # The calculator's list of corridors is cached, without the unverified report's corridor.
    assert "Lumen Wallet" not in client.get(comparison).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the list is forgotten on commit
        services.verify(officer, report, accept=True)
    assert "Lumen Wallet" in client.get(comparison).content.decode()
