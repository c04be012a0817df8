from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from liaison.accounts.decorators import require
from liaison.core.forms import style_widgets
from liaison.core.validators import within_upload_limit
from liaison.registry.search import MemberSearchForm
from liaison.surveys import engine, registry_link, services, xlsform
from liaison.surveys.models import Questionnaire, QuestionnaireVersion, Submission, Wave
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
            "waves": questionnaire.waves.select_related("version").annotate(
                complete=Count(
                    "submissions", filter=Q(submissions__status=Submission.Status.COMPLETE)
                )
            ),
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


LOCAL = "%Y-%m-%dT%H:%M"  # what a datetime-local input sends and shows


class WaveForm(forms.ModelForm):  # type: ignore[type-arg]
    segment_query = forms.CharField(
        label=_lazy("Segment (filters of the registry search)"),
        required=False,
        max_length=1000,
        help_text=_lazy(
            "For a segment: search the registry with the filters you want, then paste here the "
            "part of the address after “?” (for example country=DE&sex=female)."
        ),
    )

    class Meta:
        model = Wave
        fields = ["name", "version", "opens_at", "closes_at", "audience"]
        widgets = {
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL),
        }

    def __init__(self, *args: Any, questionnaire: Questionnaire, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        version = self.fields["version"]
        assert isinstance(version, forms.ModelChoiceField)
        version.queryset = questionnaire.versions.all()
        version.empty_label = None
        if self.instance.pk:
            self.fields["segment_query"].initial = urlencode(self.instance.segment, doseq=True)
            if self.instance.submissions.exists():
                version.disabled = True  # answers already refer to its questions
        style_widgets(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("A wave closes after it opens."))
        query = QueryDict(data.get("segment_query") or "")
        if data.get("audience") == Wave.Audience.SEGMENT:
            search = MemberSearchForm(query)
            if not query or not search.is_valid():
                problems = "; ".join(
                    f"{name}: {' '.join(str(e) for e in errors)}"
                    for name, errors in search.errors.items()
                )
                self.add_error(
                    "segment_query",
                    _("These filters cannot be read: %(why)s") % {"why": problems}
                    if problems
                    else _("Give the filters of the segment."),
                )
            data["segment"] = {k: v for k, v in query.lists() if k in search.fields}
        else:
            data["segment"] = {}
        return data

    def save(self, commit: bool = True) -> Wave:
        wave: Wave = super().save(commit=False)
        wave.segment = self.cleaned_data["segment"]
        if commit:
            wave.save()
        return wave


@require("surveys.manage")
def wave_edit(request: HttpRequest, pk: int, wave_pk: int | None = None) -> HttpResponse:
    """Open a new wave of a questionnaire, or change one (its dates, audience, name)."""
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    wave = get_object_or_404(Wave, pk=wave_pk, questionnaire=questionnaire) if wave_pk else None
    initial = {} if wave else {"version": questionnaire.latest, "opens_at": timezone.now()}
    form = WaveForm(
        request.POST or None, instance=wave, initial=initial, questionnaire=questionnaire
    )
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.questionnaire = questionnaire
        if saved.created_by_id is None and request.user.is_authenticated:
            saved.created_by = request.user
        saved.save()
        messages.success(request, _("The wave “%(n)s” is saved.") % {"n": saved.name})
        return redirect("surveys:wave-detail", pk=saved.pk)
    return render(
        request,
        "surveys/wave_form.html",
        {"questionnaire": questionnaire, "wave": wave, "form": form},
    )


@require("surveys.manage")
def wave_detail(request: HttpRequest, pk: int) -> HttpResponse:
    wave = get_object_or_404(Wave.objects.select_related("questionnaire", "version"), pk=pk)
    counts = dict(
        wave.submissions.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return render(
        request,
        "surveys/wave_detail.html",
        {
            "wave": wave,
            "link": request.build_absolute_uri(reverse("respond:form", args=[wave.token])),
            "complete": counts.get(Submission.Status.COMPLETE, 0),
            "drafts": counts.get(Submission.Status.DRAFT, 0),
            "segment": urlencode(wave.segment, doseq=True),
        },
    )


class RegistryMapForm(forms.Form):
    """Which questions of a version fill which fields of a consenting respondent's profile."""

    def __init__(self, *args: Any, version: QuestionnaireVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form = engine.Form(version.definition)
        labels = {r["name"]: r["label"] for r in version.rows(get_language() or "")}
        self.fields["consent_question"] = forms.ChoiceField(
            label=_lazy("Consent question (answered “yes” to be registered)"),
            required=False,
            initial=version.consent_question,
            choices=[("", _lazy("None: answers stay anonymous statistics"))]
            + [
                (q.name, f"{q.name} · {labels.get(q.name, '')}")
                for q in form.questions
                if q.type == "select_one" and "yes" in q.choices and not q.repeats
            ],
        )
        targets = [("", "—")] + [(k, label) for k, (label, _c) in registry_link.TARGETS.items()]
        self.questions = [q for q in form.questions if not q.repeats and q.type != "calculate"]
        for q in self.questions:
            self.fields[f"q_{q.name}"] = forms.ChoiceField(
                label=f"{q.name} · {labels.get(q.name, '')}",
                required=False,
                choices=targets,
                initial=version.registry_map.get(q.name, ""),
            )
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen: dict[str, str] = {}
        for q in self.questions:
            target = data.get(f"q_{q.name}")
            if not target:
                continue
            if target in chosen.values():
                self.add_error(f"q_{q.name}", _("Another question already fills this field."))
            chosen[q.name] = target
        data["registry_map"] = chosen
        return data


@require("surveys.manage")
def registry_map(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose which questions of a version fill the registry, for respondents who consent."""
    version = get_object_or_404(QuestionnaireVersion.objects.select_related("questionnaire"), pk=pk)
    form = RegistryMapForm(request.POST or None, version=version)
    if request.method == "POST" and form.is_valid():
        version.registry_map = form.cleaned_data["registry_map"]
        version.consent_question = form.cleaned_data["consent_question"]
        version.save(update_fields=["registry_map", "consent_question"])
        messages.success(request, _("The questions that fill the registry are saved."))
        return redirect("surveys:questionnaire-detail", pk=version.questionnaire_id)
    return render(request, "surveys/registry_map.html", {"version": version, "form": form})
