from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison.accounts.decorators import require
from liaison.taxonomy.forms import SuggestForm
from liaison.taxonomy.models import IscoGroup, Occupation, Skill, TaxonomyImport
from liaison.taxonomy.services import start_esco_import
from liaison.taxonomy.suggest import suggest


@require("backoffice.view")
def browse(request: HttpRequest) -> HttpResponse:
    form = SuggestForm(request.GET or None)
    results = []
    if form.is_valid() and form.cleaned_data["q"]:
        results = suggest(form.cleaned_data["q"], form.cleaned_data["kind"] or "occupation", 20)
    majors = (
        IscoGroup.objects.filter(code__regex=r"^\d$").annotate(n=Count("children")).order_by("code")
    )
    return render(
        request,
        "taxonomy/browse.html",
        {"form": form, "results": results, "majors": majors},
    )


@require("taxonomy.manage")
def manage(request: HttpRequest) -> HttpResponse:
    from liaison.core.models import TaskProgress

    return render(
        request,
        "taxonomy/manage.html",
        {
            "imports": TaxonomyImport.objects.select_related("actor")[:20],
            "esco_path": settings.LIAISON_ESCO_PATH,
            "counts": {
                "isco": IscoGroup.objects.count(),
                "occupations": Occupation.objects.count(),
                "skills": Skill.objects.count(),
            },
            "running": TaskProgress.objects.filter(label="ESCO import").first(),
        },
    )


@require("taxonomy.manage")
@require_POST
def start_import(request: HttpRequest) -> HttpResponse:
    path = settings.LIAISON_ESCO_PATH
    if not path:
        messages.error(
            request, _("Set LIAISON_ESCO_PATH to the folder of the ESCO download first.")
        )
        return redirect("taxonomy:manage")
    start_esco_import(request.user, path)
    messages.info(request, _("The ESCO import is queued; its progress shows below."))
    return redirect("taxonomy:manage")
