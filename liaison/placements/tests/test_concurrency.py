"""Two officers moving the same placement at the same moment, each on their own database
connection (two threads): one move wins, the other is refused with who moved it, and the
placement, its log and the audit trail hold exactly one move."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, connections

from liaison.accounts.roles import Role
from liaison.audit.models import AuditEvent
from liaison.placements import services
from liaison.placements.models import Placement, PlacementTransition, State, Track
from liaison.placements.tests.conftest import actor_for, arrange, today


def _waiting_on_a_lock() -> bool:
    """Whether another session of the test database waits for a row lock (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return bool(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_two_officers_moving_one_placement_at_once_make_one_move(monkeypatch):
    placement, values = arrange(Track.MISSION, "contract", State.SELECTED)
    first = actor_for(Role.PROGRAMME_OFFICER, placement)
    second = actor_for(Role.PROGRAMME_OFFICER, placement)
    seen = Placement.objects.get(pk=placement.pk)  # both pages show "selected"

    holding = threading.Event()
    go = threading.Event()
    set_fields = services._set_fields

    def slow_set_fields(locked: Placement, *args: Any) -> Any:
        # The first officer's move pauses here, with the placement's row locked, until the
        # second officer's move has started.
        if threading.current_thread().name == "first":
            holding.set()
            assert go.wait(30)
        return set_fields(locked, *args)

    monkeypatch.setattr(services, "_set_fields", slow_set_fields)
    outcomes: dict[str, Any] = {}

    def move(name: str, actor: Any, step: str, **kwargs: Any) -> None:
        try:
            outcomes[name] = services.transition(actor, seen, step, **kwargs).state
        except Exception as error:  # the outcome is what the test checks
            outcomes[name] = error
        finally:
            connections.close_all()

    contract = threading.Thread(
        target=move, name="first", args=("first", first, "contract"), kwargs={"values": values}
    )
    cancel = threading.Thread(
        target=move,
        name="second",
        args=("second", second, "cancel"),
        kwargs={"reason": "Funding withdrawn"},
    )
    contract.start()
    assert holding.wait(30)
    cancel.start()
    if connection.vendor == "postgresql":
        # The second move is really inside the race: it waits for the first one's lock.
        deadline = time.monotonic() + 30
        while not _waiting_on_a_lock():
            assert time.monotonic() < deadline, "the second move never waited for the lock"
            time.sleep(0.02)
    else:
        time.sleep(0.3)  # SQLite: the second transaction waits to begin
    go.set()
    contract.join(30)
    cancel.join(30)

    assert outcomes["first"] == State.CONTRACTED
    refusal = outcomes["second"]
    assert isinstance(refusal, services.StaleState), refusal
    message = refusal.messages[0]
    assert "“Contracted”" in message and "“Selected”" in message and str(first) in message
    placement.refresh_from_db()
    assert placement.state == State.CONTRACTED and placement.starts == today()
    assert list(PlacementTransition.objects.values_list("name", "actor")) == [
        ("contract", first.pk)
    ]
    moves = AuditEvent.objects.filter(
        content_type__model="placement", object_id=str(placement.pk), action="update"
    )
    assert moves.count() == 1 and moves.get().actor_id == first.pk
