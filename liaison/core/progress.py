"""Record and report the progress of background tasks.

A page creates a ``TaskProgress`` row and enqueues its task in the same transaction, passing the
row's id; the task reports through ``Reporter`` and the page polls ``portal:task-progress``.
On PostgreSQL progress is written through the separate ``progress`` connection, so a page sees it
even while the task's own work runs inside one long transaction. SQLite allows one writer at a
time, so there the updates made inside such a transaction show when it commits.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import PurePath
from typing import IO, Any, cast

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from liaison.core.models import TaskProgress

logger = logging.getLogger(__name__)


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

    def refused(self, message: str, result: dict[str, Any]) -> None:
        """The task's input was refused (a file with problems): failed, with its report kept."""
        self._update(status=TaskProgress.Status.FAILED, message=message, result=result)


def start_upload_task(
    actor: Any,
    upload: Any,
    *,
    folder: str,
    default_name: str,
    label: Callable[[str], str],
    result: dict[str, Any],
    enqueue: Callable[[str, str, str], object],
) -> TaskProgress:
    """Keep ``upload`` in ``folder`` of the default storage and queue the task that imports it:
    the progress row (``label(file name)``, ``result`` plus the file's name) and the queued task
    (``enqueue(progress id, stored name, file name)``) commit together, and the kept file is
    removed again if they do not."""
    file_name = str(getattr(upload, "name", "") or default_name)
    suffix = PurePath(file_name).suffix.lower()[:10]
    stored = default_storage.save(f"{folder}/{uuid.uuid4().hex}{suffix}", upload)
    try:
        with transaction.atomic():
            row = TaskProgress.objects.create(
                label=label(file_name)[:200], owner=actor, result={**result, "file": file_name}
            )
            enqueue(str(row.pk), stored, file_name)
    except BaseException:
        default_storage.delete(stored)
        raise
    return row


@contextmanager
def kept_upload(reporter: Reporter, stored_name: str, file_name: str) -> Iterator[IO[bytes]]:
    """The file ``start_upload_task`` kept, opened for its task and deleted afterwards whatever
    happens. An unexpected error is logged, marks the progress failed and is raised again; the
    imports store in one transaction, so nothing was stored."""
    try:
        with default_storage.open(stored_name, "rb") as handle:
            yield cast(IO[bytes], handle)
    except Exception:
        logger.exception("The import of %s stopped.", file_name)
        reporter.failed(_("The import stopped because of an unexpected error; nothing was stored."))
        raise
    finally:
        default_storage.delete(stored_name)
