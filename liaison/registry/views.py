from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from liaison.accounts.decorators import require
from liaison.accounts.permissions import check, get_visible_or_404, visible
from liaison.audit.services import history, record_view
from liaison.registry.models import Member, Organisation
from liaison.registry.search import MemberSearchForm
from liaison.registry.services import consent_state


@require("registry.view_member")
def member_list(request: HttpRequest) -> HttpResponse:
    form = MemberSearchForm(request.GET or None)
    members = visible(
        request.user,
        "registry.view_member",
        Member.objects.select_related("occupation", "isco_group"),
    )
    if request.GET.keys() - {"page"}:
        members = form.apply(members)
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/member_list.html",
        {"page": page, "form": form, "query": query.urlencode()},
    )


@require("registry.view_member")
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_visible_or_404(
        request.user,
        "registry.view_member",
        Member.objects.select_related("occupation", "isco_group"),
        pk=pk,
    )
    record_view(request.user, member)
    return render(
        request,
        "registry/member_detail.html",
        {
            "member": member,
            "show_sensitive": bool(check(request.user, "registry.view_sensitive", member)),
            "consents": consent_state(member).values(),
            "history": history(member).select_related("content_type")[:20],
            "skills": member.skills.select_related("skill"),
            "languages": member.languages.all(),
            "organisations": member.organisations.all(),
        },
    )


@require("registry.view_organisation")
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = visible(request.user, "registry.view_organisation", Organisation.objects.all())
    page = Paginator(organisations, 50).get_page(request.GET.get("page"))
    return render(request, "registry/organisation_list.html", {"page": page})


@require("registry.view_organisation")
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_visible_or_404(
        request.user, "registry.view_organisation", Organisation.objects.all(), pk=pk
    )
    return render(request, "registry/organisation_detail.html", {"organisation": organisation})
