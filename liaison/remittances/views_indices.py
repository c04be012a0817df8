"""The indices page (back office) and its downloads: one quarter at one price point, with or
without the providers that are not transparent about their exchange rate."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from liaison.accounts.decorators import require
from liaison.remittances import exports, indices
from liaison.remittances.costs import SDG_GLOBAL_TARGET
from liaison.remittances.models import PricePoint
from liaison.remittances.periods import Period

ACTION = "remittances.view"


def _selection(
    request: HttpRequest,
) -> tuple[indices.IndicesForm, indices.Selection, list[Period]]:
    periods = indices.available_periods()
    data = {k: v for k, v in request.GET.items() if v}
    form = indices.IndicesForm(data or None)
    return form, form.selection(periods), periods


def _chart(points: list[indices.TrendPoint]) -> dict[str, Any]:
    """What remittance_charts.js draws: the points, and the SDG target to draw a line at."""
    return {
        "target": float(SDG_GLOBAL_TARGET),
        "points": [
            {
                "key": p.period.key,
                "t": p.period.year * 4 + p.period.quarter - 1,  # quarters on a time axis
                "average": float(p.average),
                "source": p.source,
                "label": f"{p.period}: {p.average}% ({p.source_label})",
            }
            for p in points
        ],
    }


@require(ACTION)
def page(request: HttpRequest) -> HttpResponse:
    form, selection, periods = _selection(request)
    if selection.period not in periods:
        periods = sorted({*periods, selection.period}, reverse=True)
    found = indices.compute(selection)
    points = indices.trend(selection.price_point, selection.opaque)
    return render(
        request,
        "remittances/indices/page.html",
        {
            "form": form,
            "selection": selection,
            "periods": periods,
            "price_points": PricePoint.choices,
            "opaque_choices": indices.OPAQUE_CHOICES,
            "indices": found,
            "trend": points,
            "has_history": any(p.source == indices.HISTORY for p in points),
            "chart": _chart(points),
            "query": "&".join(f"{k}={v}" for k, v in selection.query().items()),
            "smart_price_point": indices.SMART_PRICE_POINT,
        },
    )


def _download(content: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@require(ACTION)
def corridors_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in exports.FORMATS:
        raise Http404(_("No such format."))
    _form, selection, _periods = _selection(request)
    table = exports.corridor_table(indices.compute(selection))
    return _download(exports.render(table, fmt), fmt, f"remittance-corridors-{selection.slug}")


@require(ACTION)
def trend_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in exports.FORMATS:
        raise Http404(_("No such format."))
    _form, selection, _periods = _selection(request)
    points = indices.trend(selection.price_point, selection.opaque)
    shown = "all" if selection.opaque else "transparent"
    name = f"remittance-trend-usd{selection.price_point}-{shown}"
    return _download(exports.render(exports.trend_table(selection, points), fmt), fmt, name)
