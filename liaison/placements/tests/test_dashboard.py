"""The programme dashboard: assignments by sector, region of origin, the expert's host country,
modality, sex and status; institutions; expert-days; share of women; budget against payments;
quota use; small counts of people hidden, within the reader's scope."""

from __future__ import annotations

from decimal import Decimal

import pytest

from liaison.accounts.roles import Role, ScopeKind
from liaison.placements import dashboard
from liaison.placements.models import CompensationItem, Payment, State
from liaison.registry.models import Organisation
from tests.factories import (
    OpportunityFactory,
    OrganisationFactory,
    PlacementFactory,
    ProgrammeFactory,
    QuotaFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_threshold(settings):
    settings.LIAISON_DEFAULT_SUPPRESSION_THRESHOLD = 3


@pytest.fixture
def world():
    """Six missions in France at two hospitals (4 women, 2 men; one in education), one
    candidacy still open, and three workers in Germany under a Philippine agreement."""
    programme = ProgrammeFactory(code="mida")
    hosts = [OrganisationFactory(kind=Organisation.Kind.HOST, country="FR") for _ in range(2)]
    missions = []
    for i, sex in enumerate(["female", "female", "female", "female", "male", "male"]):
        opportunity = OpportunityFactory(
            published=True,
            host=hosts[i % 2],
            programme=programme,
            sector="education" if i == 0 else "health",
            modality="virtual" if i == 1 else "temporary",
        )
        missions.append(
            PlacementFactory(
                application__opportunity=opportunity,
                application__member__sex=sex,
                application__member__country_of_residence="DE" if i < 3 else "CA",
                state=State.EVALUATED if i == 0 else State.COMPLETED,
                days_worked=10,
                contract_days=12,
            )
        )
    PlacementFactory(application__opportunity=missions[2].opportunity)  # applied
    quota = QuotaFactory(positions=10, agreement__origin_country="PH")
    job = OpportunityFactory(
        published=True,
        job_order=True,
        quota=quota,
        programme=quota.agreement.programme,
        positions=3,
    )
    workers = [
        PlacementFactory(
            application__opportunity=job,
            application__member__sex="male",
            track="labour",
            state=State.DEPARTED,
        )
        for _ in range(3)
    ]
    for placement in missions[:3]:
        item = CompensationItem.objects.create(
            placement=placement, kind="per_diem", budget=Decimal("1000"), currency="EUR"
        )
        Payment.objects.create(
            item=item, amount=Decimal("400"), currency="EUR", paid_on="2026-05-01"
        )
    CompensationItem.objects.create(
        placement=missions[3], kind="travel", budget=Decimal("900"), currency="USD"
    )
    return {"missions": missions, "workers": workers, "quota": quota}


def _rows(board, key):
    table = next(t for t in board.tables if t.key == key)
    return {r.key: r.count for r in table.rows}, table


def test_an_analyst_sees_the_programmes_figures_with_small_cells_hidden(world):
    board = dashboard.build(user_with_role(Role.ANALYST))
    assert board.assignments == 9  # the open candidacy is not an assignment
    assert board.institutions == 2
    assert board.expert_days == 60 and board.contracted_days == 72
    assert board.women_share == 44.4  # 4 of 9
    regions, _t = _rows(board, "origin_region")
    assert regions == {"155": 6, "035": 3}  # Western Europe (France), South-eastern Asia
    countries, _t = _rows(board, "expert_country")
    assert countries == {"DE": 3, "CA": 3, "FR": 3}
    sectors, table = _rows(board, "sector")
    # one assignment in education: hidden, and health with it (else 9 - 8 would give it away)
    assert sectors["education"] is None and sectors["health"] is None and table.total == 9
    modality, _t = _rows(board, "modality")
    # one virtual mission: hidden, with the next smallest cell (jobs abroad, 3)
    assert modality["virtual"] is None and modality["job_abroad"] is None
    assert modality["temporary"] == 5
    status, _t = _rows(board, "status")
    assert status["applied"] is None and status["evaluated"] is None  # one each
    assert status["completed"] == 5
    (eur, usd) = board.money
    assert (eur.currency, eur.budget, eur.paid, eur.left) == (
        "EUR",
        Decimal("3000.00"),
        Decimal("1200.00"),
        Decimal("1800.00"),
    )
    assert (usd.currency, usd.budget, usd.paid) == ("USD", None, None)  # one person's budget
    (use,) = board.quotas
    assert (use.quota, use.drawn, use.placed, use.departed) == (world["quota"], 3, 3, 3)


def test_too_few_people_hide_the_sums_over_them(world):
    board = dashboard.build(
        user_with_role(Role.ANALYST), programme=world["quota"].agreement.programme.code
    )
    assert board.assignments == 3 and board.expert_days == 0
    world["workers"][0].delete()
    board = dashboard.build(
        user_with_role(Role.ANALYST), programme=world["quota"].agreement.programme.code
    )
    assert board.assignments is None
    (use,) = board.quotas
    assert use.placed is None and use.departed is None and use.drawn == 3


def test_an_officer_sees_the_placements_of_their_scope_only(world):
    officer = user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "FR")
    board = dashboard.build(officer)
    assert board.assignments == 6  # the jobs in Germany are outside France
    assert board.quotas == []
    regions, _t = _rows(board, "origin_region")
    assert regions == {"155": 6}


def test_the_dashboard_page_and_api_show_the_same_figures(world, client):
    analyst = user_with_role(Role.ANALYST)
    client.force_login(analyst)
    page = client.get("/placements/dashboard/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-figure="assignments">9<' in html and 'data-figure="women">44.4%<' in html
    data = client.get("/api/v1/placements/dashboard/").json()
    assert data["assignments"] == 9 and data["expert_days"] == 60
    assert data["share_of_women"] == 44.4
    assert data["money"][1] == {
        "currency": "USD",
        "budget": None,
        "paid": None,
        "left": None,
        "placements": None,
    }
    sectors = next(t for t in data["tables"] if t["key"] == "sector")
    assert {r["key"]: r["count"] for r in sectors["rows"]}["education"] is None
