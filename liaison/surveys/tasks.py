"""Background work of the surveys app: importing an export into a wave.

A file of 100,000 submissions takes minutes to check and store, far longer than a web request
may last. The upload page keeps the file in the default storage and queues the import in the
same transaction as its progress row; the task runs ``submissions.import_file`` (all or nothing,
as before) and keeps its report as JSON in the progress row, for the page to show. The file is
deleted once the task is over, whatever its outcome.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import PurePath
from typing import IO, Any, cast

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from liaison.accounts.models import User
from liaison.core.context import acting_as
from liaison.core.models import TaskProgress
from liaison.core.progress import Reporter
from liaison.surveys import submissions
from liaison.surveys.models import Wave

logger = logging.getLogger(__name__)

KIND = "surveys.import"  # marks the progress rows of these imports (``result["kind"]``)
UPLOADS = "survey-imports"  # the storage folder of files waiting for their import


def start_import(actor: Any, wave: Wave, upload: Any, language: str | None = None) -> TaskProgress:
    """Keep ``upload`` and queue its import into ``wave``; the progress row and the queued task
    commit together (the file is removed again if they do not)."""
    file_name = str(getattr(upload, "name", "") or "export")
    suffix = PurePath(file_name).suffix.lower()[:10]
    stored = default_storage.save(f"{UPLOADS}/{uuid.uuid4().hex}{suffix}", upload)
    try:
        with transaction.atomic():
            row = TaskProgress.objects.create(
                label=(_("Import of %(file)s into %(wave)s") % {"file": file_name, "wave": wave})[
                    :200
                ],
                owner=actor,
                result={"kind": KIND, "wave": wave.pk, "file": file_name},
            )
            import_submissions_task.enqueue(
                wave.pk,
                str(row.pk),
                getattr(actor, "pk", None),
                stored,
                file_name,
                language or translation.get_language() or "",
            )
    except BaseException:
        default_storage.delete(stored)
        raise
    return row


class _Reporter(Reporter):
    """The core reporter, told an import's stages: checking each submission, then storing; a
    file with problems ends as failed, with its report kept."""

    def __init__(self, progress_id: str) -> None:
        super().__init__(progress_id, every=500)
        self.records = 0

    def follow(self, stage: str, done: int, total: int) -> None:
        if stage == "check":
            if total != self.records:  # the first submission checked
                self.records = total
                # Checking and storing count as one half of the bar each.
                self.running(total=2 * total, message=_("Checking the submissions."))
            self.step(done, _("Checking the submissions."))
        elif stage == "store" and total:
            share = self.records * done // total
            self.step(self.records + share, _("Storing the submissions."), force=True)

    def refused(self, message: str, result: dict[str, Any]) -> None:
        self._update(status=TaskProgress.Status.FAILED, message=message, result=result)


@task()
def import_submissions_task(
    wave_id: int,
    progress_id: str,
    actor_id: int | None,
    stored_name: str,
    file_name: str,
    language: str,
) -> dict[str, int]:
    """Import a kept file into a wave, recording how far it has gone and what came of it."""
    reporter = _Reporter(progress_id)
    with translation.override(language or settings.LANGUAGE_CODE):
        reporter.running(message=_("Reading %(file)s.") % {"file": file_name})
        try:
            wave = Wave.objects.select_related("questionnaire", "version").get(pk=wave_id)
            actor = User.objects.filter(pk=actor_id).first() if actor_id else None
            with acting_as(actor, via="task"), default_storage.open(stored_name, "rb") as handle:
                report = submissions.import_file(
                    actor, wave, cast(IO[bytes], handle), file_name, progress=reporter.follow
                )
        except Exception:
            # import_file stores in one transaction: whatever stopped it, that rolled back.
            logger.exception("The import of %s into wave %s stopped.", file_name, wave_id)
            reporter.failed(
                _("The import stopped because of an unexpected error; nothing was stored.")
            )
            raise
        finally:
            default_storage.delete(stored_name)
        result = {"kind": KIND, "wave": wave_id, "file": file_name, "report": report.as_dict()}
        if report.problems:
            reporter.refused(
                ngettext(
                    "%(file)s has %(n)s problem; nothing was stored.",
                    "%(file)s has %(n)s problems; nothing was stored.",
                    report.total_problems,
                )
                % {"file": file_name, "n": report.total_problems},
                result,
            )
        else:
            reporter.succeeded(
                _(
                    "%(created)s submissions imported from %(file)s; %(skipped)s were already "
                    "in this wave with the same answers."
                )
                % {"created": report.created, "file": file_name, "skipped": report.skipped},
                result,
            )
    return {
        "created": report.created,
        "skipped": report.skipped,
        "registered": report.registered,
        "problems": report.total_problems,
    }
