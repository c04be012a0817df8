"""The placements API: placements in the caller's scope with their history, budget, checklist
and surveys; workflow steps, compensation items and payments through the same services as the
pages; the programme dashboard, suppressed as on screen.

A step answers 400 with messages by field when its input or the placement's records do not
allow it, 403 when the caller's role or scope does not, and 409 when the placement is no longer
in the state the caller expected (someone moved it meanwhile): nothing changes then.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from liaison.accounts.permissions import visible
from liaison.insights.api import TableSerializer
from liaison.opportunities.models import PackageItem
from liaison.placements import dashboard, followup, services
from liaison.placements.models import ChecklistItem, Placement, State, Track
from liaison.placements.workflows import steps_from

READ = "placements.view"


class TransitionLogSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(help_text="The step taken (see the workflow tables).")
    from_state = serializers.ChoiceField(choices=State.choices)
    to_state = serializers.ChoiceField(choices=State.choices)
    actor = serializers.CharField(allow_null=True)
    reason = serializers.CharField()
    at = serializers.DateTimeField()


class BudgetLineSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=PackageItem.Kind.choices)
    description = serializers.CharField()
    currency = serializers.CharField(help_text="ISO 4217 code.")
    budget = serializers.DecimalField(max_digits=12, decimal_places=2)
    paid = serializers.DecimalField(max_digits=12, decimal_places=2)
    left = serializers.DecimalField(max_digits=12, decimal_places=2)


class ChecklistSerializer(serializers.Serializer[Any]):
    item = serializers.ChoiceField(choices=ChecklistItem.Item.choices)
    done_on = serializers.DateField(allow_null=True)
    note = serializers.CharField()


class SurveySerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    due_on = serializers.DateField()
    sent_at = serializers.DateTimeField(allow_null=True)
    link = serializers.URLField(help_text="The questionnaire's public link for this placement.")
    answers = serializers.IntegerField(help_text="Complete answers received.")


class PlacementSerializer(serializers.ModelSerializer[Placement]):
    reference = serializers.CharField(read_only=True)
    opportunity_title = serializers.CharField(source="opportunity.title", read_only=True)
    host = serializers.IntegerField(source="opportunity.host_id", read_only=True)
    programme = serializers.CharField(source="opportunity.programme.code", read_only=True)
    expert_country = serializers.CharField(read_only=True)
    steps = serializers.SerializerMethodField(
        help_text="The steps the caller may take now, by name."
    )

    class Meta:
        model = Placement
        fields = [
            "id",
            "reference",
            "opportunity",
            "opportunity_title",
            "host",
            "programme",
            "member",
            "track",
            "state",
            "state_changed_at",
            "shortlist",
            "sex",
            "expert_country",
            "starts",
            "ends",
            "contract_days",
            "started_on",
            "ended_on",
            "days_worked",
            "departed_on",
            "returned_on",
            "steps",
        ]
        read_only_fields = fields

    def get_steps(self, placement: Placement) -> list[str]:
        user = self.context["request"].user
        return [
            s.name
            for s in steps_from(placement.track, placement.state)
            if services.may_take(user, s, placement)
        ]

    def to_representation(self, instance: Placement) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["expert_country"] = instance.expert_country.code or ""
        return data


class PlacementDetailSerializer(PlacementSerializer):
    transitions = serializers.SerializerMethodField()
    budget = serializers.SerializerMethodField()
    checklist = serializers.SerializerMethodField()
    surveys = serializers.SerializerMethodField()

    class Meta(PlacementSerializer.Meta):
        fields = [*PlacementSerializer.Meta.fields, "transitions", "budget", "checklist", "surveys"]
        read_only_fields = fields

    @extend_schema_field(TransitionLogSerializer(many=True))
    def get_transitions(self, placement: Placement) -> list[dict[str, Any]]:
        return [
            {
                "name": t.name,
                "from_state": t.from_state,
                "to_state": t.to_state,
                "actor": str(t.actor) if t.actor else None,
                "reason": t.reason,
                "at": t.at,
            }
            for t in placement.transitions.select_related("actor")
        ]

    @extend_schema_field(BudgetLineSerializer(many=True, allow_null=True))
    def get_budget(self, placement: Placement) -> list[dict[str, Any]] | None:
        """Null for callers who neither budget nor pay (a person's pay is not the host's)."""
        lines = services.visible_budget(self.context["request"].user, placement)
        if lines is None:
            return None
        return [
            {
                "id": line["item"].pk,
                "kind": line["item"].kind,
                "description": line["item"].description,
                "currency": line["item"].currency,
                "budget": str(line["item"].budget),
                "paid": f"{line['paid']:.2f}",
                "left": f"{line['left']:.2f}",
            }
            for line in lines
        ]

    @extend_schema_field(ChecklistSerializer(many=True))
    def get_checklist(self, placement: Placement) -> list[dict[str, Any]]:
        return [
            {"item": c.item, "done_on": c.done_on, "note": c.note}
            for c in placement.checklist.all()
        ]

    @extend_schema_field(SurveySerializer(many=True))
    def get_surveys(self, placement: Placement) -> list[dict[str, Any]]:
        request = self.context["request"]
        return [
            {
                "kind": row.survey.kind,
                "due_on": row.survey.due_on,
                "sent_at": row.survey.sent_at,
                "link": request.build_absolute_uri(row.path),
                "answers": row.answers,
            }
            for row in followup.surveys_of(placement)
        ]


class PlacementStepSerializer(serializers.Serializer[Any]):
    step = serializers.CharField(help_text="A step of the placement's workflow, e.g. contract.")
    expected_state = serializers.ChoiceField(
        choices=State.choices,
        help_text="The state the caller saw; if the placement is no longer in it: 409.",
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    starts = serializers.DateField(required=False)
    ends = serializers.DateField(required=False)
    contract_days = serializers.IntegerField(required=False)
    started_on = serializers.DateField(required=False)
    ended_on = serializers.DateField(required=False)
    days_worked = serializers.IntegerField(required=False)
    departed_on = serializers.DateField(required=False)
    returned_on = serializers.DateField(required=False)

    def values(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in self.validated_data.items()
            if k not in ("step", "expected_state", "reason")
        }


class CompensationSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=PackageItem.Kind.choices)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    budget = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField(max_length=3, help_text="ISO 4217 code.")


class CompensationChangeSerializer(serializers.Serializer[Any]):
    budget = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Not below what was already paid."
    )
    description = serializers.CharField(
        required=False, allow_blank=True, help_text="Left as it is when not given."
    )


class PaymentSerializer(serializers.Serializer[Any]):
    item = serializers.IntegerField(help_text="The compensation item paid against.")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField(max_length=3, help_text="ISO 4217 code, the item's.")
    paid_on = serializers.DateField()
    reference = serializers.CharField(required=False, allow_blank=True, default="")


class ErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.ListField(child=serializers.CharField(), required=False)


def _errors(exc: DjangoValidationError) -> dict[str, Any]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    return {"detail": [str(m) for m in exc.messages]}


class PlacementViewSet(viewsets.ReadOnlyModelViewSet[Placement]):
    """Placements in the caller's scope (officers: their countries or programmes; host focal
    points: their institution's). Filters: ``state``, ``track``, ``opportunity``."""

    required_action = READ
    lookup_value_converter = "int"

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "list":
            return PlacementSerializer
        return PlacementDetailSerializer

    def get_queryset(self) -> QuerySet[Placement]:
        rows = Placement.objects.select_related(
            "opportunity__programme", "opportunity__host", "member"
        ).order_by("pk")
        # The list's filters apply to the list only: a step or a payment answers with the
        # placement whatever the query string says.
        params = self.request.query_params if self.action == "list" else {}
        if params.get("state") in State.values:
            rows = rows.filter(state=params["state"])
        if params.get("track") in Track.values:
            rows = rows.filter(track=params["track"])
        if str(params.get("opportunity", "")).isdigit():
            rows = rows.filter(opportunity_id=int(params["opportunity"]))
        return visible(self.request.user, READ, rows)

    @extend_schema(
        parameters=[
            OpenApiParameter("state", OpenApiTypes.STR, enum=State.values),
            OpenApiParameter("track", OpenApiTypes.STR, enum=Track.values),
            OpenApiParameter("opportunity", OpenApiTypes.INT),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def _detail(self, placement: Placement, code: int = 200) -> Response:
        fresh = self.get_queryset().get(pk=placement.pk)
        return Response(
            PlacementDetailSerializer(fresh, context=self.get_serializer_context()).data,
            status=code,
        )

    @extend_schema(
        request=PlacementStepSerializer,
        responses={
            200: PlacementDetailSerializer,
            400: OpenApiResponse(description="Messages by field: input or records refuse it."),
            403: OpenApiResponse(description="The caller's role or scope does not allow it."),
            409: OpenApiResponse(description="The placement is no longer in expected_state."),
        },
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Take one step of the placement's workflow."""
        placement = self.get_object()
        data = PlacementStepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            moved = services.transition(
                request.user,
                placement,
                data.validated_data["step"],
                expected_state=data.validated_data["expected_state"],
                reason=data.validated_data["reason"],
                values=data.values(),
            )
        except services.StaleState as exc:
            return Response(_errors(exc), status=status.HTTP_409_CONFLICT)
        except DjangoValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return self._detail(moved)

    @extend_schema(
        request=CompensationSerializer,
        responses={201: PlacementDetailSerializer, 400: OpenApiResponse(description="Messages.")},
    )
    @action(detail=True, methods=["post"], url_path="compensation")
    def compensation(self, request: Request, pk: str | None = None) -> Response:
        """Budget a compensation item (ISO 4217 currency, amount not negative)."""
        placement = self.get_object()
        data = CompensationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.add_compensation(request.user, placement, **data.validated_data)
        except DjangoValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return self._detail(placement, 201)

    @extend_schema(
        methods=["PATCH"],
        request=CompensationChangeSerializer,
        responses={200: PlacementDetailSerializer, 400: OpenApiResponse(description="Messages.")},
    )
    @extend_schema(
        methods=["DELETE"],
        request=None,
        responses={200: PlacementDetailSerializer, 400: OpenApiResponse(description="Messages.")},
    )
    @action(
        detail=True,
        methods=["patch", "delete"],
        url_path="compensation/<int:item>",
        url_name="compensation-item",
    )
    def compensation_item(self, request: Request, pk: str | None = None, item: int = 0) -> Response:
        """Correct a budgeted item (PATCH: its budget, not below what was paid, and its
        description) or remove it while nothing is paid against it (DELETE)."""
        placement = self.get_object()
        line = placement.compensation.filter(pk=item).first()
        if line is None:
            raise NotFound(_("No such compensation item."))
        try:
            if request.method == "DELETE":
                services.remove_compensation(request.user, line)
            else:
                data = CompensationChangeSerializer(data=request.data)
                data.is_valid(raise_exception=True)
                services.revise_compensation(request.user, line, **data.validated_data)
        except DjangoValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return self._detail(placement)

    @extend_schema(
        request=PaymentSerializer,
        responses={201: PlacementDetailSerializer, 400: OpenApiResponse(description="Messages.")},
    )
    @action(detail=True, methods=["post"])
    def payments(self, request: Request, pk: str | None = None) -> Response:
        """Record money actually paid against one of the placement's items."""
        placement = self.get_object()
        data = PaymentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = placement.compensation.filter(pk=data.validated_data.pop("item")).first()
        if item is None:
            return Response({"item": ["No such item on this placement."]}, status=400)
        try:
            services.pay(request.user, item, **data.validated_data)
        except DjangoValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return self._detail(placement, 201)


class MoneySerializer(serializers.Serializer[Any]):
    currency = serializers.CharField()
    budget = serializers.CharField(allow_null=True, help_text="Null: too few placements.")
    paid = serializers.CharField(allow_null=True)
    left = serializers.CharField(allow_null=True)
    placements = serializers.IntegerField(allow_null=True)


class QuotaUseSerializer(serializers.Serializer[Any]):
    quota = serializers.IntegerField()
    agreement = serializers.CharField()
    sector = serializers.CharField()
    starts = serializers.DateField()
    ends = serializers.DateField()
    positions = serializers.IntegerField()
    drawn = serializers.IntegerField(help_text="Positions of the job orders drawing on it.")
    placed = serializers.IntegerField(allow_null=True, help_text="Null: hidden small count.")
    departed = serializers.IntegerField(allow_null=True)


class ProgrammeDashboardSerializer(serializers.Serializer[Any]):
    assignments = serializers.IntegerField(allow_null=True)
    institutions_benefited = serializers.IntegerField()
    expert_days = serializers.IntegerField(allow_null=True)
    contracted_days = serializers.IntegerField(allow_null=True)
    share_of_women = serializers.FloatField(allow_null=True)
    threshold = serializers.IntegerField()
    tables = TableSerializer(many=True)
    money = MoneySerializer(many=True)
    quotas = QuotaUseSerializer(many=True)


class DashboardView(APIView):
    """Assignments by sector, region of the country of origin, the expert's host country,
    modality, sex and status; institutions benefited; expert-days; share of women; budget
    against payments by currency; quota use per labour agreement. Small counts are null."""

    required_action = dashboard.ACTION

    @extend_schema(
        parameters=[OpenApiParameter("programme", OpenApiTypes.STR, description="Its code.")],
        responses=ProgrammeDashboardSerializer,
    )
    def get(self, request: Request) -> Response:
        board = dashboard.build(request.user, programme=request.query_params.get("programme", ""))
        return Response(ProgrammeDashboardSerializer(board.as_dict()).data)
