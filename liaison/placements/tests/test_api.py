"""The placements API: scope, steps (400, 403, 409), compensation and payments."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liaison.accounts.roles import Role, ScopeKind
from liaison.placements import services
from liaison.placements.models import Placement, State
from liaison.placements.tests.conftest import actor_for, arrange, candidate, days_ago, today
from tests.factories import OpportunityFactory, PlacementFactory, user_with_role

pytestmark = pytest.mark.django_db


def _url(placement: Placement, action: str = "") -> str:
    return f"/api/v1/placements/{placement.pk}/" + (f"{action}/" if action else "")


def test_officers_list_the_placements_of_their_countries_in_a_constant_number_of_queries(client):
    in_france = [candidate() for _ in range(3)]
    germany = PlacementFactory(
        application__opportunity=OpportunityFactory(published=True, country="DE")
    )
    officer = actor_for(Role.PROGRAMME_OFFICER, in_france[0])
    client.force_login(officer)
    with CaptureQueriesContext(connection) as few:
        response = client.get("/api/v1/placements/")
    assert sorted(p["id"] for p in response.json()["results"]) == sorted(p.pk for p in in_france)
    for _ in range(4):
        candidate()
    with CaptureQueriesContext(connection) as more:
        response = client.get("/api/v1/placements/")
    assert len(response.json()["results"]) == 7
    assert len(more) == len(few)
    assert client.get(_url(germany)).status_code == 404


def test_a_host_focal_point_sees_their_institutions_placements_only_and_not_the_pay(client):
    mine, other = candidate(), candidate()
    Placement.objects.filter(pk=mine.pk).update(state=State.SELECTED)
    services.add_compensation(
        actor_for(Role.ADMINISTRATOR, mine), mine, kind="stipend", budget=3000, currency="EUR"
    )
    client.force_login(actor_for(Role.HOST_FOCAL_POINT, mine))
    assert [p["id"] for p in client.get("/api/v1/placements/").json()["results"]] == [mine.pk]
    assert client.get(_url(mine)).json()["budget"] is None
    page = client.get(f"/placements/{mine.pk}/")  # the page opens, without the pay
    assert page.status_code == 200 and "3000" not in page.content.decode()
    assert client.get(_url(other)).status_code == 404


def test_the_detail_holds_history_budget_checklist_surveys_and_the_callers_steps(client):
    placement, _values = arrange("labour", "depart", State.PRE_DEPARTURE)
    client.force_login(actor_for(Role.PROGRAMME_OFFICER, placement))
    data = client.get(_url(placement)).json()
    assert data["reference"] == placement.reference and data["track"] == "labour"
    assert data["steps"] == ["depart", "withdraw", "cancel"]
    assert {c["item"] for c in data["checklist"]} == {
        "contract",
        "visa",
        "medical",
        "orientation",
        "travel",
    }
    assert data["transitions"] == [] and data["budget"] == [] and data["surveys"] == []


def test_a_step_through_the_api_moves_the_placement_and_logs_it(client):
    placement, _values = arrange("labour", "depart", State.PRE_DEPARTURE)
    officer = actor_for(Role.PROGRAMME_OFFICER, placement)
    client.force_login(officer)
    response = client.post(
        _url(placement, "transition"),
        {
            "step": "depart",
            "expected_state": "pre_departure",
            "departed_on": days_ago(1).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["state"] == "departed" and data["departed_on"] == days_ago(1).isoformat()
    assert data["transitions"][0]["name"] == "depart"
    assert data["transitions"][0]["actor"] == str(officer)


def test_a_stale_expected_state_answers_409_and_changes_nothing(client):
    placement, _values = arrange("labour", "return", State.DEPARTED)
    client.force_login(actor_for(Role.PROGRAMME_OFFICER, placement))
    response = client.post(
        _url(placement, "transition"),
        {"step": "return", "expected_state": "pre_departure", "returned_on": today().isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "Nothing was changed" in response.json()["detail"][0]
    placement.refresh_from_db()
    assert placement.state == State.DEPARTED and placement.returned_on is None


def test_a_return_before_departure_answers_400_by_field(client):
    placement, _values = arrange("labour", "return", State.DEPARTED)
    client.force_login(actor_for(Role.PROGRAMME_OFFICER, placement))
    response = client.post(
        _url(placement, "transition"),
        {"step": "return", "expected_state": "departed", "returned_on": days_ago(60).isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "is before departed on" in response.json()["returned_on"][0]
    response = client.post(
        _url(placement, "transition"),
        {"step": "return", "expected_state": "departed", "returned_on": "31/02/2026"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "returned_on" in response.json()
    placement.refresh_from_db()
    assert placement.state == State.DEPARTED


def test_a_step_outside_the_callers_role_answers_403(client):
    placement, values = arrange("mission", "contract", State.SELECTED)
    client.force_login(actor_for(Role.HOST_FOCAL_POINT, placement))
    response = client.post(
        _url(placement, "transition"),
        {
            "step": "contract",
            "expected_state": "selected",
            **{k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in values.items()},
        },
        content_type="application/json",
    )
    assert response.status_code == 403
    placement.refresh_from_db()
    assert placement.state == State.SELECTED


def test_members_and_reviewers_have_no_placements_api(client):
    placement = candidate()
    for user in (placement.member.user, user_with_role(Role.REVIEWER)):
        client.force_login(user)
        assert client.get("/api/v1/placements/").status_code == 403
        assert client.get(_url(placement)).status_code == 403


def test_compensation_and_payments_through_the_api(client):
    placement, _values = arrange("mission", "contract", State.SELECTED)
    client.force_login(actor_for(Role.PROGRAMME_OFFICER, placement))
    bad = client.post(
        _url(placement, "compensation"),
        {"kind": "travel", "budget": "900", "currency": "XXY"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "ISO 4217" in bad.json()["currency"][0]
    made = client.post(
        _url(placement, "compensation"),
        {"kind": "travel", "budget": "900", "currency": "EUR", "description": "Flight"},
        content_type="application/json",
    )
    assert made.status_code == 201
    item = made.json()["budget"][0]
    paid = client.post(
        _url(placement, "payments"),
        {"item": item["id"], "amount": "350", "currency": "EUR", "paid_on": today().isoformat()},
        content_type="application/json",
    )
    assert paid.status_code == 201
    assert paid.json()["budget"][0]["paid"] == "350.00"
    assert paid.json()["budget"][0]["left"] == "550.00"
    over = client.post(
        _url(placement, "payments"),
        {"item": item["id"], "amount": "600", "currency": "EUR", "paid_on": today().isoformat()},
        content_type="application/json",
    )
    assert over.status_code == 400 and "more than is left" in over.json()["amount"][0]


def test_the_api_dashboard_is_for_analysts_and_officers(client):
    client.force_login(user_with_role(Role.HOST_FOCAL_POINT, ScopeKind.INSTITUTION, "1"))
    assert client.get("/api/v1/placements/dashboard/").status_code == 403
    client.force_login(user_with_role(Role.ANALYST))
    assert client.get("/api/v1/placements/dashboard/").json()["assignments"] == 0


def test_a_list_filter_in_the_query_string_does_not_turn_a_step_into_an_error(client):
    # The list's ?state= once made the answer to a step a 500 after the step was saved.
    placement, _values = arrange("labour", "depart", State.PRE_DEPARTURE)
    client.force_login(actor_for(Role.PROGRAMME_OFFICER, placement))
    response = client.post(
        _url(placement, "transition") + "?state=pre_departure",
        {
            "step": "depart",
            "expected_state": "pre_departure",
            "departed_on": days_ago(1).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "departed"


def test_a_budgeted_item_is_corrected_and_removed_through_the_api(client):
    placement, _values = arrange("mission", "contract", State.SELECTED)
    officer = actor_for(Role.PROGRAMME_OFFICER, placement)
    client.force_login(officer)
    paid = services.add_compensation(officer, placement, kind="travel", budget=900, currency="EUR")
    spare = services.add_compensation(officer, placement, kind="other", budget=50, currency="EUR")
    services.pay(officer, paid, amount="350", currency="EUR", paid_on=today())
    url = _url(placement, f"compensation/{paid.pk}")

    below = client.patch(url, {"budget": "349.99"}, content_type="application/json")
    assert below.status_code == 400
    assert below.json()["budget"] == [
        "350.00 EUR is already paid against this item; the budget cannot be less (not 349.99)."
    ]
    wrong_type = client.patch(url, {"budget": "a lot"}, content_type="application/json")
    assert wrong_type.status_code == 400 and "budget" in wrong_type.json()
    corrected = client.patch(
        url, {"budget": "400", "description": "Flight"}, content_type="application/json"
    )
    assert corrected.status_code == 200
    line = next(b for b in corrected.json()["budget"] if b["id"] == paid.pk)
    assert (line["budget"], line["left"], line["description"]) == ("400.00", "50.00", "Flight")
    # a budget alone leaves the description as it is
    again = client.patch(url, {"budget": "420"}, content_type="application/json")
    line = next(b for b in again.json()["budget"] if b["id"] == paid.pk)
    assert (line["budget"], line["description"]) == ("420.00", "Flight")

    kept = client.delete(url)
    assert kept.status_code == 400 and "Payments are recorded" in kept.json()["detail"][0]
    removed = client.delete(_url(placement, f"compensation/{spare.pk}"))
    assert removed.status_code == 200
    assert [b["id"] for b in removed.json()["budget"]] == [paid.pk]


def test_an_item_of_another_placement_answers_404_and_a_focal_point_403(client):
    placement, _values = arrange("mission", "contract", State.SELECTED)
    officer = actor_for(Role.PROGRAMME_OFFICER, placement)
    item = services.add_compensation(officer, placement, kind="travel", budget=900, currency="EUR")
    other = candidate()
    client.force_login(actor_for(Role.PROGRAMME_OFFICER, other))
    assert client.delete(_url(other, f"compensation/{item.pk}")).status_code == 404
    client.force_login(actor_for(Role.HOST_FOCAL_POINT, placement))
    assert client.delete(_url(placement, f"compensation/{item.pk}")).status_code == 403
    item.refresh_from_db()
    assert item.budget == 900
