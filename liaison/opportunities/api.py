"""Opportunities in the API: published ones for everyone; officers and host focal points also
see (and write) the others in their scope. Serializers check shape; services apply the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from liaison.accounts.permissions import check, visible
from liaison.opportunities import services
from liaison.opportunities.models import (
    Modality,
    Opportunity,
    OpportunityLanguage,
    OpportunitySkill,
    PackageItem,
    Programme,
    Quota,
    Sector,
)
from liaison.opportunities.workflows import STEPS
from liaison.registry.models import Organisation
from liaison.taxonomy.models import IscoGroup, Occupation, Skill
from liaison.taxonomy.reference import CefrLevel, is_country

STAFF_READ = "opportunities.view"
WRITE = "opportunities.edit"


class SkillNeedSerializer(serializers.ModelSerializer[OpportunitySkill]):
    skill: serializers.SlugRelatedField[Skill] = serializers.SlugRelatedField(
        slug_field="uri", queryset=Skill.objects.all(), help_text="ESCO skill URI."
    )
    skill_label = serializers.CharField(source="skill.label", read_only=True)

    class Meta:
        model = OpportunitySkill
        fields = ["skill", "skill_label", "essential"]


class LanguageNeedSerializer(serializers.ModelSerializer[OpportunityLanguage]):
    min_level = serializers.ChoiceField(choices=CefrLevel.choices)

    class Meta:
        model = OpportunityLanguage
        fields = ["language", "min_level", "mandatory"]


class PackageItemSerializer(serializers.ModelSerializer[PackageItem]):
    # Shape only (a decimal, three letters); the services say whether the currency exists and
    # whether the amount may be negative.
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField(max_length=3, help_text="ISO 4217 code.")

    class Meta:
        model = PackageItem
        fields = ["kind", "amount", "currency", "period", "note"]


class OpportunitySerializer(serializers.ModelSerializer[Opportunity]):
    host: serializers.PrimaryKeyRelatedField[Organisation] = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(
            kind__in=[Organisation.Kind.HOST, Organisation.Kind.EMPLOYER]
        )
    )
    host_name = serializers.CharField(source="host.name", read_only=True)
    programme: serializers.SlugRelatedField[Programme] = serializers.SlugRelatedField(
        slug_field="code", queryset=Programme.objects.all()
    )
    occupation: serializers.SlugRelatedField[Occupation] = serializers.SlugRelatedField(
        slug_field="uri",
        queryset=Occupation.objects.all(),
        required=False,
        allow_null=True,
        help_text="ESCO occupation URI.",
    )
    isco_group: serializers.SlugRelatedField[IscoGroup] = serializers.SlugRelatedField(
        slug_field="code",
        queryset=IscoGroup.objects.all(),
        required=False,
        allow_null=True,
        help_text="ISCO-08 code; taken from the occupation when it has one.",
    )
    country = serializers.CharField(max_length=2, help_text="ISO 3166 alpha-2 code.")
    skills = SkillNeedSerializer(many=True, required=False)
    languages = LanguageNeedSerializer(many=True, required=False)
    package = PackageItemSerializer(many=True, required=False)

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "kind",
            "status",
            "host",
            "host_name",
            "programme",
            "quota",
            "title",
            "terms_of_reference",
            "occupation",
            "isco_group",
            "education_level",
            "years_experience",
            "modality",
            "country",
            "city",
            "starts",
            "ends",
            "duration_days",
            "apply_by",
            "positions",
            "sector",
            "skills",
            "languages",
            "package",
            "published_at",
        ]
        read_only_fields = ["kind", "status", "published_at"]

    def to_representation(self, instance: Opportunity) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["country"] = instance.country.code
        return data

    def validate_country(self, value: str) -> str:
        if not is_country(value):
            raise serializers.ValidationError(
                _("%(c)s is not an ISO 3166 country code.") % {"c": value}
            )
        return value.upper()


class TransitionSerializer(serializers.Serializer[Any]):
    step = serializers.ChoiceField(choices=sorted(STEPS))
    reason = serializers.CharField(required=False, allow_blank=True, default="")


def _needs(data: dict[str, Any]) -> dict[str, Any]:
    """The nested lists as the services take them (``None``: not given, keep)."""
    needs: dict[str, Any] = {}
    if "skills" in data:
        needs["skills"] = [
            services.SkillNeed(s["skill"], s.get("essential", True)) for s in data.pop("skills")
        ]
    if "languages" in data:
        needs["languages"] = [
            services.LanguageNeed(x["language"], x["min_level"], x.get("mandatory", True))
            for x in data.pop("languages")
        ]
    if "package" in data:
        needs["package"] = [
            services.PackageLine(
                p["kind"],
                Decimal(p["amount"]),
                p["currency"],
                p.get("period") or PackageItem.Period.ONCE,
                p.get("note", ""),
            )
            for p in data.pop("package")
        ]
    return needs


_filters = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Text in the title or occupation."),
    OpenApiParameter("country", OpenApiTypes.STR, description="ISO 3166 alpha-2 code."),
    OpenApiParameter("modality", OpenApiTypes.STR, enum=Modality.values),
    OpenApiParameter("sector", OpenApiTypes.STR, enum=Sector.values),
    OpenApiParameter("programme", OpenApiTypes.STR, description="Programme code."),
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        enum=Opportunity.Status.values,
        description="Staff only; everyone else sees published opportunities.",
    ),
]


@extend_schema_view(list=extend_schema(parameters=_filters))
class OpportunityViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet[Opportunity],
):
    """Published opportunities for everyone; host focal points and officers also see the other
    states in their scope, create and change drafts, and take workflow steps."""

    required_action = None  # reading is public; the queryset decides what is seen
    required_actions = {"POST": WRITE, "PUT": WRITE, "PATCH": WRITE}
    serializer_class = OpportunitySerializer
    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet[Opportunity]:
        user = self.request.user
        # The list's filters apply to the list only: a write or a step answers with the
        # opportunity whatever the query string says.
        params = self.request.query_params if self.action == "list" else {}
        base = Opportunity.objects.select_related(
            "host", "programme", "occupation", "isco_group"
        ).prefetch_related("skills__skill", "languages", "package")
        if q := params.get("q", ""):
            base = base.search(q[:100])
        qs: QuerySet[Opportunity] = base
        writing = self.request.method in self.required_actions
        if writing:
            qs = visible(user, WRITE, qs)
        elif check(user, STAFF_READ):
            staff = visible(user, STAFF_READ, Opportunity.objects.all()).values("pk")
            qs = qs.filter(Q(status=Opportunity.Status.PUBLISHED) | Q(pk__in=staff))
            if status := params.get("status", ""):
                qs = qs.filter(status=status)
        else:
            qs = qs.filter(status=Opportunity.Status.PUBLISHED)
        for name, lookup in (
            ("country", "country"),
            ("modality", "modality"),
            ("sector", "sector"),
            ("programme", "programme__code"),
        ):
            if value := params.get(name, ""):
                qs = qs.filter(**{lookup: value.upper() if name == "country" else value})
        return qs.order_by("-published_at", "-pk")

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        needs = _needs(data)
        self._save(serializer, Opportunity(**data), needs)

    def perform_update(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        needs = _needs(data)
        opportunity = serializer.instance
        for name, value in data.items():
            setattr(opportunity, name, value)
        self._save(serializer, opportunity, needs)

    def _save(self, serializer: Any, opportunity: Opportunity, needs: dict[str, Any]) -> None:
        try:
            saved = services.save_opportunity(self.request.user, opportunity, **needs)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            ) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        serializer.instance = self.get_queryset().get(pk=saved.pk)

    @extend_schema(request=TransitionSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Take one workflow step: submit, validate, publish, return (with a reason), close,
        cancel (with a reason)."""
        opportunity = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.transition(
                request.user,
                opportunity,
                body.validated_data["step"],
                reason=body.validated_data["reason"],
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            ) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=opportunity.pk)).data)


class ProgrammeSerializer(serializers.ModelSerializer[Programme]):
    class Meta:
        model = Programme
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "description",
            "min_years_abroad",
            "min_share_women",
            "active",
        ]


class ProgrammeViewSet(viewsets.ReadOnlyModelViewSet[Programme]):
    """The programmes opportunities are posted under (public)."""

    required_action = None
    serializer_class = ProgrammeSerializer
    lookup_field = "code"
    lookup_value_converter = "str"
    queryset = Programme.objects.order_by("name", "pk")


class QuotaSerializer(serializers.ModelSerializer[Quota]):
    agreement = serializers.CharField(source="agreement.name", read_only=True)
    programme = serializers.CharField(source="agreement.programme.code", read_only=True)
    destination_country = serializers.CharField(
        source="agreement.destination_country.code", read_only=True
    )
    drawn = serializers.IntegerField(read_only=True, help_text="Positions job orders draw.")

    class Meta:
        model = Quota
        fields = [
            "id",
            "agreement",
            "programme",
            "destination_country",
            "sector",
            "starts",
            "ends",
            "positions",
            "drawn",
        ]


class QuotaViewSet(viewsets.ReadOnlyModelViewSet[Quota]):
    """Labour agreement quotas in the officer's scope, with the positions drawn."""

    required_action = "opportunities.manage"
    serializer_class = QuotaSerializer

    def get_queryset(self) -> QuerySet[Quota]:
        qs = Quota.objects.with_drawn().select_related("agreement__programme")
        return visible(self.request.user, "opportunities.manage", qs).order_by("pk")
