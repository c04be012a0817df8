"""Read-only API: rankings with the explanation of every score, part by part.

Explanations are written in the caller's language (``Accept-Language``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from liaison.accounts.permissions import check, get_visible_or_404
from liaison.matching import engine, facts, services
from liaison.matching.scoring import Part
from liaison.registry.models import Member
from liaison.registry.wizard import profile_for


class ScorePartSerializer(serializers.Serializer[Part]):
    key = serializers.ChoiceField(
        choices=["skills", "occupation", "experience", "education", "languages", "place"]
    )
    label = serializers.CharField()  # type: ignore[assignment]
    points = serializers.FloatField()
    max = serializers.IntegerField(help_text="The part's points at best (the weights add to 100).")
    why = serializers.CharField(help_text="The reason, in the caller's language.")


class RankedCandidateSerializer(serializers.Serializer[Any]):
    rank = serializers.IntegerField()
    member = serializers.IntegerField(help_text="The member's id.")
    name = serializers.CharField()
    score = serializers.FloatField(help_text="Out of 100.")
    promoted = serializers.BooleanField(
        help_text="Listed to reach the minimum share of women, in place of a higher score."
    )
    application = serializers.ChoiceField(
        choices=["", "applied", "invited"], help_text="The member's application, if any."
    )
    parts = ScorePartSerializer(many=True)


class RankedOpportunitySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()


class CandidateRankingSerializer(serializers.Serializer[Any]):
    opportunity = RankedOpportunitySerializer()
    limit = serializers.IntegerField()
    women_share = serializers.IntegerField(
        allow_null=True, help_text="The minimum share of women asked, in per cent."
    )
    women_needed = serializers.IntegerField()
    women_listed = serializers.IntegerField()
    women_short = serializers.BooleanField(
        help_text="Fewer qualified women exist than the share asks for: all of them are listed."
    )
    considered = serializers.IntegerField(
        help_text="Members with a required skill or the occupation, before the hard filters."
    )
    withheld = serializers.IntegerField(
        help_text="Qualified members not named to a host institution's focal point: those who "
        "have not applied to this opportunity."
    )
    candidates = RankedCandidateSerializer(many=True)


class MatchedOpportunitySummarySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    host = serializers.CharField()
    modality = serializers.CharField()
    country = serializers.CharField()
    city = serializers.CharField()
    starts = serializers.DateField()
    ends = serializers.DateField(allow_null=True)


class MatchedOpportunitySerializer(serializers.Serializer[Any]):
    rank = serializers.IntegerField()
    opportunity = MatchedOpportunitySummarySerializer()
    score = serializers.FloatField(help_text="Out of 100.")
    parts = ScorePartSerializer(many=True)


class CandidateRankingQuerySerializer(serializers.Serializer[Any]):
    limit = serializers.IntegerField(min_value=1, max_value=services.MAX_LIMIT, default=50)
    women_share = serializers.IntegerField(
        min_value=0,
        max_value=100,
        required=False,
        allow_null=True,
        help_text="Guarantee at least this share of women (per cent) when enough qualified "
        "women exist. Left out: the programme's own minimum share, if it sets one.",
    )


class MatchedOpportunityQuerySerializer(serializers.Serializer[Any]):
    limit = serializers.IntegerField(min_value=1, max_value=services.MAX_LIMIT, default=20)


def _parts(parts: tuple[Part, ...]) -> list[dict[str, Any]]:
    return [
        {"key": p.key, "label": p.label, "points": round(p.points, 3), "max": p.max, "why": p.why}
        for p in parts
    ]


def _suggestions(found: list[engine.Suggestion]) -> list[dict[str, Any]]:
    return [
        {
            "rank": s.rank,
            "opportunity": {
                "id": s.opportunity.pk,
                "title": s.opportunity.title,
                "host": str(s.opportunity.host),
                "modality": s.opportunity.modality,
                "country": s.opportunity.country.code,
                "city": s.opportunity.city,
                "starts": s.opportunity.starts,
                "ends": s.opportunity.ends,
            },
            "score": round(s.score, 3),
            "parts": _parts(s.parts),
        }
        for s in found
    ]


def _query(serializer: serializers.Serializer[Any]) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _service(call: Any) -> Any:
    try:
        return call()
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.message_dict) from exc
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc


class CandidatesView(APIView):
    """The best qualified members for an opportunity, each with the explanation of every part
    of their score. Officers, and the host institution's focal point."""

    required_action = services.ACTION

    @extend_schema(
        parameters=[CandidateRankingQuerySerializer],
        responses=CandidateRankingSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        opportunity = get_visible_or_404(
            request.user, services.ACTION, facts.opportunity_queryset(), pk=pk
        )
        options = _query(CandidateRankingQuerySerializer(data=request.query_params))
        share = options.get("women_share", opportunity.programme.min_share_women)
        result = _service(
            lambda: services.candidates_for(
                request.user, opportunity, limit=options["limit"], women_share=share
            )
        )
        ranking = result.ranking
        data = {
            "opportunity": {"id": opportunity.pk, "title": opportunity.title},
            "limit": result.limit,
            "women_share": ranking.women_share,
            "women_needed": ranking.women_needed,
            "women_listed": ranking.women_listed,
            "women_short": ranking.women_short,
            "considered": ranking.considered,
            "withheld": result.withheld,
            "candidates": [
                {
                    "rank": item.candidate.rank,
                    "member": item.candidate.member_id,
                    "name": item.candidate.name,
                    "score": round(item.candidate.score, 3),
                    "promoted": item.candidate.promoted,
                    "application": item.application,
                    "parts": _parts(item.candidate.parts),
                }
                for item in result.listed
            ],
        }
        return Response(CandidateRankingSerializer(data).data)


class MemberOpportunitiesView(APIView):
    """The open opportunities a member qualifies for, best first, with explanations; for
    officers whose scope covers the member."""

    required_action = services.ACTION

    @extend_schema(
        parameters=[MatchedOpportunityQuerySerializer],
        responses=MatchedOpportunitySerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        if not check(request.user, "registry.view_member"):
            raise PermissionDenied(check(request.user, "registry.view_member").reason)
        member = get_visible_or_404(
            request.user, "registry.view_member", Member.objects.all(), pk=pk
        )
        options = _query(MatchedOpportunityQuerySerializer(data=request.query_params))
        found = _service(
            lambda: services.opportunities_for_member(request.user, member, limit=options["limit"])
        )
        return Response(MatchedOpportunitySerializer(_suggestions(found), many=True).data)


class MyOpportunitiesView(APIView):
    """The open opportunities that fit the signed-in member's profile, best first."""

    required_action = "member_area.view"

    @extend_schema(
        parameters=[MatchedOpportunityQuerySerializer],
        responses=MatchedOpportunitySerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        member = profile_for(request.user)
        if member is None:
            raise NotFound(_("You have no profile yet."))
        options = _query(MatchedOpportunityQuerySerializer(data=request.query_params))
        found = _service(lambda: services.my_opportunities(member, limit=options["limit"]))
        return Response(MatchedOpportunitySerializer(_suggestions(found), many=True).data)
