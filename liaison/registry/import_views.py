"""Pages for importing people: upload, map columns, read the check report, commit."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST
from django_countries import countries

from liaison.accounts.decorators import require
from liaison.accounts.permissions import check as can
from liaison.core import progress
from liaison.core.validators import within_upload_limit
from liaison.registry import imports
from liaison.registry.models import ImportBatch
from liaison.registry.tasks import commit_import_task


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_lazy("The file holds"),
        choices=ImportBatch.Kind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    file = forms.FileField(
        label=_lazy("File (CSV in UTF-8, or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.xlsx"}),
    )
    default_country = forms.ChoiceField(
        label=_lazy("Country for phone numbers written without a country code"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["default_country"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *countries]

    def clean_file(self) -> Any:
        upload: Any = self.cleaned_data["file"]
        within_upload_limit(upload)
        try:
            self.table = imports.read_table(upload.file, upload.name or "")
        except imports.ImportFileError as exc:
            raise forms.ValidationError(str(exc)) from exc
        upload.seek(0)
        return upload


def _mapping_choices(kind: str) -> list[tuple[str, str]]:
    choices = [("", _("— leave out —"))]
    for target in imports.SCHEMAS[kind].targets:
        choices.append((target.name, target.label))
    return choices


class MappingForm(forms.Form):
    def __init__(self, *args: Any, batch: ImportBatch, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.headers = batch.headers
        base = _mapping_choices(batch.kind)
        for i, header in enumerate(batch.headers):
            current = batch.mapping.get(header, "")
            choices = list(base)
            if ":" in current:  # one column per choice, as recognised from the header
                choices.append((current, current.replace(":", ": ")))
            self.fields[f"col_{i}"] = forms.ChoiceField(
                label=header,
                choices=choices,
                required=False,
                initial=current,
                widget=forms.Select(attrs={"class": "form-select"}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        used: dict[str, str] = {}
        for i, header in enumerate(self.headers):
            target = data.get(f"col_{i}") or ""
            if target and ":" not in target and target in used:
                self.add_error(
                    f"col_{i}",
                    _("“%(t)s” is already taken by column “%(h)s”.")
                    % {"t": target, "h": used[target]},
                )
            used.setdefault(target, header)
        return data

    def mapping(self) -> dict[str, str]:
        return {h: self.cleaned_data.get(f"col_{i}") or "" for i, h in enumerate(self.headers)}


def _own_batch(request: HttpRequest, pk: int) -> ImportBatch:
    batch = ImportBatch.objects.filter(pk=pk).select_related("progress").first()
    if batch is None or (
        batch.created_by_id != request.user.pk and not can(request.user, "admin.site")
    ):
        raise Http404
    return batch


def _table(batch: ImportBatch) -> imports.Table:
    with batch.file.open("rb") as handle:
        return imports.read_table(handle, batch.original_name)


@require("registry.import_member")
def import_list(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = ImportBatch.objects.create(
            file=upload,
            original_name=upload.name[:255],
            headers=form.table.headers,
            kind=form.cleaned_data["kind"],
            mapping=imports.guess_mapping(form.table.headers, form.cleaned_data["kind"]),
            row_count=len(form.table.rows),
            default_country=form.cleaned_data["default_country"],
            created_by_id=request.user.pk,
        )
        return redirect("registry:import-detail", pk=batch.pk)
    batches = ImportBatch.objects.select_related("progress")
    if not can(request.user, "admin.site"):
        batches = batches.filter(created_by_id=request.user.pk)
    return render(request, "registry/import_list.html", {"form": form, "batches": batches[:50]})


@require("registry.import_member")
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _own_batch(request, pk)
    form = MappingForm(request.POST or None, batch=batch)
    if (
        request.method == "POST"
        and batch.status in (ImportBatch.Status.UPLOADED, ImportBatch.Status.CHECKED)
        and form.is_valid()
    ):
        batch.mapping = form.mapping()
        checked = imports.check(
            _table(batch),
            batch.mapping,
            actor=request.user,
            default_country=str(batch.default_country or ""),
            kind=batch.kind,
        )
        batch.errors = [e.as_dict() for e in checked.errors]
        batch.counts = {"valid": len(checked.rows), "invalid": len(batch.bad_rows)}
        batch.status = ImportBatch.Status.CHECKED
        batch.save()
        return redirect("registry:import-detail", pk=batch.pk)
    return render(
        request,
        "registry/import_detail.html",
        {
            "batch": batch,
            "form": form,
            "errors": batch.errors[:500],
            "file_errors": [e for e in batch.errors if not e["row"]],
        },
    )


@require("registry.import_member")
@require_POST
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _own_batch(request, pk)
    only_valid = request.POST.get("only_valid") == "1"
    if batch.status != ImportBatch.Status.CHECKED:
        messages.error(request, _("Check the file before importing it."))
    elif batch.errors and not only_valid:
        messages.error(
            request,
            _("Some rows have problems: correct the file, or import only the valid rows."),
        )
    elif any(not e["row"] for e in batch.errors):
        messages.error(request, _("The column mapping is incomplete; nothing can be imported."))
    else:
        with transaction.atomic():
            row = progress.start(
                _("Import of %(name)s") % {"name": batch.original_name},
                owner=request.user,
                total=batch.counts.get("valid"),
            )
            batch.progress = row
            batch.status = ImportBatch.Status.QUEUED
            batch.save(update_fields=["progress", "status"])
            commit_import_task.enqueue(batch.pk, str(row.pk), request.user.pk, only_valid)
        messages.info(request, _("The import is queued; its progress shows below."))
    return redirect("registry:import-detail", pk=batch.pk)


@require("registry.import_member")
def import_rejected(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _own_batch(request, pk)
    content = imports.rejected_rows_csv(_table(batch), batch.errors)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rejected-rows-{batch.pk}.csv"'
    return response
