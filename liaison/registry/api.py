from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from liaison.accounts.permissions import visible
from liaison.audit.services import record_view
from liaison.registry.models import Member, Organisation
from liaison.taxonomy.models import IscoGroup, Occupation


class MemberSerializer(serializers.ModelSerializer[Member]):
    country_of_residence = serializers.CharField(source="country_of_residence.code")
    occupation: serializers.SlugRelatedField[Occupation] = serializers.SlugRelatedField(
        slug_field="uri", read_only=True
    )
    isco_group: serializers.SlugRelatedField[IscoGroup] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Member
        fields = [
            "id",
            "given_name",
            "family_name",
            "sex",
            "birth_date",
            "country_of_residence",
            "city",
            "education_level",
            "occupation",
            "isco_group",
        ]


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    country = serializers.CharField(source="country.code")

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "country", "city", "verification"]


class MemberViewSet(viewsets.ReadOnlyModelViewSet[Member]):
    """Members in the caller's scope. Reading one member is recorded in the audit log."""

    required_action = "registry.view_member"
    serializer_class = MemberSerializer

    def get_queryset(self) -> QuerySet[Member]:
        qs = Member.objects.select_related("occupation", "isco_group").order_by("pk")
        if q := self.request.query_params.get("q", ""):
            qs = qs.search(q[:100])
        return visible(self.request.user, self.required_action, qs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        member = self.get_object()
        record_view(request.user, member)
        return Response(self.get_serializer(member).data)


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet[Organisation]):
    required_action = "registry.view_organisation"
    serializer_class = OrganisationSerializer

    def get_queryset(self) -> QuerySet[Organisation]:
        return visible(self.request.user, self.required_action, Organisation.objects.order_by("pk"))
