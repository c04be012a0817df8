"""The back-office page that imports an RPW workbook: upload, follow the background import,
read its report (what was stored, or every problem, and then nothing was stored)."""

from __future__ import annotations

import uuid as uuid_module
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from liaison.accounts.decorators import require
from liaison.accounts.permissions import visible_task_or_404
from liaison.core.models import TaskProgress
from liaison.remittances import imports, rpw
from liaison.remittances.forms_imports import RpwUploadForm


@require("remittances.manage")
def upload(request: HttpRequest) -> HttpResponse:
    """Upload a workbook: it is kept and imported in the background, and the officer is sent
    to the page that follows the import and then shows its report."""
    posted = request.method == "POST"
    form = RpwUploadForm(request.POST, request.FILES) if posted else RpwUploadForm()
    if posted and form.is_valid():
        run = imports.start_import(request.user, form.cleaned_data["file"])
        return redirect("remittances:imports-result", uuid=run.pk)
    return _page(request, form)


@require("remittances.manage")
@never_cache
def result(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    """An import's progress, then its report. Only the officer who started it, or someone who
    may see every task (an administrator), sees it; to others it does not exist."""
    run = visible_task_or_404(request.user, uuid, kind=imports.KIND)
    return _page(request, RpwUploadForm(), run)


def _page(
    request: HttpRequest, form: RpwUploadForm, run: TaskProgress | None = None
) -> HttpResponse:
    report: dict[str, Any] | None = run.result.get("report") if run and run.finished else None
    recent = TaskProgress.objects.filter(owner_id=request.user.pk, result__kind=imports.KIND)
    return render(
        request,
        "remittances/imports/upload.html",
        {
            "form": form,
            "run": run,
            "report": report,
            "problems": report["problems"] if report else [],
            "outcome": run.result.get("outcome", []) if report and run else [],
            "recent": recent.order_by("-created_at")[:10],
            "sheet": rpw.SHEET,
            "required": rpw.REQUIRED,
            "max_problems": rpw.MAX_PROBLEMS,
        },
    )
