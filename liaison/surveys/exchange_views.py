"""Pages for bringing a wave's submissions in from KoboToolbox or ODK Central exports, and for
downloading them in the same layouts."""

from __future__ import annotations

from typing import IO, cast

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from liaison.accounts.decorators import require
from liaison.core.validators import within_upload_limit
from liaison.surveys import exchange, submissions
from liaison.surveys.models import Submission, Wave

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
    """Upload an export; stored as a whole, or not at all with the list of its problems."""
    wave = _wave(pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = submissions.import_file(
            request.user, wave, cast(IO[bytes], upload), upload.name or "export"
        )
        if not report.problems:
            messages.success(
                request,
                _(
                    "%(created)s submissions imported from %(file)s; %(skipped)s were already "
                    "in this wave with the same answers."
                )
                % {"created": report.created, "file": report.file_name, "skipped": report.skipped},
            )
            if report.registered:
                messages.info(
                    request,
                    _(
                        "%(n)s respondents who agreed to be registered were added to the "
                        "registry or updated there; possible duplicates wait in its review queue."
                    )
                    % {"n": report.registered},
                )
            for notice in report.notices:
                messages.warning(request, notice)
            return redirect("surveys:wave-detail", pk=wave.pk)
    layout = exchange.Layout(wave.version.definition)
    return render(
        request,
        "surveys/exchange_import.html",
        {
            "wave": wave,
            "form": form,
            "report": report,
            "problems": [p.as_dict() for p in report.problems] if report else [],
            "repeats": list(layout.repeats),
            "formats": LABELS,
        },
    )


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
    return render(
        request,
        "surveys/exchange_export.html",
        {
            "wave": wave,
            "form": form,
            "fmt": fmt,
            "label": LABELS[fmt],
            "count": wave.submissions.filter(status=Submission.Status.COMPLETE).count(),
            "left_out": list(layout.repeats) if fmt == "csv" else [],
            "registry": bool(wave.version.registry_map),
        },
    )
