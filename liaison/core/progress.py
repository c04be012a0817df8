"""Record and report the progress of background tasks.

A page creates a ``TaskProgress`` row and enqueues its task in the same transaction, passing the
row's id; the task reports through ``Reporter`` and the page polls ``portal:task-progress``.
On PostgreSQL progress is written through the separate ``progress`` connection, so a page sees it
even while the task's own work runs inside one long transaction. SQLite allows one writer at a
time, so there the updates made inside such a transaction show when it commits.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings

from liaison.core.models import TaskProgress


def start(label: str, owner: Any = None, total: int | None = None) -> TaskProgress:
    return TaskProgress.objects.create(label=label, owner=owner, total=total)


class Reporter:
    """Updates one progress row; cheap to call often (writes at most every ``every`` steps)."""

    def __init__(self, progress_id: uuid.UUID | str | None, every: int = 500) -> None:
        self.progress_id = progress_id
        self.every = max(1, every)
        self._last = 0

    def _update(self, **fields: Any) -> None:
        if self.progress_id is None:
            return
        alias = "progress" if "progress" in settings.DATABASES else "default"
        TaskProgress.objects.using(alias).filter(pk=self.progress_id).update(**fields)

    def running(self, total: int | None = None, message: str = "") -> None:
        fields: dict[str, Any] = {"status": TaskProgress.Status.RUNNING, "message": message}
        if total is not None:
            fields["total"] = total
        self._update(**fields)

    def step(self, done: int, message: str = "", force: bool = False) -> None:
        if force or done - self._last >= self.every:
            self._last = done
            self._update(done=done, message=message)

    def succeeded(self, message: str = "", result: dict[str, Any] | None = None) -> None:
        self._update(status=TaskProgress.Status.SUCCEEDED, message=message, result=result or {})

    def failed(self, message: str) -> None:
        self._update(status=TaskProgress.Status.FAILED, message=message)
