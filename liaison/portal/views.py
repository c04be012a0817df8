"""The public portal home, the member area and the back-office overview."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from liaison.accounts.decorators import require
from liaison.accounts.models import RoleGrant
from liaison.accounts.permissions import check, visible, visible_task_or_404
from liaison.registry.models import Member, Organisation
from liaison.registry.wizard import completeness, profile_for
from liaison.taxonomy.models import Occupation


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Where a person lands after signing in: the back office for staff, else their own space."""
    if check(request.user, "backoffice.view"):
        return redirect("portal:backoffice")
    if check(request.user, "member_area.view"):
        return redirect("portal:member-home")
    grants = RoleGrant.objects.active().filter(user__pk=request.user.pk or 0)
    return render(request, "portal/no_role.html", {"grants": grants})


@require("member_area.view")
def member_home(request: HttpRequest) -> HttpResponse:
    profile = profile_for(request.user)
    return render(
        request,
        "portal/member_home.html",
        {"profile": profile, "completeness": completeness(profile)},
    )


@require("backoffice.view")
def backoffice(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "member_count": visible(user, "registry.view_member", Member.objects.all()).count()
        if check(user, "registry.view_member")
        else None,
        "organisation_count": visible(
            user, "registry.view_organisation", Organisation.objects.all()
        ).count()
        if check(user, "registry.view_organisation")
        else None,
        "occupation_count": Occupation.objects.count(),
    }
    return render(request, "portal/backoffice.html", context)


@login_required
@never_cache
def task_progress(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """A task's progress: an HTML fragment for HTMX polling, or JSON when asked for it."""
    progress = visible_task_or_404(request.user, pk)
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {
                "id": str(progress.pk),
                "status": progress.status,
                "done": progress.done,
                "total": progress.total,
                "percent": progress.percent,
                "message": progress.message,
                "finished": progress.finished,
            }
        )
    return render(request, "components/progress.html", {"progress": progress})
