"""Pages: an opportunity's ranked candidates (officers, and the host institution's focal
point), the opportunities matched to a member (officers), and a member's own suggestions.
Rules live in ``services`` and ``scoring``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison.accounts.decorators import require
from liaison.accounts.permissions import check, get_visible_or_404
from liaison.matching import facts, services
from liaison.matching.forms import RankingForm
from liaison.matching.scoring import RULES
from liaison.registry.models import Member, Purpose
from liaison.registry.wizard import profile_for


@require(services.ACTION)
def opportunity_ranking(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = get_visible_or_404(
        request.user, services.ACTION, facts.opportunity_queryset(), pk=pk
    )
    form = RankingForm(request.GET or None, programme=opportunity.programme)
    limit, share = form.options()
    result = services.candidates_for(request.user, opportunity, limit=limit, women_share=share)
    return render(
        request,
        "matching/ranking.html",
        {
            "opportunity": opportunity,
            "form": form,
            "result": result,
            "ranking": result.ranking,
            "rules": RULES,
            "here": request.get_full_path(),
            "can_open_opportunity": bool(check(request.user, "opportunities.view", opportunity)),
        },
    )


@require("opportunities.invite")
@require_POST
def invite(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    opportunity = get_visible_or_404(
        request.user, services.ACTION, facts.opportunity_queryset(), pk=pk
    )
    member = get_visible_or_404(
        request.user, "registry.view_member", Member.objects.all(), pk=member_pk
    )
    try:
        services.invite(request.user, opportunity, member)
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
    else:
        messages.success(
            request, _("%(name)s is invited to apply.") % {"name": member.display_name}
        )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("matching:opportunity-ranking", args=[opportunity.pk])
    return redirect(back)


@require(services.ACTION)
def member_opportunities(request: HttpRequest, pk: int) -> HttpResponse:
    if not check(request.user, "registry.view_member"):
        raise PermissionDenied(_("Your roles do not include this."))
    member = get_visible_or_404(request.user, "registry.view_member", Member.objects.all(), pk=pk)
    suggestions = services.opportunities_for_member(request.user, member)
    return render(
        request,
        "matching/member_opportunities.html",
        {
            "member": member,
            "suggestions": suggestions,
            "consents": member.has_consent(Purpose.MATCHING),
            "rules": RULES,
        },
    )


@require("member_area.view")
def my_opportunities(request: HttpRequest) -> HttpResponse:
    member = profile_for(request.user)
    suggestions = services.my_opportunities(member) if member is not None else []
    return render(
        request,
        "matching/my_opportunities.html",
        {
            "member": member,
            "suggestions": suggestions,
            "consents": member.has_consent(Purpose.MATCHING) if member is not None else False,
            "rules": RULES,
        },
    )
