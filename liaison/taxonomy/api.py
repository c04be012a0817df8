"""Taxonomy search and reference data: the API's public, read-only first endpoints."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from liaison.taxonomy import reference
from liaison.taxonomy.models import IscoGroup, Occupation, Skill
from liaison.taxonomy.suggest import KINDS, suggest


class IscoGroupSerializer(serializers.ModelSerializer[IscoGroup]):
    label = serializers.CharField(source="display_label", read_only=True)  # type: ignore[assignment]
    level = serializers.IntegerField(read_only=True)
    parent: serializers.SlugRelatedField[IscoGroup] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", read_only=True
    )

    class Meta:
        model = IscoGroup
        fields = ["code", "label", "level", "parent", "uri"]


class OccupationSerializer(serializers.ModelSerializer[Occupation]):
    isco_group: serializers.SlugRelatedField[IscoGroup] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Occupation
        fields = ["id", "uri", "code", "label", "alt_labels", "isco_group", "description"]


class SkillSerializer(serializers.ModelSerializer[Skill]):
    class Meta:
        model = Skill
        fields = ["id", "uri", "label", "alt_labels", "skill_type", "reuse_level", "description"]


_q = OpenApiParameter("q", OpenApiTypes.STR, description="Text the label contains.")


@extend_schema(parameters=[_q, OpenApiParameter("level", OpenApiTypes.INT)])
class IscoGroupViewSet(viewsets.ReadOnlyModelViewSet[IscoGroup]):
    required_action = None
    serializer_class = IscoGroupSerializer
    lookup_field = "code"
    lookup_value_converter = "str"

    def get_queryset(self) -> QuerySet[IscoGroup]:
        qs = IscoGroup.objects.select_related("parent")
        level = self.request.query_params.get("level", "")
        if level.isdigit() and 1 <= int(level) <= 4:
            qs = qs.filter(code__regex=rf"^\d{{{int(level)}}}$")
        if q := self.request.query_params.get("q", "").strip():
            qs = qs.filter(label__icontains=q)
        return qs


@extend_schema(parameters=[_q, OpenApiParameter("isco", OpenApiTypes.STR)])
class OccupationViewSet(viewsets.ReadOnlyModelViewSet[Occupation]):
    required_action = None
    serializer_class = OccupationSerializer

    def get_queryset(self) -> QuerySet[Occupation]:
        qs = Occupation.objects.select_related("isco_group").order_by("label", "pk")
        if isco := self.request.query_params.get("isco", "").strip():
            qs = qs.filter(isco_group__code__startswith=isco)
        if q := self.request.query_params.get("q", "").strip():
            qs = qs.filter(label__icontains=q)
        return qs


@extend_schema(parameters=[_q])
class SkillViewSet(viewsets.ReadOnlyModelViewSet[Skill]):
    required_action = None
    serializer_class = SkillSerializer

    def get_queryset(self) -> QuerySet[Skill]:
        qs = Skill.objects.order_by("label", "pk")
        if q := self.request.query_params.get("q", "").strip():
            qs = qs.filter(Q(label__icontains=q))
        return qs


class SuggestionSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    value = serializers.CharField(help_text="ESCO URI, or ISCO-08 code.")
    label = serializers.CharField()  # type: ignore[assignment]
    matched = serializers.CharField(help_text="The label that matched, maybe an alternative one.")
    detail = serializers.CharField()
    score = serializers.FloatField()


class SuggestionView(APIView):
    """Ranked ESCO occupations, skills or ISCO-08 groups for free text (typos welcome)."""

    required_action = None

    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, required=True),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=list(KINDS)),
            OpenApiParameter("limit", OpenApiTypes.INT),
        ],
        responses=inline_serializer("SuggestionList", {"results": SuggestionSerializer(many=True)}),
    )
    def get(self, request: Request) -> Response:
        kind = request.query_params.get("kind", "occupation")
        if kind not in KINDS:
            return Response({"kind": [f"Choose one of {', '.join(KINDS)}."]}, status=400)
        try:
            limit = max(1, min(50, int(request.query_params.get("limit", "10"))))
        except ValueError:
            return Response({"limit": ["A whole number from 1 to 50."]}, status=400)
        results = suggest(request.query_params.get("q", ""), kind, limit)
        return Response({"results": SuggestionSerializer(results, many=True).data})


class EntrySerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


def _entries(items: list[Any]) -> Response:
    return Response({"results": EntrySerializer(items, many=True).data})


_entry_list = inline_serializer("EntryList", {"results": EntrySerializer(many=True)})


class CountryListView(APIView):
    """ISO 3166 countries, named in the language of the request."""

    required_action = None

    @extend_schema(responses=_entry_list)
    def get(self, request: Request) -> Response:
        return _entries(reference.country_list())


class CurrencyListView(APIView):
    """ISO 4217 currencies, named in the language of the request."""

    required_action = None

    @extend_schema(responses=_entry_list)
    def get(self, request: Request) -> Response:
        return _entries(reference.currency_list())


class LanguageListView(APIView):
    """ISO 639 languages, named in the language of the request."""

    required_action = None

    @extend_schema(parameters=[_q], responses=_entry_list)
    def get(self, request: Request) -> Response:
        return _entries(reference.language_list(request.query_params.get("q", "")))


class CefrLevelListView(APIView):
    """Common European Framework of Reference levels for languages."""

    required_action = None

    @extend_schema(responses=_entry_list)
    def get(self, request: Request) -> Response:
        return _entries([reference.Entry(v, str(lbl)) for v, lbl in reference.CefrLevel.choices])


class IscedLevelListView(APIView):
    """ISCED 2011 levels of education."""

    required_action = None

    @extend_schema(responses=_entry_list)
    def get(self, request: Request) -> Response:
        return _entries([reference.Entry(v, str(lbl)) for v, lbl in reference.IscedLevel.choices])
