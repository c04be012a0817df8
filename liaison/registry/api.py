from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from liaison.accounts.permissions import check, visible
from liaison.audit.services import record_view
from liaison.registry import services
from liaison.registry.models import PROFILE_FIELDS, Member, Organisation
from liaison.taxonomy.models import IscoGroup, Occupation
from liaison.taxonomy.reference import is_country

READ, WRITE = "registry.view_member", "registry.edit_member"


def _country(value: str) -> str:
    if not is_country(value):
        raise serializers.ValidationError(
            _("%(c)s is not an ISO 3166 country code.") % {"c": value}
        )
    return value.upper()


def _clean_and_save(obj: Model) -> None:
    """Save after the model's own checks; what they refuse answers 400, as the serializer does."""
    try:
        obj.full_clean()
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.message_dict) from exc
    obj.save()


class MemberSerializer(serializers.ModelSerializer[Member]):
    country_of_residence = serializers.CharField(max_length=2, help_text="ISO 3166 alpha-2 code.")
    nationalities = serializers.ListField(
        child=serializers.CharField(max_length=2), required=False, allow_empty=True
    )
    occupation: serializers.SlugRelatedField[Occupation] = serializers.SlugRelatedField(
        slug_field="uri", queryset=Occupation.objects.all(), required=False, allow_null=True
    )
    isco_group: serializers.SlugRelatedField[IscoGroup] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Member
        fields = [
            "id",
            "external_id",
            *PROFILE_FIELDS,
            "occupation",
            "isco_group",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def to_representation(self, instance: Member) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["nationalities"] = [c.code for c in instance.nationalities]
        return data

    def validate_phone(self, value: str) -> str:
        country = str(self.initial_data.get("country_of_residence") or "")
        try:
            return services.normalise_phone(value, country)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def validate_country_of_residence(self, value: str) -> str:
        return _country(value)

    def validate_nationalities(self, value: list[str]) -> list[str]:
        bad = [c for c in value if not is_country(c)]
        if bad:
            raise serializers.ValidationError(_("Not ISO 3166 country codes: %(c)s") % {"c": bad})
        return [c.upper() for c in value]


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    country = serializers.CharField(max_length=2, help_text="ISO 3166 alpha-2 code.")
    countries = serializers.ListField(
        child=serializers.CharField(max_length=2), required=False, allow_empty=True
    )
    sectors = serializers.ListField(
        child=serializers.ChoiceField(choices=Organisation.Sector.choices),
        required=False,
        allow_empty=True,
    )

    class Meta:
        model = Organisation
        fields = [
            "id",
            "external_id",
            "name",
            "kind",
            "country",
            "countries",
            "sectors",
            "city",
            "email",
            "phone",
            "website",
            "verification",
        ]
        read_only_fields = ["verification"]

    def to_representation(self, instance: Organisation) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["country"] = instance.country.code
        data["countries"] = [c.code for c in instance.countries]
        return data

    def validate_country(self, value: str) -> str:
        return _country(value)

    def validate_countries(self, value: list[str]) -> list[str]:
        return [_country(c) for c in value]

    def validate_phone(self, value: str) -> str:
        country = str(self.initial_data.get("country") or "")
        if not country and self.instance is not None:
            country = self.instance.country.code
        try:
            return services.normalise_phone(value, country)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class MemberViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet[Member],
):
    """Members in the caller's scope. Reading one member is recorded in the audit log; changes
    keep the previous version, as edits in the back office do."""

    required_action = READ
    required_actions = {"POST": WRITE, "PUT": WRITE, "PATCH": WRITE}
    serializer_class = MemberSerializer

    def get_queryset(self) -> QuerySet[Member]:
        qs = Member.objects.select_related("occupation", "isco_group").order_by("pk")
        if q := self.request.query_params.get("q", ""):
            qs = qs.search(q[:100])
        action = WRITE if self.request.method in self.required_actions else READ
        return visible(self.request.user, action, qs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        member = self.get_object()
        record_view(request.user, member)
        return Response(self.get_serializer(member).data)

    def perform_create(self, serializer: Any) -> None:
        candidate = Member(country_of_residence=serializer.validated_data["country_of_residence"])
        if not check(self.request.user, WRITE, candidate):
            raise PermissionDenied(_("You may not register members outside your scope."))
        member = Member(**serializer.validated_data)
        _clean_and_save(member)
        serializer.instance = member

    def perform_update(self, serializer: Any) -> None:
        changes = dict(serializer.validated_data)
        if "country_of_residence" in changes:
            moved = Member(country_of_residence=changes["country_of_residence"])
            if not check(self.request.user, WRITE, moved):
                raise PermissionDenied(_("You may not move members outside your scope."))
        try:
            serializer.instance = services.update_member(
                self.request.user, serializer.instance, changes
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc


class OrganisationViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet[Organisation],
):
    """Organisations in the caller's scope; officers create and correct them as in the pages
    (verification has its own page)."""

    required_action = "registry.view_organisation"
    required_actions = {
        "POST": "registry.edit_organisation",
        "PUT": "registry.edit_organisation",
        "PATCH": "registry.edit_organisation",
    }
    serializer_class = OrganisationSerializer

    def get_queryset(self) -> QuerySet[Organisation]:
        action = self.required_actions.get(self.request.method or "", self.required_action)
        return visible(self.request.user, action, Organisation.objects.order_by("pk"))

    def perform_create(self, serializer: Any) -> None:
        self._save(serializer, Organisation())

    def perform_update(self, serializer: Any) -> None:
        self._save(serializer, serializer.instance)

    def _save(self, serializer: Any, organisation: Organisation) -> None:
        for name, value in serializer.validated_data.items():
            setattr(organisation, name, value)
        if not check(self.request.user, "registry.edit_organisation", organisation):
            raise PermissionDenied(_("This country is outside your scope."))
        _clean_and_save(organisation)
        serializer.instance = organisation
