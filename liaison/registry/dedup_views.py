"""The duplicates review queue: compare, merge field by field, undo."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison.accounts.decorators import require
from liaison.accounts.permissions import visible
from liaison.audit.services import record_view
from liaison.core import progress
from liaison.registry import dedup
from liaison.registry.models import DuplicateCandidate, Member, Merge
from liaison.registry.tasks import find_duplicates_task

ACTION = "registry.merge_member"


def _queue(user: Any) -> Any:
    members = visible(user, ACTION, Member.objects.all()).values("pk")
    return DuplicateCandidate.objects.filter(
        status=DuplicateCandidate.Status.OPEN, first__in=members, second__in=members
    ).select_related("first", "second")


class MergeForm(forms.Form):
    def __init__(self, *args: Any, first: Member, second: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in dedup.MERGEABLE:
            a, b = _shown(first, name), _shown(second, name)
            if a == b:
                continue
            label = str(getattr(Member._meta.get_field(_attr(name)), "verbose_name", name))
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=[("first", a or "—"), ("second", b or "—")],
                initial="first" if a else "second",
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )


def _attr(name: str) -> str:
    """The field behind a stored column name (occupation_id -> occupation)."""
    return name.removesuffix("_id") if name in ("occupation_id", "isco_group_id") else name


def _shown(member: Member, name: str) -> str:
    value = getattr(member, _attr(name))
    if name == "nationalities":
        return ", ".join(c.code for c in value)
    return "" if value is None else str(value)


@require(ACTION)
def duplicate_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(_queue(request.user), 50).get_page(request.GET.get("page"))
    merges = Merge.objects.filter(
        survivor__in=visible(request.user, ACTION, Member.objects.all()).values("pk"),
        undone_at__isnull=True,
    ).select_related("merged_by")[:20]
    return render(request, "registry/duplicate_list.html", {"page": page, "merges": merges})


@require(ACTION)
def duplicate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = _queue(request.user).filter(pk=pk).first()
    if candidate is None:
        raise Http404
    form = MergeForm(request.POST or None, first=candidate.first, second=candidate.second)
    if request.method == "POST":
        if request.POST.get("decision") == "distinct":
            dedup.mark_distinct(request.user, candidate)
            messages.success(request, _("Marked as different people."))
            return redirect("registry:duplicate-list")
        if form.is_valid():
            trail = dedup.merge(request.user, candidate, form.cleaned_data)
            messages.success(
                request,
                _("Merged into member #%(pk)s. The merge can be undone from the queue.")
                % {"pk": trail.survivor_id},
            )
            return redirect("registry:member-detail", pk=trail.survivor_id)
    record_view(request.user, candidate.first, reason="duplicate review")
    record_view(request.user, candidate.second, reason="duplicate review")
    return render(request, "registry/duplicate_detail.html", {"candidate": candidate, "form": form})


@require(ACTION)
@require_POST
def merge_undo(request: HttpRequest, pk: int) -> HttpResponse:
    trail = Merge.objects.filter(
        pk=pk, survivor__in=visible(request.user, ACTION, Member.objects.all()).values("pk")
    ).first()
    if trail is None:
        raise Http404
    try:
        restored = dedup.undo(request.user, trail)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("registry:duplicate-list")
    messages.success(
        request, _("The merge is undone; member #%(pk)s is back.") % {"pk": restored.pk}
    )
    return redirect("registry:duplicate-list")


@require(ACTION)
@require_POST
def duplicate_search(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        row = progress.start(_("Duplicate search"), owner=request.user)
        find_duplicates_task.enqueue(str(row.pk))
    messages.info(request, _("The search for duplicates is queued."))
    return redirect("registry:duplicate-list")
