"""Pages for bringing a wave's submissions in from KoboToolbox or ODK Central exports, and for
downloading them in the same layouts."""

from __future__ import annotations

import uuid as uuid_module
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache

from liaison.accounts.decorators import require
from liaison.accounts.permissions import visible_task_or_404
from liaison.core.models import TaskProgress
from liaison.core.validators import within_upload_limit
from liaison.surveys import exchange, submissions, tasks
from liaison.surveys.models import Wave

LABELS = {
    "xlsx": _lazy("KoboToolbox XLSX (one sheet for the submissions, one per repeat)"),
    "csv": _lazy("KoboToolbox CSV (the submissions' sheet only)"),
    "zip": _lazy("ODK Central zip (one CSV for the submissions, one per repeat)"),
}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_lazy("Export from KoboToolbox (.xlsx or .csv) or ODK Central (.zip or .csv)"),
        validators=[within_upload_limit],
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": ".xlsx,.csv,.zip"}
        ),
    )


class ExportForm(forms.Form):
    purpose = forms.CharField(
        label=_lazy("Purpose of this export"),
        min_length=10,
        max_length=500,
        help_text=_lazy("Say what the answers are for; it is kept in the audit log."),
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


def _wave(pk: int) -> Wave:
    return get_object_or_404(Wave.objects.select_related("questionnaire", "version"), pk=pk)


@require("surveys.manage")
def wave_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload an export: it is kept and imported in the background, and the officer is sent to
    the page that follows the import and then shows its report."""
    wave = _wave(pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        run = tasks.start_import(request.user, wave, form.cleaned_data["file"])
        return redirect("surveys:wave-import-result", pk=wave.pk, uuid=run.pk)
    return _import_page(request, wave, form)


@require("surveys.manage")
@never_cache
def wave_import_result(request: HttpRequest, pk: int, uuid: uuid_module.UUID) -> HttpResponse:
    """An import's progress, then its report: what was stored, or every problem of the file
    (and then nothing was stored). Only the officer who started it, or an administrator, sees
    it."""
    wave = _wave(pk)
    run = visible_task_or_404(request.user, uuid, kind=tasks.KIND, wave=wave.pk)
    return _import_page(request, wave, ImportForm(), run)


def _import_page(
    request: HttpRequest, wave: Wave, form: ImportForm, run: TaskProgress | None = None
) -> HttpResponse:
    report: dict[str, Any] | None = run.result.get("report") if run and run.finished else None
    layout = exchange.Layout(wave.version.definition)
    recent = TaskProgress.objects.filter(
        owner_id=request.user.pk, result__kind=tasks.KIND, result__wave=wave.pk
    )
    return render(
        request,
        "surveys/exchange_import.html",
        {
            "wave": wave,
            "form": form,
            "run": run,
            "report": report,
            "problems": report["problems"] if report else [],
            "outcome": _outcome(report) if report and not report["problems"] else [],
            "recent": recent[:10],
            "repeats": list(layout.repeats),
            "formats": LABELS,
        },
    )


def _outcome(report: dict[str, Any]) -> list[tuple[str, str]]:
    """What a successful import did, as (Bootstrap alert level, sentence)."""
    lines = [
        (
            "success",
            _(
                "%(created)s submissions imported from %(file)s; %(skipped)s were already "
                "in this wave with the same answers."
            )
            % {
                "created": report["created"],
                "file": report["file_name"],
                "skipped": report["skipped"],
            },
        )
    ]
    if report["registered"]:
        lines.append(
            (
                "info",
                _(
                    "%(n)s respondents who agreed to be registered were added to the "
                    "registry or updated there; possible duplicates wait in its review queue."
                )
                % {"n": report["registered"]},
            )
        )
    return lines


@require("surveys.manage")
def wave_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """Download a wave's complete submissions, for a purpose that the audit log keeps."""
    wave = _wave(pk)
    if fmt not in submissions.FORMATS:
        raise Http404(_("No such format."))
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        download = submissions.export(request.user, wave, fmt, form.cleaned_data["purpose"])
        response = HttpResponse(download.content, content_type=download.content_type)
        response["Content-Disposition"] = f'attachment; filename="{download.file_name}"'
        return response
    layout = exchange.Layout(wave.version.definition)
    rows, outside = submissions.exportable(request.user, wave)
    return render(
        request,
        "surveys/exchange_export.html",
        {
            "wave": wave,
            "form": form,
            "fmt": fmt,
            "label": LABELS[fmt],
            "count": len(rows),
            "outside": outside,
            "left_out": list(layout.repeats) if fmt == "csv" else [],
            "registry": bool(wave.version.registry_map),
        },
    )
