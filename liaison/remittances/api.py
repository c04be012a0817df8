"""The remittances API, read-only and for staff who may read the indices ("remittances.view":
analysts, programme officers, administrators): the indices of a quarter and the trend, with the
page's parameters, and the providers, corridors and observations behind them.

There is no public API for the calculator's data: the public calculator page is the public's
way in. An open feed of providers' prices would invite scraping and resale of figures officers
collect and verify, and its rules (who is listed, which prices are shown) belong to the
calculator, not to a second copy of them here.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from liaison.remittances import indices
from liaison.remittances.models import Corridor, Observation, PricePoint, Provider
from liaison.remittances.periods import Period
from liaison.remittances.serializers import (
    CorridorSerializer,
    IndicesSerializer,
    ObservationSerializer,
    ProviderSerializer,
    TrendPointSerializer,
    indices_payload,
    trend_payload,
)

READ = "remittances.view"

_PERIOD = OpenApiParameter(
    "period", OpenApiTypes.STR, description="A quarter, e.g. 2026Q3 (the latest by default)."
)
_PRICE_POINT = OpenApiParameter(
    "price_point", OpenApiTypes.INT, enum=PricePoint.values, description="USD; 200 by default."
)
_OPAQUE = OpenApiParameter(
    "opaque",
    OpenApiTypes.BOOL,
    description="true: also count providers not transparent about the exchange rate (RPW "
    "leaves them out; false by default).",
)
_BAD = OpenApiResponse(description="A parameter refused: messages by parameter.")


def _form(request: Request) -> tuple[indices.IndicesForm, Response | None]:
    data = {k: v for k, v in request.query_params.items() if v}
    form = indices.IndicesForm(data or None)
    if form.is_bound and not form.is_valid():
        return form, Response(form.errors.get_json_data(), status=400)
    return form, None


class IndicesView(APIView):
    """The indices of one quarter at one price point, as on the indices page: corridor
    averages (cheapest first, with SmaRT and weight), the global average (simple average over
    all services), regional averages (receiving country's UN M49 sub-region), the weighted
    average (corridor averages weighted by World Bank bilateral remittance estimates of the
    latest year held), the SmaRT average (USD 200), averages by provider type and by payment
    instrument, and SDG 10.c progress."""

    required_action = READ

    @extend_schema(
        parameters=[_PERIOD, _PRICE_POINT, _OPAQUE],
        responses={200: IndicesSerializer, 400: _BAD},
    )
    def get(self, request: Request) -> Response:
        form, refused = _form(request)
        if refused:
            return refused
        found = indices.compute(form.selection())
        return Response(IndicesSerializer(indices_payload(found)).data)


class TrendView(APIView):
    """The global average by quarter, oldest first: from Liaison's observations where a quarter
    has any, else (USD 200 only) from the World Bank's DataBank corridor averages, each point
    naming its source."""

    required_action = READ

    @extend_schema(
        parameters=[_PRICE_POINT, _OPAQUE],
        responses={200: serializers.ListSerializer(child=TrendPointSerializer()), 400: _BAD},
    )
    def get(self, request: Request) -> Response:
        form, refused = _form(request)
        if refused:
            return refused
        selection = form.selection()
        points = indices.trend(selection.price_point, selection.opaque)
        return Response(TrendPointSerializer(trend_payload(points), many=True).data)


class ProviderViewSet(viewsets.ReadOnlyModelViewSet[Provider]):
    """Providers (banks, money transfer operators...). Filter: ``kind``."""

    required_action = READ
    serializer_class = ProviderSerializer
    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet[Provider]:
        rows = Provider.objects.order_by("name", "pk")
        kind = self.request.query_params.get("kind") if self.action == "list" else None
        if kind:
            if kind not in Provider.Kind.values:
                raise ValidationError(
                    {"kind": [_("“%(value)s” is not a provider type.") % {"value": kind}]}
                )
            rows = rows.filter(kind=kind)
        return rows

    @extend_schema(
        parameters=[OpenApiParameter("kind", OpenApiTypes.STR, enum=Provider.Kind.values)]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


class CorridorViewSet(viewsets.ReadOnlyModelViewSet[Corridor]):
    """Corridors (sending country and currency to receiving country and currency)."""

    required_action = READ
    serializer_class = CorridorSerializer
    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet[Corridor]:
        return Corridor.objects.order_by("source_country", "destination_country", "pk")


def _int(params: Any, name: str) -> int | None:
    raw = params.get(name)
    if not raw:
        return None
    if not str(raw).isdigit():
        raise ValidationError({name: [_("“%(value)s” is not an id (a number).") % {"value": raw}]})
    return int(raw)


class ObservationViewSet(viewsets.ReadOnlyModelViewSet[Observation]):
    """Price observations, every status (``status`` says which count), latest quarter first.
    Filters: ``corridor``, ``provider`` (ids), ``period`` (2026Q3), ``price_point``,
    ``status``."""

    required_action = READ
    serializer_class = ObservationSerializer
    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet[Observation]:
        rows = Observation.objects.order_by(
            "-year", "-quarter", "corridor_id", "provider_id", "price_point", "pk"
        )
        if self.action != "list":
            return rows
        params = self.request.query_params
        if (corridor := _int(params, "corridor")) is not None:
            rows = rows.filter(corridor_id=corridor)
        if (provider := _int(params, "provider")) is not None:
            rows = rows.filter(provider_id=provider)
        if params.get("period"):
            try:
                period = Period.parse(params["period"])
            except ValueError as exc:
                raise ValidationError({"period": [str(exc)]}) from exc
            rows = rows.filter(year=period.year, quarter=period.quarter)
        if params.get("price_point"):
            if params["price_point"] not in {str(v) for v in PricePoint.values}:
                message = _("“%(value)s” is not a price point: choose 200 or 500 (USD).")
                raise ValidationError({"price_point": [message % {"value": params["price_point"]}]})
            rows = rows.filter(price_point=int(params["price_point"]))
        if params.get("status"):
            if params["status"] not in Observation.Status.values:
                message = _("“%(value)s” is not a status: verified, pending or rejected.")
                raise ValidationError({"status": [message % {"value": params["status"]}]})
            rows = rows.filter(status=params["status"])
        return rows

    @extend_schema(
        parameters=[
            OpenApiParameter("corridor", OpenApiTypes.INT),
            OpenApiParameter("provider", OpenApiTypes.INT),
            OpenApiParameter("period", OpenApiTypes.STR, description="A quarter, e.g. 2026Q3."),
            OpenApiParameter("price_point", OpenApiTypes.INT, enum=PricePoint.values),
            OpenApiParameter("status", OpenApiTypes.STR, enum=Observation.Status.values),
        ],
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)
