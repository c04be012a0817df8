"""The price data pages: observations (list, an officer's entry and correction), providers and
their report links, the queue of providers' reports to verify, and the public report form a
provider reaches through its secret link. Rules live in ``services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison.accounts.decorators import require
from liaison.accounts.permissions import check
from liaison.core.forms import add_service_errors
from liaison.remittances import services
from liaison.remittances.forms import (
    ObservationFilterForm,
    ObservationForm,
    ProviderForm,
    ReportForm,
    VerifyForm,
)
from liaison.remittances.models import Observation, Provider


@require("remittances.view")
def observation_list(request: HttpRequest) -> HttpResponse:
    form = ObservationFilterForm(request.GET or None)
    observations = form.apply(
        Observation.objects.select_related("provider", "corridor").order_by(
            "-year", "-quarter", "corridor", "provider__name", "price_point"
        )
    )
    page = Paginator(observations, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "remittances/data/observation_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "may_manage": check(request.user, "remittances.manage"),
            "pending_count": services.pending().count(),
        },
    )


def _save(request: HttpRequest, form: ObservationForm, write: Any) -> bool:
    """Make the corridor and write the observation in one transaction; service errors go onto
    the form and nothing is stored."""
    if not form.is_valid():
        return False
    try:
        with transaction.atomic():
            observation = form.observation()
            observation.corridor = services.corridor_for(**form.corridor_values())
            write(observation)
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


@require("remittances.manage")
def observation_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    instance = get_object_or_404(Observation, pk=pk) if pk else Observation()
    form = ObservationForm(request.POST or None, instance=instance)
    if request.method == "POST" and _save(
        request, form, lambda o: services.save_observation(request.user, o)
    ):
        messages.success(request, _("The price is saved."))
        return redirect("remittances:observation-list")
    return render(
        request,
        "remittances/data/observation_form.html",
        {
            "form": form,
            "observation": instance if pk else None,
            "title": _("Correct a price") if pk else _("Record a price"),
        },
    )


@require("remittances.manage")
def pending_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "remittances/data/pending_list.html",
        {"reports": services.pending(), "form": VerifyForm()},
    )


@require("remittances.manage")
@require_POST
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    observation = get_object_or_404(Observation, pk=pk)
    form = VerifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to accept or reject the report."))
        return redirect("remittances:pending-list")
    accept = form.cleaned_data["decision"] == "accept"
    try:
        services.verify(
            request.user, observation, accept=accept, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The report is verified: it now counts.")
            if accept
            else _("The report is rejected: it does not count."),
        )
    return redirect("remittances:pending-list")


@require("remittances.view")
def provider_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "remittances/data/provider_list.html",
        {
            "providers": Provider.objects.order_by("name"),
            "may_manage": check(request.user, "remittances.manage"),
        },
    )


@require("remittances.manage")
def provider_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    instance = get_object_or_404(Provider, pk=pk) if pk else Provider()
    form = ProviderForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            provider = services.save_provider(request.user, form.save(commit=False))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The provider is saved."))
            return redirect("remittances:provider-edit", pk=provider.pk)
    report_url = (
        request.build_absolute_uri(
            reverse("remittances:report", kwargs={"token": instance.report_token})
        )
        if pk
        else ""
    )
    return render(
        request,
        "remittances/data/provider_form.html",
        {"form": form, "provider": instance if pk else None, "report_url": report_url},
    )


@require("remittances.manage")
@require_POST
def provider_renew_link(request: HttpRequest, pk: int) -> HttpResponse:
    provider = get_object_or_404(Provider, pk=pk)
    services.renew_report_link(request.user, provider)
    messages.success(request, _("The provider has a new report link; the old one no longer works."))
    return redirect("remittances:provider-edit", pk=provider.pk)


def report(request: HttpRequest, token: str) -> HttpResponse:
    """A provider reports one of its prices through its secret link (no account)."""
    provider = Provider.objects.filter(report_token=token).first()
    if provider is None:
        raise Http404(_("This report link does not work: ask the office for a new one."))
    form = ReportForm(request.POST or None)
    if request.method == "POST" and _save(
        request, form, lambda o: services.submit_report(provider, o)
    ):
        messages.success(
            request,
            _("Thank you: the price is received. It counts once an officer has checked it."),
        )
        return redirect("remittances:report", token=token)
    return render(
        request, "remittances/data/report_form.html", {"form": form, "provider": provider}
    )
