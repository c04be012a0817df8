from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from liaison.accounts.decorators import require
from liaison.core import tabular
from liaison.insights.aggregates import host_countries, threshold


@require("insights.view")
def dashboard(request: HttpRequest) -> HttpResponse:
    rows, total, year = host_countries()
    return render(
        request,
        "insights/dashboard.html",
        {
            "rows": rows,
            "total": total,
            "year": year,
            "origin": settings.LIAISON_ORIGIN_COUNTRY,
            "threshold": threshold(),
        },
    )


@require("insights.view")
def host_countries_csv(request: HttpRequest) -> HttpResponse:
    """The same table as the page, hidden cells included as "<N"."""
    rows, _total, year = host_countries()
    hidden = f"<{threshold()}"
    header = [
        _("country"),
        _("ISO code"),
        _("registered members"),
        _("World Bank estimate %(year)s") % {"year": year or ""},
        _("coverage (%)"),
    ]
    body = [
        [
            r.name,
            r.code,
            hidden if r.hidden else r.registered,
            r.estimate if r.estimate is not None else "",
            r.coverage if r.coverage is not None else "",
        ]
        for r in rows
    ]
    response = HttpResponse(tabular.to_csv(header, body), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="members-by-host-country.csv"'
    return response
