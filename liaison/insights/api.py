"""Read-only API: the dashboard's and the survey results' tables, suppressed as on screen."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from liaison.insights.aggregates import Table, threshold
from liaison.insights.dashboard import build
from liaison.insights.filters import InsightsFilterForm
from liaison.insights.survey_results import results
from liaison.surveys.models import Questionnaire, Wave

ACTION = "insights.view"


class SummarySerializer(serializers.Serializer[Any]):
    label = serializers.CharField()  # type: ignore[assignment]
    value = serializers.CharField()


class RowSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="The category's code (ISO country, ISCED level...).")
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField(
        allow_null=True, help_text="Null when hidden to protect a small count."
    )
    hidden = serializers.BooleanField()
    share = serializers.FloatField(allow_null=True, help_text="Per cent of the table's total.")
    extra = serializers.ListField(
        child=serializers.JSONField(), help_text="Values of the table's extra columns."
    )


class TableSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    title = serializers.CharField()
    unit = serializers.CharField()
    total = serializers.IntegerField(allow_null=True)
    partition = serializers.BooleanField(
        help_text="True when every person counted is in exactly one row."
    )
    note = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    summary = SummarySerializer(many=True)
    withheld = serializers.BooleanField(
        help_text="True when no row is shown: any figure in it would let someone work out "
        "another about fewer than the threshold (the note says so)."
    )
    rows = RowSerializer(many=True)


_REFUSED = (
    "True when the filters are refused and nothing is shown: the figures, compared with a wider "
    "selection's, would let someone work out figures about fewer people than the threshold "
    "(the filtered group is small, or differs from the group without one of the filters by "
    "few people, or is a row a wider table hides). Widen the selection."
)
_MESSAGE = "Why nothing is shown, in the reader's language; empty when figures are shown."


class DashboardSerializer(serializers.Serializer[Any]):
    total = serializers.IntegerField(allow_null=True)
    too_few = serializers.BooleanField(
        help_text="The unfiltered population (the caller's scope) is smaller than the "
        "threshold: nothing is shown. A filtered view is never too_few: it is refused."
    )
    refused = serializers.BooleanField(help_text=_REFUSED)
    message = serializers.CharField(help_text=_MESSAGE)
    filtered = serializers.BooleanField()
    threshold = serializers.IntegerField()
    origin = serializers.CharField()
    estimate_year = serializers.IntegerField(allow_null=True)
    computed_at = serializers.DateTimeField()
    tables = TableSerializer(many=True)


class WaveSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField(allow_null=True)


class QuestionnaireSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    form_id = serializers.CharField()
    title = serializers.CharField()
    waves = WaveSerializer(many=True)


class SurveyResultsSerializer(serializers.Serializer[Any]):
    questionnaire = QuestionnaireSerializer()
    wave = WaveSerializer(allow_null=True)
    respondents = serializers.IntegerField(allow_null=True)
    too_few = serializers.BooleanField(
        help_text="The waves read have fewer respondents than the threshold: nothing is shown."
    )
    refused = serializers.BooleanField(
        help_text="All waves were asked for while one wave has fewer respondents than the "
        "threshold (subtracting the others would give theirs): nothing is shown; ask for a wave."
    )
    message = serializers.CharField(help_text=_MESSAGE)
    threshold = serializers.IntegerField()
    countries = TableSerializer(allow_null=True)
    tables = TableSerializer(many=True)


def _tables(tables: list[Table]) -> list[dict[str, Any]]:
    return [t.as_dict() for t in tables]


_filters = [
    OpenApiParameter("country", OpenApiTypes.STR, description="Host country (ISO 3166 alpha-2)."),
    OpenApiParameter(
        "sex", OpenApiTypes.STR, enum=["female", "male", "other", "undisclosed", "none"]
    ),
    OpenApiParameter(
        "age", OpenApiTypes.STR, enum=["<25", "25-34", "35-44", "45-54", "55-64", "65+", "none"]
    ),
    OpenApiParameter("education", OpenApiTypes.STR, description="ISCED 2011 level 0-8, or none."),
    OpenApiParameter("isco", OpenApiTypes.STR, description="ISCO-08 major group 0-9, or none."),
    OpenApiParameter("registered_from", OpenApiTypes.STR, description="Month, YYYY-MM."),
    OpenApiParameter("registered_to", OpenApiTypes.STR, description="Month, YYYY-MM."),
]


class DashboardView(APIView):
    """Members by host country (with the World Bank estimate and coverage), sex, age band,
    education, occupation group, top skills, interests, availability, languages and month of
    registration, under the filters given. Small counts are hidden (null); filters whose
    figures could be differenced against a wider selection's are refused (``refused``, with
    ``message``; no table)."""

    required_action = ACTION

    @extend_schema(parameters=_filters, responses=DashboardSerializer)
    def get(self, request: Request) -> Response:
        data = {k: v for k, v in request.query_params.items() if v}
        form = InsightsFilterForm(data or None)
        if form.is_bound and not form.is_valid():
            return Response(form.errors.get_json_data(), status=400)
        board = build(request.user, form)
        payload = {
            "total": board.total,
            "too_few": board.too_few,
            "refused": board.refused,
            "message": board.message,
            "filtered": board.filtered,
            "threshold": threshold(),
            "origin": board.origin,
            "estimate_year": board.estimate_year,
            "computed_at": board.computed_at,
            "tables": _tables(board.ordered()),
        }
        return Response(DashboardSerializer(payload).data)


def _questionnaire(q: Questionnaire) -> dict[str, Any]:
    return {
        "id": q.pk,
        "form_id": q.form_id,
        "title": q.title,
        "waves": [_wave(w) for w in q.waves.all()],
    }


def _wave(w: Wave) -> dict[str, Any]:
    return {"id": w.pk, "name": w.name, "opens_at": w.opens_at, "closes_at": w.closes_at}


class SurveyListView(APIView):
    """Questionnaires and their waves, to ask for results of."""

    required_action = ACTION

    @extend_schema(
        responses=serializers.ListSerializer(child=QuestionnaireSerializer()),
    )
    def get(self, request: Request) -> Response:
        found = Questionnaire.objects.prefetch_related("waves")
        return Response(QuestionnaireSerializer([_questionnaire(q) for q in found], many=True).data)


class SurveyResultsView(APIView):
    """Results per question of one questionnaire (all waves, or ``wave``): complete
    submissions only, small counts hidden (null). All waves are refused (``refused``) while
    a wave has fewer respondents than the threshold."""

    required_action = ACTION

    @extend_schema(
        parameters=[OpenApiParameter("wave", OpenApiTypes.INT, description="One wave only.")],
        responses=SurveyResultsSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        questionnaire = get_object_or_404(Questionnaire.objects.prefetch_related("waves"), pk=pk)
        wave = None
        if request.query_params.get("wave"):
            raw = request.query_params["wave"]
            if not raw.isdigit():
                return Response({"wave": ["A wave's number."]}, status=400)
            wave = questionnaire.waves.filter(pk=int(raw)).first()
            if wave is None:
                return Response({"wave": ["No such wave of this questionnaire."]}, status=400)
        found = results(request.user, questionnaire, wave)
        payload = {
            "questionnaire": _questionnaire(questionnaire),
            "wave": _wave(wave) if wave else None,
            "respondents": found.respondents,
            "too_few": found.too_few,
            "refused": found.refused,
            "message": found.message,
            "threshold": threshold(),
            "countries": found.countries.as_dict() if found.countries else None,
            "tables": _tables(found.tables),
        }
        return Response(SurveyResultsSerializer(payload).data)
