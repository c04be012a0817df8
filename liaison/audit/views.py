from __future__ import annotations

import csv
from collections.abc import Iterator

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from liaison.accounts.decorators import require
from liaison.audit.forms import AuditFilterForm
from liaison.audit.models import AuditEvent
from liaison.audit.services import record
from liaison.core.tabular import safe_cell

EXPORT_COLUMNS = [
    "at",
    "actor_label",
    "action",
    "record_type",
    "object_id",
    "object_repr",
    "changes",
    "reason",
    "ip_address",
    "via",
    "request_id",
]


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    form = AuditFilterForm(request.GET or None)
    events: QuerySet[AuditEvent] = AuditEvent.objects.select_related("content_type")
    if request.GET:
        events = form.filter(events)
    return form, events


@require("audit.view")
def event_list(request: HttpRequest) -> HttpResponse:
    form, events = _filtered(request)
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/event_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _safe(value: object) -> str:
    return str(safe_cell(value))


@require("audit.view")
def event_export(request: HttpRequest) -> StreamingHttpResponse:
    _form, events = _filtered(request)
    record(
        AuditEvent.Action.EXPORT, AuditEvent, reason=f"audit log export: {request.GET.urlencode()}"
    )
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield writer.writerow(EXPORT_COLUMNS)
        for e in events.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    _safe(e.at.isoformat()),
                    _safe(e.actor_label),
                    _safe(e.action),
                    _safe(e.content_type.model if e.content_type else ""),
                    _safe(e.object_id),
                    _safe(e.object_repr),
                    _safe(e.changes),
                    _safe(e.reason),
                    _safe(e.ip_address),
                    _safe(e.via),
                    _safe(e.request_id),
                ]
            )

    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="liaison-audit-{stamp}.csv"'
    return response
