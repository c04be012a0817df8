"""The programme dashboard: what the placements achieved, as programmes report it (number of
assignments, institutions benefited, expert-days, share of women, budget against spending,
use of labour agreements' quotas), within the reader's scope.

Counts of people go through ``insights.aggregates`` (``table``, ``suppress``): no cell from 1
to the threshold less one is shown, and more are hidden where a total would let them be worked
out. Sums over people (expert-days, money) are shown only when at least the threshold of
people contribute to them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django_countries import countries

from liaison.accounts.permissions import visible
from liaison.insights.aggregates import Table, share, suppress, table, threshold
from liaison.opportunities.models import Modality, Opportunity, Programme, Quota, Sector
from liaison.placements.models import (
    ASSIGNED_STATES,
    CompensationItem,
    Payment,
    Placement,
    State,
    Track,
)
from liaison.registry.models import Sex
from liaison.taxonomy import regions

ACTION = "placements.dashboard"
# Assignments that brought an expert to a host institution: they count as "benefited".
DELIVERED = (State.ON_ASSIGNMENT, State.COMPLETED, State.EVALUATED)
DONE = (State.COMPLETED, State.EVALUATED)


@dataclass
class Money:
    currency: str
    budget: Decimal | None  # None: too few placements to show
    paid: Decimal | None
    placements: int | None

    @property
    def left(self) -> Decimal | None:
        if self.budget is None or self.paid is None:
            return None
        return self.budget - self.paid

    def as_dict(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "budget": None if self.budget is None else str(self.budget),
            "paid": None if self.paid is None else str(self.paid),
            "left": None if self.left is None else str(self.left),
            "placements": self.placements,
        }


@dataclass
class QuotaUse:
    quota: Quota
    drawn: int  # positions of the job orders drawing on it
    placed: int | None  # workers selected or further (None: hidden, from 1 to threshold - 1)
    departed: int | None  # of them, departed or returned

    def as_dict(self) -> dict[str, Any]:
        q = self.quota
        return {
            "quota": q.pk,
            "agreement": q.agreement.name,
            "sector": q.sector,
            "starts": q.starts.isoformat(),
            "ends": q.ends.isoformat(),
            "positions": q.positions,
            "drawn": self.drawn,
            "placed": self.placed,
            "departed": self.departed,
        }


@dataclass
class Board:
    assignments: int | None
    tables: list[Table]
    institutions: int
    expert_days: int | None
    contracted_days: int | None
    women_share: float | None
    money: list[Money]
    quotas: list[QuotaUse]
    threshold: int
    programmes: list[Programme] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "assignments": self.assignments,
            "institutions_benefited": self.institutions,
            "expert_days": self.expert_days,
            "contracted_days": self.contracted_days,
            "share_of_women": self.women_share,
            "threshold": self.threshold,
            "tables": [t.as_dict() for t in self.tables],
            "money": [m.as_dict() for m in self.money],
            "quotas": [q.as_dict() for q in self.quotas],
        }


def _labels(choices: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in choices}


def placements_for(user: Any, programme: str = "") -> QuerySet[Placement]:
    rows = visible(user, ACTION, Placement.objects.all())
    if programme:
        rows = rows.filter(opportunity__programme__code=programme)
    return rows


def _counts(rows: QuerySet[Placement], column: str) -> dict[str, int]:
    return {str(k or ""): n for k, n in rows.values_list(column).annotate(n=Count("pk")).order_by()}


def build(user: Any, *, programme: str = "") -> Board:
    limit = threshold()
    everyone = placements_for(user, programme)
    assigned = everyone.filter(state__in=ASSIGNED_STATES)
    total = assigned.count()
    unit = _("assignments")
    tables = [
        table(
            "sector",
            _("Assignments by sector"),
            _counts(assigned, "opportunity__sector"),
            _labels(Sector.choices),
            total=total,
            unit=unit,
        ),
        table(
            "origin_region",
            _("Assignments by region of the country of origin"),
            _origin_regions(assigned),
            regions.labels(),
            total=total,
            unit=unit,
            keep_zero=False,
        ),
        table(
            "expert_country",
            _("Assignments by the expert's host country"),
            _counts(assigned, "expert_country"),
            {**dict(countries), "": _("Not known")},
            total=total,
            unit=unit,
            keep_zero=False,
        ),
        table(
            "modality",
            _("Assignments by modality"),
            _counts(assigned, "opportunity__modality"),
            _labels(Modality.choices),
            total=total,
            unit=unit,
        ),
        table(
            "sex",
            _("Assignments by sex"),
            _counts(assigned, "sex"),
            {**_labels(Sex.choices), "": _("Not known")},
            total=total,
            unit=unit,
        ),
        table(
            "status",
            _("Placements by status (every candidacy)"),
            _counts(everyone, "state"),
            _labels(State.choices),
            total=everyone.count(),
            unit=_("placements"),
            keep_zero=False,
        ),
    ]
    sex_table = tables[4]
    women = next((r.count for r in sex_table.rows if r.key == "female"), None)
    missions = assigned.filter(track=Track.MISSION)
    done = missions.filter(state__in=DONE)
    contracted = missions.exclude(contract_days__isnull=True)
    return Board(
        assignments=total if total == 0 or total >= limit else None,
        tables=tables,
        institutions=missions.filter(state__in=DELIVERED)
        .values("opportunity__host")
        .distinct()
        .count(),
        expert_days=_sum_over_people(done, "days_worked", limit),
        contracted_days=_sum_over_people(contracted, "contract_days", limit),
        women_share=share(women, sex_table.total),
        money=_money(everyone, limit),
        quotas=_quotas(user, everyone, programme, limit),
        threshold=limit,
        programmes=list(
            Programme.objects.filter(opportunities__placements__in=placements_for(user)).distinct()
        ),
    )


def _origin_regions(rows: QuerySet[Placement]) -> dict[str, int]:
    """The country of origin is where a mission takes place, or the origin of the labour
    agreement a job abroad is under."""
    counts: Counter[str] = Counter()
    for track, country, origin, n in (
        rows.values_list(
            "track", "opportunity__country", "opportunity__quota__agreement__origin_country"
        )
        .annotate(n=Count("pk"))
        .order_by()
    ):
        code = origin if track == Track.LABOUR and origin else country
        counts[regions.region_of(code or "")] += n
    return dict(counts)


def _sum_over_people(rows: QuerySet[Placement], column: str, limit: int) -> int | None:
    figures = rows.aggregate(
        people=Count("pk", filter=Q(**{f"{column}__isnull": False})), total=Sum(column)
    )
    if not figures["people"]:
        return 0
    return int(figures["total"] or 0) if figures["people"] >= limit else None


def _money(rows: QuerySet[Placement], limit: int) -> list[Money]:
    budgets = (
        CompensationItem.objects.filter(placement__in=rows)
        .values("currency")
        .annotate(budget=Sum("budget"), placements=Count("placement", distinct=True))
        .order_by("currency")
    )
    paid = dict(
        Payment.objects.filter(item__placement__in=rows)
        .values("currency")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("currency", "total")
    )
    out = []
    for row in budgets:
        enough = row["placements"] >= limit
        out.append(
            Money(
                currency=row["currency"],
                budget=row["budget"] if enough else None,
                paid=Decimal(paid.get(row["currency"]) or 0) if enough else None,
                placements=row["placements"] if enough else None,
            )
        )
    return out


def _quotas(user: Any, rows: QuerySet[Placement], programme: str, limit: int) -> list[QuotaUse]:
    orders = visible(user, ACTION, Opportunity.objects.filter(kind=Opportunity.Kind.JOB_ORDER))
    if programme:
        orders = orders.filter(programme__code=programme)
    quotas = (
        Quota.objects.filter(pk__in=orders.values("quota"))
        .with_drawn()
        .select_related("agreement")
        .order_by("agreement__name", "sector", "starts")
    )
    labour = rows.filter(track=Track.LABOUR)
    placed = _counts(labour.filter(state__in=ASSIGNED_STATES), "opportunity__quota")
    departed = _counts(
        labour.filter(state__in=(State.DEPARTED, State.RETURNED)), "opportunity__quota"
    )
    shown_placed = suppress(placed, limit, partition=False)
    shown_departed = suppress(departed, limit, partition=False)
    return [
        QuotaUse(
            quota=q,
            drawn=int(q.drawn),  # type: ignore[attr-defined]
            placed=shown_placed.get(str(q.pk), 0),
            departed=shown_departed.get(str(q.pk), 0),
        )
        for q in quotas
    ]
