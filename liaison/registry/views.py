from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from liaison.accounts.decorators import require
from liaison.accounts.permissions import get_visible_or_404, visible
from liaison.audit.services import record_view
from liaison.registry.models import Member, Organisation


@require("registry.view_member")
def member_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:100]
    members = visible(
        request.user,
        "registry.view_member",
        Member.objects.search(q).select_related("occupation", "isco_group"),
    )
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    return render(request, "registry/member_list.html", {"page": page, "q": q})


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
