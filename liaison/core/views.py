from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from liaison.accounts.permissions import check
from liaison.core.models import TaskProgress


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitors: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means unhealthy
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
@never_cache
def task_progress(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """A task's progress: an HTML fragment for HTMX polling, or JSON when asked for it."""
    progress = TaskProgress.objects.filter(pk=pk).first()
    if progress is None or (
        progress.owner_id != request.user.pk and not check(request.user, "tasks.view_any")
    ):
        raise Http404
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {
                "id": str(progress.pk),
                "status": progress.status,
                "done": progress.done,
                "total": progress.total,
                "percent": progress.percent,
                "message": progress.message,
                "finished": progress.finished,
            }
        )
    return render(request, "components/progress.html", {"progress": progress})
