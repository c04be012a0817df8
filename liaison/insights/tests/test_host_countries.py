"""Members by host country next to the World Bank's estimate, as analysts see them: counts only,
no cell small enough to single a person out, in the page and in the download alike."""

from __future__ import annotations

import csv
import io

import pytest

from liaison.accounts.roles import Role
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
    board = page.context["board"]
    hosts = board.tables["countries"]
    rows = {r.key: r for r in hosts.rows}
    assert board.total == 21 and hosts.total == 21
    assert board.estimate_year == 2017
    assert (rows["FR"].count, rows["FR"].extra) == (12, [600, 2.0])
    assert (rows["US"].count, rows["US"].extra) == (0, [2000, 0.0])
    # Germany's 2 are hidden; Italy's 7, the next smallest, too, or 21 - 12 would give them away.
    assert rows["DE"].hidden and rows["IT"].hidden
    assert rows["DE"].extra == [100, None] and rows["IT"].extra == [350, None]
    assert [r.key for r in hosts.rows][:2] == ["US", "FR"]  # largest estimate first
    body = page.content.decode()
    assert body.count(">hidden</span>") >= 2
    download = client.get("/insights/host-countries.csv").content.decode()
    table = {row[1]: row for row in csv.reader(io.StringIO(download))}
    assert table["DE"][2] == "hidden" and table["IT"][2] == "hidden"
    assert table["FR"][2:] == ["12", "600", "2.0"]
    assert table["IT"][3:] == ["350", ""]


def test_the_estimate_is_left_out_under_a_filter_that_is_not_the_host_country(client, registry):
    client.force_login(user_with_role(Role.ANALYST))
    by_country = client.get("/insights/", {"country": "FR"}).context["board"]
    assert [(r.key, r.count, r.extra) for r in by_country.tables["countries"].rows] == [
        ("FR", 12, [600, 2.0])
    ]
    female = client.get("/insights/", {"sex": "female"}).context["board"]
    assert female.tables["countries"].columns == []
    assert all(r.extra == [] for r in female.tables["countries"].rows)
    assert female.estimate_year is None


def test_people_without_the_analyst_roles_see_nothing(client, registry):
    for role in (Role.MEMBER, Role.CONSULAR_OFFICER, Role.ORGANISATION_REP):
        client.force_login(user_with_role(role))
        for path in (
            "/insights/",
            "/insights/host-countries.csv",
            "/insights/export.csv",
            "/insights/export.pdf",
            "/insights/surveys/",
            "/api/v1/insights/dashboard/",
        ):
            assert client.get(path).status_code == 403, (role, path)
