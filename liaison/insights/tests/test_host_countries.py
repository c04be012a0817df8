"""Members by host country next to the World Bank's estimate, as analysts see them: counts only,
no cell small enough to single a person out, in the page and in the download alike."""

from __future__ import annotations

import csv
import io

import pytest

from liaison.accounts.roles import Role
from liaison.insights.aggregates import suppress
from liaison.insights.models import MigrantStock
from tests.factories import MemberFactory, user_with_role


@pytest.fixture
def registry(db, settings):
    settings.LIAISON_ORIGIN_COUNTRY = "PH"
    settings.LIAISON_DEFAULT_SUPPRESSION_THRESHOLD = 5
    MemberFactory.create_batch(12, country_of_residence="FR")
    MemberFactory.create_batch(7, country_of_residence="IT")
    MemberFactory.create_batch(2, country_of_residence="DE")
    for destination, stock in (("FR", 600), ("IT", 350), ("DE", 100), ("US", 2000)):
        MigrantStock.objects.create(
            origin="PH", destination=destination, year=2017, stock=stock, source="test"
        )
    MigrantStock.objects.create(origin="SN", destination="FR", year=2017, stock=9, source="t")


def test_counts_sit_next_to_the_estimate_and_small_cells_are_hidden(client, registry):
    client.force_login(user_with_role(Role.ANALYST))
    page = client.get("/insights/")
    rows = {r.code: r for r in page.context["rows"]}
    assert page.context["total"] == 21
    assert (rows["FR"].registered, rows["FR"].estimate, rows["FR"].coverage) == (12, 600, 2.0)
    assert (rows["US"].registered, rows["US"].coverage) == (0, 0.0)
    # Germany's 2 are hidden; Italy's 7, the next smallest, too, or 21 - 12 would give them away.
    assert rows["DE"].hidden and rows["IT"].hidden
    assert rows["DE"].coverage is None and rows["IT"].coverage is None
    body = page.content.decode()
    assert "fewer than 5" in body
    assert [r.code for r in page.context["rows"]][:2] == ["US", "FR"]  # largest estimate first
    download = client.get("/insights/host-countries.csv").content.decode()
    table = {row[1]: row for row in csv.reader(io.StringIO(download))}
    assert table["DE"][2] == "<5" and table["IT"][2] == "<5"
    assert table["FR"][2:] == ["12", "600", "2.0"]


@pytest.mark.parametrize(
    ("counts", "hidden"),
    [
        ({"a": 10, "b": 3, "c": 7}, {"b", "c"}),  # one small cell: the next smallest goes too
        ({"a": 10, "b": 3, "c": 2}, {"b", "c"}),  # two small cells hide each other
        ({"a": 10, "b": 0, "c": 7}, set()),  # nobody is not a person to protect
        ({"a": 3}, {"a"}),
    ],
)
def test_suppression_hides_small_cells_and_what_would_reveal_them(counts, hidden):
    shown = suppress(counts, 5)
    assert {k for k, v in shown.items() if v is None} == hidden
    assert all(shown[k] == v for k, v in counts.items() if k not in hidden)


def test_people_without_the_analyst_roles_see_nothing(client, registry):
    for role in (Role.MEMBER, Role.CONSULAR_OFFICER, Role.ORGANISATION_REP):
        client.force_login(user_with_role(role))
        assert client.get("/insights/").status_code == 403
        assert client.get("/insights/host-countries.csv").status_code == 403
