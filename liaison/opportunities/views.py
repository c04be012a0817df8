"""Opportunity pages: the public portal (list, detail, apply), the member's applications, and
the back office (opportunities, programmes, agreements and quotas). Rules live in services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison.accounts.decorators import require
from liaison.accounts.permissions import check, get_visible_or_404, visible
from liaison.audit.services import record_view
from liaison.core.forms import add_service_errors
from liaison.opportunities import services
from liaison.opportunities.forms import (
    AgreementForm,
    ApplyForm,
    BackofficeFilterForm,
    InviteForm,
    OpportunityForm,
    ProgrammeForm,
    PublicSearchForm,
    QuotaForm,
    StepForm,
)
from liaison.opportunities.models import (
    Application,
    LabourAgreement,
    Opportunity,
    OpportunityLanguage,
    Programme,
    Quota,
)
from liaison.opportunities.workflows import EDITABLE, STEPS, steps_from
from liaison.registry.models import Member
from liaison.registry.wizard import profile_for


def _detail_queryset() -> QuerySet[Opportunity]:
    return Opportunity.objects.select_related(
        "host", "programme", "occupation", "isco_group", "quota__agreement"
    ).prefetch_related(
        "skills__skill",
        Prefetch("languages", queryset=OpportunityLanguage.objects.order_by("-mandatory")),
        "package",
    )


# --- public portal -----------------------------------------------------------------------------


def public_list(request: HttpRequest) -> HttpResponse:
    """Published opportunities, searched by title or occupation and filtered."""
    form = PublicSearchForm(request.GET or None)
    opportunities: QuerySet[Opportunity] = Opportunity.objects.published().select_related(
        "host", "programme", "occupation"
    )
    if request.GET.keys() - {"page"}:
        opportunities = form.apply(opportunities)
    opportunities = opportunities.order_by("-published_at", "-pk")
    page = Paginator(opportunities, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "opportunities/public_list.html",
        {"page": page, "form": form, "query": query.urlencode()},
    )


def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = get_object_or_404(_detail_queryset().published(), pk=pk)  # type: ignore[attr-defined]
    member = profile_for(request.user) if check(request.user, "opportunities.apply") else None
    application = (
        Application.objects.filter(opportunity=opportunity, member=member).first()
        if member
        else None
    )
    return render(
        request,
        "opportunities/public_detail.html",
        {
            "opportunity": opportunity,
            "member": member,
            "application": application,
            "consents": member.has_consent("matching") if member else False,
            "form": ApplyForm(),
        },
    )


@require("opportunities.apply")
@require_POST
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = get_object_or_404(Opportunity.objects.published(), pk=pk)
    member = profile_for(request.user)
    if member is None:
        messages.error(request, _("Complete your profile first: applying shares it."))
        return redirect("me:profile-about")
    form = ApplyForm(request.POST)
    if form.is_valid():
        try:
            services.apply(request.user, opportunity, member, message=form.cleaned_data["message"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Your application is sent."))
    else:
        messages.error(request, _("The message is too long."))
    return redirect("opportunities:public-detail", pk=opportunity.pk)


@require("opportunities.apply")
def my_applications(request: HttpRequest) -> HttpResponse:
    member = profile_for(request.user)
    applications = (
        Application.objects.filter(member=member).select_related("opportunity__host")
        if member
        else Application.objects.none()
    )
    return render(request, "opportunities/my_applications.html", {"applications": applications})


# --- back office: opportunities ----------------------------------------------------------------


@require("opportunities.view")
def opportunity_list(request: HttpRequest) -> HttpResponse:
    form = BackofficeFilterForm(request.GET or None)
    base = Opportunity.objects.select_related("host", "programme")
    if form.is_valid() and form.cleaned_data.get("q"):
        base = base.search(form.cleaned_data["q"])
    opportunities = visible(
        request.user,
        "opportunities.view",
        base.annotate(application_count=Count("applications")).order_by("-created_at", "-pk"),
    )
    if form.is_valid() and form.cleaned_data.get("status"):
        opportunities = opportunities.filter(status=form.cleaned_data["status"])
    page = Paginator(opportunities, 50).get_page(request.GET.get("page"))
    return render(request, "opportunities/list.html", {"page": page, "form": form})


@require("opportunities.edit")
def opportunity_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create an opportunity (no ``pk``) or change one still open to changes."""
    opportunity = (
        get_visible_or_404(request.user, "opportunities.edit", Opportunity.objects.all(), pk=pk)
        if pk
        else Opportunity()
    )
    if pk and opportunity.status not in EDITABLE:
        messages.error(
            request,
            services.not_editable(opportunity),
        )
        return redirect("opportunities:detail", pk=opportunity.pk)
    form = OpportunityForm(request.POST or None, instance=opportunity, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_opportunity(
                request.user,
                form.apply_to_instance(),
                skills=form.cleaned_data["skills"],
                languages=form.cleaned_data["languages"],
                package=form.cleaned_data["package"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You may not change this opportunity."))
        else:
            messages.success(request, _("The opportunity is saved."))
            return redirect("opportunities:detail", pk=saved.pk)
    return render(request, "opportunities/edit.html", {"opportunity": opportunity, "form": form})


@require("opportunities.view")
def opportunity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = get_visible_or_404(request.user, "opportunities.view", _detail_queryset(), pk=pk)
    user = request.user
    steps = [s for s in steps_from(opportunity.status) if check(user, s.action, opportunity)]
    can_invite = bool(check(user, "opportunities.invite", opportunity))
    applications: list[Application] = []
    if can_invite:
        applications = list(
            opportunity.applications.filter(
                member__in=visible(user, "registry.view_member", Member.objects.all())
            ).select_related("member")[:100]
        )
        for application in applications:
            record_view(user, application.member, reason=f"applications to opportunity #{pk}")
    return render(
        request,
        "opportunities/detail.html",
        {
            "opportunity": opportunity,
            "steps": steps,
            "step_form": StepForm(),
            "can_edit": opportunity.status in EDITABLE
            and bool(check(user, "opportunities.edit", opportunity)),
            "can_invite": can_invite,
            "invite_form": InviteForm(),
            "applications": applications,
            "transitions": opportunity.transitions.select_related("actor"),
            "drawn": opportunity.quota.drawn_positions() if opportunity.quota else None,
        },
    )


@require("opportunities.view")
@require_POST
def opportunity_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    opportunity = get_visible_or_404(
        request.user, "opportunities.view", Opportunity.objects.all(), pk=pk
    )
    if step not in STEPS:
        raise Http404
    form = StepForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.transition(request.user, opportunity, step, reason=reason)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("Your roles do not include this."))
    else:
        messages.success(
            request,
            _("Done: %(step)s.") % {"step": STEPS[step].label},
        )
    return redirect("opportunities:detail", pk=opportunity.pk)


@require("opportunities.invite")
@require_POST
def opportunity_invite(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = get_visible_or_404(
        request.user, "opportunities.invite", Opportunity.objects.all(), pk=pk
    )
    form = InviteForm(request.POST)
    back = redirect("opportunities:detail", pk=opportunity.pk)
    if not form.is_valid():
        messages.error(request, _("Give the member's number."))
        return back
    member = (
        visible(request.user, "registry.view_member", Member.objects.all())
        .filter(pk=form.cleaned_data["member"])
        .first()
    )
    if member is None:
        messages.error(request, _("No member with this number is in your scope."))
        return back
    try:
        services.invite(request.user, opportunity, member, message=form.cleaned_data["message"])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(name)s is invited.") % {"name": member.display_name})
    return back


# --- back office: programmes, agreements, quotas -----------------------------------------------


@require("opportunities.manage")
def programme_list(request: HttpRequest) -> HttpResponse:
    programmes = visible(
        request.user,
        "opportunities.manage",
        Programme.objects.annotate(opportunity_count=Count("opportunities")).order_by("name", "pk"),
    )
    return render(request, "opportunities/programme_list.html", {"programmes": programmes})


@require("opportunities.manage")
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_visible_or_404(
        request.user, "opportunities.manage", Programme.objects.all(), pk=pk
    )
    agreements = programme.agreements.prefetch_related(
        Prefetch("quotas", queryset=Quota.objects.with_drawn().order_by("sector", "starts"))
    )
    return render(
        request,
        "opportunities/programme_detail.html",
        {"programme": programme, "agreements": agreements},
    )


def _save_with(request: HttpRequest, form: Any, save: Any, instance: Any) -> Any | None:
    """Run a service on a valid form's instance; its problems go back onto the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return save(request.user, instance)
    except ValidationError as exc:
        add_service_errors(form, exc)
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
    return None


@require("opportunities.manage")
def programme_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    programme = (
        get_visible_or_404(request.user, "opportunities.manage", Programme.objects.all(), pk=pk)
        if pk
        else Programme()
    )
    form = ProgrammeForm(request.POST or None, instance=programme)
    saved = _save_with(request, form, services.save_programme, form.instance)
    if saved is not None:
        messages.success(request, _("The programme is saved."))
        return redirect("opportunities:programme-detail", pk=saved.pk)
    return render(
        request,
        "opportunities/simple_form.html",
        {
            "form": form,
            "title": _("Programme"),
            "back_url": reverse("opportunities:programme-list"),
        },
    )


@require("opportunities.manage")
def agreement_edit(
    request: HttpRequest, programme_pk: int | None = None, pk: int | None = None
) -> HttpResponse:
    if pk:
        agreement = get_visible_or_404(
            request.user, "opportunities.manage", LabourAgreement.objects.all(), pk=pk
        )
    else:
        programme = get_visible_or_404(
            request.user, "opportunities.manage", Programme.objects.all(), pk=programme_pk
        )
        agreement = LabourAgreement(programme=programme)
    form = AgreementForm(request.POST or None, instance=agreement)
    saved = _save_with(request, form, services.save_agreement, form.instance)
    if saved is not None:
        messages.success(request, _("The agreement is saved."))
        return redirect("opportunities:programme-detail", pk=saved.programme_id)
    return render(
        request,
        "opportunities/simple_form.html",
        {
            "form": form,
            "title": _("Labour agreement"),
            "back_url": reverse("opportunities:programme-detail", args=[agreement.programme_id]),
        },
    )


@require("opportunities.manage")
def quota_edit(
    request: HttpRequest, agreement_pk: int | None = None, pk: int | None = None
) -> HttpResponse:
    if pk:
        quota = get_visible_or_404(
            request.user,
            "opportunities.manage",
            Quota.objects.select_related("agreement"),
            pk=pk,
        )
    else:
        agreement = get_visible_or_404(
            request.user, "opportunities.manage", LabourAgreement.objects.all(), pk=agreement_pk
        )
        quota = Quota(agreement=agreement)
    form = QuotaForm(request.POST or None, instance=quota)
    saved = _save_with(request, form, services.save_quota, form.instance)
    if saved is not None:
        messages.success(request, _("The quota is saved."))
        return redirect("opportunities:programme-detail", pk=saved.agreement.programme_id)
    return render(
        request,
        "opportunities/simple_form.html",
        {
            "form": form,
            "title": _("Quota"),
            "back_url": reverse(
                "opportunities:programme-detail", args=[quota.agreement.programme_id]
            ),
        },
    )
