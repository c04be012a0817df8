"""The placement pages, opened by an owner (the officer of the country), a colleague and an
outsider; steps, selection and the member's own pages through the browser's forms."""

from __future__ import annotations

import html

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liaison.accounts.roles import Role, ScopeKind
from liaison.audit.models import AuditEvent
from liaison.placements import selection
from liaison.placements.models import MissionReport, Placement, Review, Shortlist, State
from liaison.placements.tests.conftest import actor_for, arrange, candidate, days_ago, today
from tests.factories import ApplicationFactory, user_with_role

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def placement():
    placement, _values = arrange("mission", "contract", State.SELECTED)
    return placement


@pytest.fixture
def alice(placement):
    return actor_for(Role.PROGRAMME_OFFICER, placement)


@pytest.fixture
def bob(placement):
    return actor_for(Role.PROGRAMME_OFFICER, placement)


@pytest.fixture
def charlie(db):
    return user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "DE")


def test_officers_of_the_country_see_the_placement_and_an_outsider_gets_404(
    client, placement, alice, bob, charlie
):
    for officer in (alice, bob):
        client.force_login(officer)
        assert placement.reference in _text(client.get("/placements/"))
        page = client.get(f"/placements/{placement.pk}/")
        assert page.status_code == 200 and "Record the contract" in _text(page)
    assert AuditEvent.objects.filter(action="view", object_id=str(placement.pk)).count() == 2
    client.force_login(charlie)
    assert placement.reference not in _text(client.get("/placements/"))
    assert client.get(f"/placements/{placement.pk}/").status_code == 404
    assert client.post(f"/placements/{placement.pk}/step/", {"step": "cancel"}).status_code == 404


def test_the_list_reads_a_constant_number_of_queries(client, alice):
    client.force_login(alice)
    with CaptureQueriesContext(connection) as few:
        client.get("/placements/")
    for _ in range(5):
        candidate()
    with CaptureQueriesContext(connection) as more:
        page = client.get("/placements/")
    assert _text(page).count("P-0") >= 6
    assert len(more) == len(few)


def test_a_step_from_the_page_moves_the_placement(client, placement, alice):
    client.force_login(alice)
    response = client.post(
        f"/placements/{placement.pk}/step/",
        {
            "step": "contract",
            "step-contract-expected_state": "selected",
            "step-contract-starts": today().isoformat(),
            "step-contract-ends": today().replace(year=today().year + 1).isoformat(),
            "step-contract-contract_days": "30",
        },
        follow=True,
    )
    assert f"{placement.reference}: “Record the contract” done." in _text(response)
    placement.refresh_from_db()
    assert placement.state == State.CONTRACTED and placement.contract_days == 30


def test_bad_dates_on_the_page_are_explained_and_nothing_moves(client, placement, alice):
    client.force_login(alice)
    response = client.post(
        f"/placements/{placement.pk}/step/",
        {
            "step": "contract",
            "step-contract-expected_state": "selected",
            "step-contract-starts": "2026-07-01",
            "step-contract-ends": "2026-06-01",
            "step-contract-contract_days": "5",
        },
        follow=True,
    )
    assert "Contract ends (" in _text(response) and "is before contract starts" in _text(response)
    placement.refresh_from_db()
    assert placement.state == State.SELECTED and placement.starts is None


def test_a_page_that_went_stale_says_who_moved_the_placement(client, placement, alice, bob):
    client.force_login(bob)
    client.post(
        f"/placements/{placement.pk}/step/",
        {
            "step": "cancel",
            "step-cancel-expected_state": "selected",
            "step-cancel-reason": "No funds",
        },
    )
    client.force_login(alice)
    response = client.post(
        f"/placements/{placement.pk}/step/",
        {
            "step": "contract",
            "step-contract-expected_state": "selected",
            "step-contract-starts": today().isoformat(),
            "step-contract-ends": today().isoformat(),
            "step-contract-contract_days": "1",
        },
        follow=True,
    )
    text = _text(response)
    assert "now “Cancelled”, not “Selected”" in text and str(bob) in text
    assert "Nothing was changed" in text


def test_a_member_sees_and_withdraws_their_own_placement_only(client):
    mine, theirs = candidate(), candidate()
    client.force_login(mine.member.user)
    page = _text(client.get("/placements/mine/"))
    assert mine.reference in page and theirs.reference not in page
    assert client.get(f"/placements/{mine.pk}/").status_code == 403  # the staff page
    refused = client.post(
        f"/placements/{theirs.pk}/step/",
        {
            "step": "withdraw",
            "step-withdraw-expected_state": "applied",
            "step-withdraw-reason": "x",
        },
    )
    assert refused.status_code == 404
    client.post(
        f"/placements/{mine.pk}/step/",
        {
            "step": "withdraw",
            "step-withdraw-expected_state": "applied",
            "step-withdraw-reason": "I took a job in Lyon.",
        },
    )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.state, theirs.state) == (State.WITHDRAWN, State.APPLIED)


def test_the_expert_writes_the_report_from_their_page(client):
    placement, _values = arrange("mission", "complete", State.ON_ASSIGNMENT)
    client.force_login(placement.member.user)
    assert "Write or correct your mission report" in _text(client.get("/placements/mine/"))
    empty = client.post(f"/placements/{placement.pk}/report/", {"activities": "", "results": ""})
    assert empty.status_code == 400
    client.post(
        f"/placements/{placement.pk}/report/",
        {"activities": "Coached the ward.", "results": "Triage within 10 minutes."},
    )
    assert MissionReport.objects.get(placement=placement).submitted_by == placement.member.user


def test_selection_from_shortlist_to_decision_through_the_pages(
    client, django_capture_on_commit_callbacks
):
    first = candidate()
    opportunity = first.opportunity
    second = ApplicationFactory(
        opportunity=opportunity,
        accepted_at="2026-01-06T10:00Z",
        member__email="second@example.org",
    )
    officer = actor_for(Role.PROGRAMME_OFFICER, first)
    ama, kofi = user_with_role(Role.REVIEWER), user_with_role(Role.REVIEWER)
    client.force_login(officer)
    assert "New shortlist" in _text(
        client.get(f"/placements/opportunities/{opportunity.pk}/shortlist/")
    )
    refused = client.post(
        f"/placements/opportunities/{opportunity.pk}/shortlist/",
        {"applications": [first.application_id], "panel": "committee", "reviewers": [ama.pk]},
    )
    assert refused.status_code == 400 and "two members or more" in _text(refused)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            f"/placements/opportunities/{opportunity.pk}/shortlist/",
            {
                "applications": [first.application_id, second.pk],
                "panel": "committee",
                "reviewers": [ama.pk, kofi.pk],
            },
        )
    shortlist = Shortlist.objects.get()
    assert sent["Location"] == f"/placements/shortlists/{shortlist.pk}/"
    assert len(mail.outbox) == 2
    one, two = shortlist.candidates.order_by("pk")
    for reviewer, scores in ((ama, ("8", "5")), (kofi, ("7", "6"))):
        client.force_login(reviewer)
        page = _text(client.get(f"/placements/shortlists/{shortlist.pk}/review/"))
        assert "Conflicts of interest" in page
        client.post(f"/placements/shortlists/{shortlist.pk}/review/", {"action": "declare"})
        bad = client.post(
            f"/placements/shortlists/{shortlist.pk}/review/",
            {"action": "score", f"score_{one.pk}": "11", f"score_{two.pk}": "5"},
        )
        assert bad.status_code == 400 and "score (1 to 10)" in _text(bad)
        client.post(
            f"/placements/shortlists/{shortlist.pk}/review/",
            {"action": "score", f"score_{one.pk}": scores[0], f"score_{two.pk}": scores[1]},
        )
    assert Review.objects.filter(score__isnull=False).count() == 4
    client.force_login(user_with_role(Role.REVIEWER))  # not on this panel
    assert client.get(f"/placements/shortlists/{shortlist.pk}/review/").status_code == 404
    client.force_login(officer)
    board = _text(client.get(f"/placements/shortlists/{shortlist.pk}/"))
    assert "7.5" in board and "5.5" in board
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/placements/shortlists/{shortlist.pk}/",
            {"action": "decide", "selected": [one.pk]},
        )
    assert dict(Placement.objects.values_list("pk", "state")) == {
        one.pk: State.SELECTED,
        two.pk: State.NOT_SELECTED,
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [first.member.email, "second@example.org"]
    )


def test_a_shortlist_refused_for_a_reason_not_tied_to_a_field_says_so_on_the_page(
    client, monkeypatch
):
    first = candidate()
    opportunity = first.opportunity
    officer = actor_for(Role.PROGRAMME_OFFICER, first)
    colleague = actor_for(Role.PROGRAMME_OFFICER, first)
    ama, kofi = user_with_role(Role.REVIEWER), user_with_role(Role.REVIEWER)
    move = selection.transition

    def cancelled_meanwhile(actor, placement, step, **kwargs):
        # A colleague cancels the candidate's placement after the shortlist checked it and
        # before it moves (the race, in a fixed order): the move is refused as stale, a
        # ValidationError about the whole shortlist, tied to no field.
        if step == "shortlist":
            move(colleague, placement, "cancel", reason="Funding withdrawn")
        return move(actor, placement, step, **kwargs)

    monkeypatch.setattr(selection, "transition", cancelled_meanwhile)
    client.force_login(officer)
    refused = client.post(
        f"/placements/opportunities/{opportunity.pk}/shortlist/",
        {
            "applications": [first.application_id],
            "panel": "committee",
            "reviewers": [ama.pk, kofi.pk],
        },
    )
    assert refused.status_code == 400
    page = _text(refused)
    assert 'class="alert alert-danger"' in page
    assert f"This placement is now “Cancelled”, not “Applied” as on your page: {colleague}" in page
    # Nothing half-stored: no shortlist, and the placement (cancelled in the same
    # transaction) as it was.
    assert not Shortlist.objects.exists()
    first.refresh_from_db()
    assert first.state == State.APPLIED


def test_payments_recorded_from_the_page_refuse_another_currency(client, placement, alice):
    client.force_login(alice)
    client.post(
        f"/placements/{placement.pk}/compensation/",
        {"kind": "travel", "budget": "700", "currency": "EUR", "description": "Flight"},
    )
    (item,) = placement.compensation.all()
    response = client.post(
        f"/placements/{placement.pk}/payments/",
        {"item": item.pk, "amount": "700", "currency": "USD", "paid_on": days_ago(1).isoformat()},
        follow=True,
    )
    assert "budgeted in EUR; record the payment in EUR, not USD" in _text(response)
    assert not item.payments.exists()


def test_the_hosts_focal_point_confirms_the_start_but_cannot_contract(client):
    placement, _values = arrange("mission", "start", State.CONTRACTED)
    focal = actor_for(Role.HOST_FOCAL_POINT, placement)
    client.force_login(focal)
    page = _text(client.get(f"/placements/{placement.pk}/"))
    assert "Confirm the start" in page and "Cancel" not in page and "Compensation" not in page
    client.post(
        f"/placements/{placement.pk}/step/",
        {
            "step": "start",
            "step-start-expected_state": "contracted",
            "step-start-started_on": days_ago(1).isoformat(),
        },
    )
    placement.refresh_from_db()
    assert placement.state == State.ON_ASSIGNMENT and placement.started_on == days_ago(1)
    refused = client.post(
        f"/placements/{placement.pk}/step/",
        {
            "step": "cancel",
            "step-cancel-expected_state": "on_assignment",
            "step-cancel-reason": "x",
        },
        follow=True,
    )
    assert "Your roles do not include this." in _text(refused)
    placement.refresh_from_db()
    assert placement.state == State.ON_ASSIGNMENT
