"""A member's own data: download it, decide what it is used for, erase it."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from liaison.accounts.decorators import require
from liaison.audit.models import AuditEvent
from liaison.audit.services import record
from liaison.registry import services, wizard
from liaison.registry.forms import CONSENT_CHOICES, ConsentForm, EraseForm, consent_key
from liaison.registry.models import Member


def _own_profile(request: HttpRequest) -> Member:
    member = Member.objects.filter(user__pk=request.user.pk or 0).first()
    if member is None:
        raise Http404(_("You have no profile yet."))
    return member


def _download(content: str, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require("member_area.view")
def data_json(request: HttpRequest) -> HttpResponse:
    member = _own_profile(request)
    data = services.export_member_data(member)
    record(AuditEvent.Action.EXPORT, member, reason="download of own data (JSON)")
    stamp = timezone.localdate().isoformat()
    return _download(
        json.dumps(data, ensure_ascii=False, indent=2),
        "application/json; charset=utf-8",
        f"liaison-my-data-{stamp}.json",
    )


@require("member_area.view")
def data_csv(request: HttpRequest) -> HttpResponse:
    member = _own_profile(request)
    data = services.export_member_data(member)
    record(AuditEvent.Action.EXPORT, member, reason="download of own data (CSV)")
    stamp = timezone.localdate().isoformat()
    return _download(
        services.export_member_csv(data), "text/csv; charset=utf-8", f"liaison-my-data-{stamp}.csv"
    )


@require("member_area.view")
def consents(request: HttpRequest) -> HttpResponse:
    member = _own_profile(request)
    state = services.consent_state(member)
    current = {key: c.granted for key, c in state.items()}
    form = ConsentForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        changed = 0
        for purpose, channel in CONSENT_CHOICES:
            wanted = form.cleaned_data[consent_key(purpose, channel)]
            if current.get((purpose, channel), False) != wanted:
                services.record_consent(request.user, member, purpose, wanted, channel=channel)
                changed += 1
        messages.success(
            request,
            _("Your choices are saved; they apply at once.") if changed else _("Nothing changed."),
        )
        return redirect("me:consents")
    return render(
        request,
        "registry/me_consents.html",
        {
            "form": form,
            "history": member.consents.order_by("-recorded_at", "-pk")[:50],
            "notice_version": services.current_notice_version(),
            **_step_context(5),
        },
    )


@require("member_area.view")
def erase(request: HttpRequest) -> HttpResponse:
    member = _own_profile(request)
    form = EraseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.erase_member(request.user, member, reason="requested by the member")
        logout(request)
        messages.success(request, _("Your profile and account are erased."))
        return redirect("portal:home")
    return render(request, "registry/me_erase.html", {"form": form, "rule": services.ERASURE_RULE})


STEPS = [
    ("me:profile-about", _lazy("About you")),
    ("me:profile-skills", _lazy("Occupation, skills and languages")),
    ("me:profile-history", _lazy("Education and work history")),
    ("me:profile-engagement", _lazy("Availability and interests")),
    ("me:consents", _lazy("What my data is used for")),
]


def _step_context(current: int) -> dict[str, object]:
    return {
        "steps": [{"url": reverse(name), "label": label} for name, label in STEPS],
        "current": current,
        "total": len(STEPS),
    }


@require("member_area.view")
def profile_about(request: HttpRequest) -> HttpResponse:
    member = wizard.profile_for(request.user)
    form = wizard.AboutForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        if member is None:
            wizard.start_profile(request.user, form)
        else:
            form.save()
        return redirect("me:profile-skills")
    return render(request, "registry/me_profile_step.html", {"form": form, **_step_context(1)})


def _later_step(request: HttpRequest, form_class: Any, step: int) -> HttpResponse:
    """Steps after the first edit an existing profile, then go on to the next step."""
    member = wizard.profile_for(request.user)
    if member is None:
        return redirect("me:profile-about")
    form = form_class(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect(STEPS[step][0])  # STEPS is 0-based: the next step's URL name
    return render(request, "registry/me_profile_step.html", {"form": form, **_step_context(step)})


@require("member_area.view")
def profile_skills(request: HttpRequest) -> HttpResponse:
    return _later_step(request, wizard.SkillsForm, 2)


@require("member_area.view")
def profile_history(request: HttpRequest) -> HttpResponse:
    return _later_step(request, wizard.HistoryForm, 3)


@require("member_area.view")
def profile_engagement(request: HttpRequest) -> HttpResponse:
    return _later_step(request, wizard.EngagementForm, 4)
