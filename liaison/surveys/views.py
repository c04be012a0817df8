from __future__ import annotations

import io
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from liaison.accounts.decorators import require
from liaison.core.validators import within_upload_limit
from liaison.surveys import services, xlsform
from liaison.surveys.models import Questionnaire, QuestionnaireVersion
from liaison.surveys.ready import BY_SLUG, READY


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_lazy("XLSForm workbook (.xlsx)"),
        validators=[within_upload_limit],
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx"}),
    )


@require("surveys.manage")
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    """The questionnaires, and the upload of a new one or of a new version."""
    form = UploadForm(request.POST or None, request.FILES or None)
    problems: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            version, created = services.upload(request.user, upload, upload.name or "form.xlsx")
        except xlsform.XLSFormError as exc:
            problems = [p.as_dict() for p in exc.problems]
        else:
            return _saved(request, version, created)
    questionnaires = Questionnaire.objects.prefetch_related("versions")
    return render(
        request,
        "surveys/questionnaire_list.html",
        {"questionnaires": questionnaires, "form": form, "problems": problems, "ready": READY},
    )


@require("surveys.manage")
def questionnaire_detail(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    versions = list(questionnaire.versions.select_related("uploaded_by"))
    latest = versions[0] if versions else None
    language = request.GET.get("language") or (get_language() or "en")[:2]
    return render(
        request,
        "surveys/questionnaire_detail.html",
        {
            "questionnaire": questionnaire,
            "versions": versions,
            "latest": latest,
            "rows": latest.rows(language) if latest else [],
            "language": language,
        },
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require("surveys.manage")
def ready_download(request: HttpRequest, slug: str) -> HttpResponse:
    """A ready questionnaire as an .xlsx workbook, to adapt in Excel or KoboToolbox."""
    ready = BY_SLUG.get(slug) or _not_found()
    response = HttpResponse(ready.workbook(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{slug}.xlsx"'
    return response


@require("surveys.manage")
@require_POST
def ready_add(request: HttpRequest, slug: str) -> HttpResponse:
    """Add a ready questionnaire to Liaison as it is (again: nothing changes)."""
    ready = BY_SLUG.get(slug) or _not_found()
    version, created = services.upload(request.user, io.BytesIO(ready.workbook()), f"{slug}.xlsx")
    return _saved(request, version, created)


def _saved(request: HttpRequest, version: QuestionnaireVersion, created: bool) -> HttpResponse:
    if created:
        messages.success(
            request,
            _("Version %(n)s of “%(t)s” is saved.") % {"n": version.number, "t": version.title},
        )
    else:
        messages.info(request, _("This workbook is already the latest version."))
    return redirect("surveys:questionnaire-detail", pk=version.questionnaire_id)


def _not_found() -> Any:
    raise Http404(_("No such questionnaire."))
