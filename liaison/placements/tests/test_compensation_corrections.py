"""Correcting a placement's budget: an item's amount and description changed, never below what
was paid; an item budgeted by mistake removed while nothing is paid against it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from liaison.accounts.roles import Role, ScopeKind
from liaison.audit.models import AuditEvent
from liaison.audit.services import history
from liaison.placements import services
from liaison.placements.models import CompensationItem, Payment
from liaison.placements.tests.conftest import actor_for, candidate, today
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(selected, officer):
    return services.add_compensation(
        officer, selected, kind="travel", budget=Decimal("800.00"), currency="EUR"
    )


def _logged(action: str, item: CompensationItem):
    return history(item).filter(action=action)


def _stored(item: CompensationItem) -> tuple[Decimal, str, str]:
    item.refresh_from_db()
    return item.budget, item.description, item.currency


def test_an_item_is_corrected_and_the_log_keeps_both_figures(item, officer):
    services.revise_compensation(officer, item, budget="950.50", description="  Return flight ")
    assert _stored(item) == (Decimal("950.50"), "Return flight", "EUR")
    event = _logged(AuditEvent.Action.UPDATE, item).get()
    assert event.changes["budget"] == ["800.00", "950.50"]


def test_a_correction_without_a_description_keeps_the_one_there(item, officer):
    services.revise_compensation(officer, item, budget="800", description="Return flight")
    services.revise_compensation(officer, item, budget="850")
    assert _stored(item) == (Decimal("850.00"), "Return flight", "EUR")
    services.revise_compensation(officer, item, budget="850", description="")
    assert _stored(item)[1] == ""


def test_the_budget_may_come_down_to_what_was_paid_and_no_lower(item, officer):
    services.pay(officer, item, amount="300", currency="EUR", paid_on=today())
    with pytest.raises(ValidationError) as err:
        services.revise_compensation(officer, item, budget="299.99")
    assert err.value.message_dict["budget"] == [
        "300.00 EUR is already paid against this item; the budget cannot be less (not 299.99)."
    ]
    assert _stored(item)[0] == Decimal("800.00")
    services.revise_compensation(officer, item, budget="300")
    assert _stored(item)[0] == Decimal("300.00")
    (line,) = services.budget_lines(item.placement)
    assert (line["paid"], line["left"]) == (Decimal("300.00"), Decimal("0.00"))


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"budget": "-1"}, "budget", "cannot be negative"),
        ({"budget": "lots"}, "budget", "is not an amount"),
        (
            {"budget": "1", "description": "<script>x</script>"},
            "description",
            "Use plain text here",
        ),
    ],
)
def test_a_bad_correction_is_refused_and_nothing_changes(item, officer, fields, field, words):
    with pytest.raises(ValidationError) as err:
        services.revise_compensation(officer, item, **fields)
    assert field in err.value.message_dict
    assert any(words in m for m in err.value.message_dict[field])
    assert _stored(item) == (Decimal("800.00"), "", "EUR")


def test_an_item_without_payments_is_removed_and_one_with_payments_stays(selected, item, officer):
    paid_item = services.add_compensation(
        officer, selected, kind="per_diem", budget="1000", currency="EUR"
    )
    services.pay(officer, paid_item, amount="100", currency="EUR", paid_on=today())
    with pytest.raises(ValidationError, match="Payments are recorded against this item"):
        services.remove_compensation(officer, paid_item)
    services.remove_compensation(officer, item)
    assert list(CompensationItem.objects.values_list("pk", flat=True)) == [paid_item.pk]
    assert Payment.objects.count() == 1
    assert _logged(AuditEvent.Action.DELETE, item).exists()


def test_only_officers_in_scope_correct_or_remove(item, selected):
    focal = actor_for(Role.HOST_FOCAL_POINT, selected)
    elsewhere = user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "DE")
    for outsider in (focal, elsewhere, selected.member.user):
        with pytest.raises(PermissionDenied):
            services.revise_compensation(outsider, item, budget="1")
        with pytest.raises(PermissionDenied):
            services.remove_compensation(outsider, item)
    assert _stored(item) == (Decimal("800.00"), "", "EUR")


def test_the_officer_corrects_and_removes_from_the_placement_page(client, item, officer):
    client.force_login(officer)
    page = client.get(f"/placements/{item.placement_id}/").content.decode()
    action = f"/placements/{item.placement_id}/compensation/{item.pk}/"
    assert f'action="{action}"' in page and 'value="800.00"' in page

    done = client.post(action, {"action": "save", "budget": "820", "description": "Visa"})
    assert done.status_code == 302
    assert _stored(item) == (Decimal("820.00"), "Visa", "EUR")
    corrected = _logged(AuditEvent.Action.UPDATE, item).get()
    assert corrected.actor_id == officer.pk and corrected.changes["description"] == ["", "Visa"]

    refused = client.post(action, {"action": "save", "budget": "eight"}, follow=True)
    assert "“eight” is not an amount." in refused.content.decode()
    assert _stored(item)[0] == Decimal("820.00")

    client.post(action, {"action": "remove"})
    assert not CompensationItem.objects.filter(pk=item.pk).exists()


def test_an_item_of_another_placement_is_not_found_through_this_one(client, item, officer):
    other = candidate()
    client.force_login(actor_for(Role.PROGRAMME_OFFICER, other))
    response = client.post(f"/placements/{other.pk}/compensation/{item.pk}/", {"action": "remove"})
    assert response.status_code == 404
    assert CompensationItem.objects.filter(pk=item.pk).exists()


def test_a_host_focal_point_is_refused(client, item, selected):
    client.force_login(actor_for(Role.HOST_FOCAL_POINT, selected))
    response = client.post(
        f"/placements/{selected.pk}/compensation/{item.pk}/", {"action": "remove"}
    )
    assert response.status_code == 403
    assert CompensationItem.objects.filter(pk=item.pk).exists()
