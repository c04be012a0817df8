from __future__ import annotations

from typing import Any

from django.db import transaction

from liaison.core import progress
from liaison.core.models import TaskProgress
from liaison.taxonomy.tasks import import_esco_task


def start_esco_import(actor: Any, path: str) -> TaskProgress:
    """Queue an ESCO import; the progress row and the queued task commit together."""
    with transaction.atomic():
        row = progress.start("ESCO import", owner=actor)
        import_esco_task.enqueue(path, str(row.pk), getattr(actor, "pk", None))
    return row
