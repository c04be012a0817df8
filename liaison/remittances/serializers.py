"""The remittances API's shapes: providers, corridors and observations as stored (never a
provider's report link), and the indices of a quarter and the trend as computed."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from liaison.remittances.indices import (
    SMART_PRICE_POINT,
    Average,
    CorridorRow,
    Indices,
    TrendPoint,
)
from liaison.remittances.models import Corridor, Observation, Provider


def percent(**kwargs: Any) -> serializers.DecimalField:
    """A percentage as RPW gives it: four decimals, as a string."""
    return serializers.DecimalField(max_digits=12, decimal_places=4, **kwargs)


class ProviderSerializer(serializers.ModelSerializer[Provider]):
    class Meta:
        model = Provider
        # Never report_token: it is the secret of the provider's own reporting link.
        fields = ["id", "name", "kind", "website"]
        read_only_fields = fields


class CorridorSerializer(serializers.ModelSerializer[Corridor]):
    label = serializers.CharField(source="__str__", read_only=True)  # type: ignore[assignment]
    source_country = serializers.CharField(
        source="source_country.code", read_only=True, help_text="ISO 3166 alpha-2."
    )
    destination_country = serializers.CharField(
        source="destination_country.code", read_only=True, help_text="ISO 3166 alpha-2."
    )

    class Meta:
        model = Corridor
        fields = [
            "id",
            "label",
            "source_country",
            "source_currency",
            "destination_country",
            "destination_currency",
        ]
        read_only_fields = fields


class ObservationSerializer(serializers.ModelSerializer[Observation]):
    period = serializers.SerializerMethodField(help_text="The quarter, e.g. 2026Q3.")
    smart = serializers.BooleanField(
        read_only=True,
        help_text="Transparent, arriving within 5 days and accessible (SmaRT's conditions).",
    )
    # A plain string in the schema: an enum named after "status" would rename the
    # opportunities' StatusEnum (drf-spectacular names enums by field name).
    status = serializers.CharField(
        read_only=True,
        help_text="verified, pending or rejected: only verified observations are counted.",
    )

    class Meta:
        model = Observation
        # Who entered or verified it, and the free-text note, stay in the back office.
        fields = [
            "id",
            "corridor",
            "provider",
            "period",
            "year",
            "quarter",
            "price_point",
            "amount_sent",
            "fee",
            "exchange_rate",
            "interbank_rate",
            "fx_margin",
            "total_cost",
            "amount_received",
            "speed",
            "instrument",
            "access_point",
            "pickup",
            "transparent",
            "smart",
            "source",
            "status",
            "collected_on",
        ]
        read_only_fields = fields

    def get_period(self, observation: Observation) -> str:
        return observation.period.key


# --- indices ---------------------------------------------------------------------------------


class AverageSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="Region (UN M49 code), provider type or instrument.")
    label = serializers.CharField()  # type: ignore[assignment]
    average = percent(allow_null=True, help_text="Simple average of total cost (%) over services.")
    services = serializers.IntegerField()
    corridors = serializers.IntegerField()


class CorridorIndexSerializer(serializers.Serializer[Any]):
    corridor = CorridorSerializer()
    region = serializers.CharField(help_text="UN M49 sub-region of the receiving country.")
    region_label = serializers.CharField()
    average = percent(help_text="Simple average of total cost (%).")
    services = serializers.IntegerField()
    cheapest = percent()
    smart = percent(
        allow_null=True,
        help_text="SmaRT at USD 200; null when fewer than three services qualify.",
    )
    smart_services = serializers.IntegerField(help_text="Services qualifying for SmaRT.")
    flow = serializers.DecimalField(
        max_digits=20,
        decimal_places=3,
        allow_null=True,
        help_text="Weight in the weighted average (USD millions; a country pair's flow is "
        "shared by its corridors); null: no estimate, left out of it.",
    )
    above_ceiling = serializers.BooleanField(help_text="Average above SDG 10.c's 5%.")


class WeightedSerializer(serializers.Serializer[Any]):
    average = percent(allow_null=True)
    flow_year = serializers.IntegerField(
        allow_null=True, help_text="Year of the World Bank bilateral estimates used."
    )
    corridors = serializers.IntegerField(help_text="Corridors weighted.")
    corridors_without_flow = serializers.ListField(
        child=serializers.IntegerField(), help_text="Corridors left out: no estimate."
    )


class SmartSerializer(serializers.Serializer[Any]):
    average = percent(allow_null=True, help_text="Simple average of the corridors' SmaRT.")
    price_point = serializers.IntegerField()
    corridors = serializers.IntegerField(help_text="Corridors with a SmaRT.")
    corridors_too_few = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Corridors priced at USD 200 with fewer than three qualifying services.",
    )


class SdgSerializer(serializers.Serializer[Any]):
    corridor_ceiling = serializers.DecimalField(max_digits=5, decimal_places=2)
    global_target = serializers.DecimalField(max_digits=5, decimal_places=2)
    corridors = serializers.IntegerField()
    corridors_at_or_below = serializers.IntegerField()
    share = percent(allow_null=True, help_text="Per cent of corridors at or below the ceiling.")
    global_distance = percent(
        allow_null=True,
        help_text="Global average minus the target, in points (negative: below it).",
    )


class IndicesSerializer(serializers.Serializer[Any]):
    period = serializers.CharField(help_text="The quarter shown, e.g. 2026Q3.")
    price_point = serializers.IntegerField()
    opaque = serializers.BooleanField(
        help_text="True when providers not transparent about the rate are counted."
    )
    providers_counted = serializers.CharField(help_text="Which services are counted, in words.")
    opaque_services = serializers.IntegerField(
        help_text="Verified services of non-transparent providers in this quarter and price "
        "point (left out unless opaque)."
    )
    global_average = AverageSerializer()
    weighted_average = WeightedSerializer()
    smart = SmartSerializer()
    sdg = SdgSerializer()
    regions = AverageSerializer(many=True)
    provider_kinds = AverageSerializer(many=True)
    instruments = AverageSerializer(many=True)
    corridors = CorridorIndexSerializer(many=True, help_text="Cheapest average first.")


class TrendPointSerializer(serializers.Serializer[Any]):
    period = serializers.CharField()
    average = percent()
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=["observations", "history"],
        help_text="observations: Liaison's (simple average over services); history: World "
        "Bank DataBank corridor averages (simple average over corridors), for quarters "
        "without observations, at USD 200 only.",
    )
    source_label = serializers.CharField()
    corridors = serializers.IntegerField()
    services = serializers.IntegerField(allow_null=True)


def _average(a: Average) -> dict[str, Any]:
    return {
        "key": a.key,
        "label": a.label,
        "average": a.average,
        "services": a.services,
        "corridors": a.corridors,
    }


def _corridor(r: CorridorRow) -> dict[str, Any]:
    return {
        "corridor": r.corridor,
        "region": r.region,
        "region_label": r.region_label,
        "average": r.average,
        "services": r.services,
        "cheapest": r.cheapest,
        "smart": r.smart,
        "smart_services": r.smart_services,
        "flow": r.flow,
        "above_ceiling": r.above_ceiling,
    }


def indices_payload(found: Indices) -> dict[str, Any]:
    selection = found.selection
    return {
        "period": selection.period.key,
        "price_point": selection.price_point,
        "opaque": selection.opaque,
        "providers_counted": selection.providers_counted,
        "opaque_services": found.opaque_services,
        "global_average": _average(found.global_average),
        "weighted_average": {
            "average": found.weighted.average,
            "flow_year": found.weighted.flow_year,
            "corridors": found.weighted.corridors,
            "corridors_without_flow": [c.pk for c in found.weighted.without_flow],
        },
        "smart": {
            "average": found.smart.average,
            "price_point": int(SMART_PRICE_POINT),
            "corridors": found.smart.corridors,
            "corridors_too_few": [c.pk for c, _n in found.smart.too_few],
        },
        "sdg": {
            "corridor_ceiling": found.sdg.ceiling,
            "global_target": found.sdg.target,
            "corridors": found.sdg.corridors,
            "corridors_at_or_below": found.sdg.at_or_below,
            "share": found.sdg.share,
            "global_distance": found.sdg.global_distance,
        },
        "regions": [_average(a) for a in found.regions],
        "provider_kinds": [_average(a) for a in found.by_kind],
        "instruments": [_average(a) for a in found.by_instrument],
        "corridors": [_corridor(r) for r in found.corridors],
    }


def trend_payload(points: list[TrendPoint]) -> list[dict[str, Any]]:
    return [
        {
            "period": p.period.key,
            "average": p.average,
            "source": p.source,
            "source_label": p.source_label,
            "corridors": p.corridors,
            "services": p.services,
        }
        for p in points
    ]
