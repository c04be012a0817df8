"""Background work of the surveys app: importing an export into a wave.

A file of 100,000 submissions takes minutes to check and store, far longer than a web request
may last. The upload page keeps the file in the default storage and queues the import in the
same transaction as its progress row; the task runs ``submissions.import_file`` (all or nothing,
as before) and keeps its report as JSON in the progress row, for the page to show. The file is
deleted once the task is over, whatever its outcome.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from liaison.accounts.models import User
from liaison.core.context import acting_as
from liaison.core.models import TaskProgress
from liaison.core.progress import Reporter, kept_upload, start_upload_task
from liaison.surveys import submissions
from liaison.surveys.models import Wave

KIND = "surveys.import"  # marks the progress rows of these imports (``result["kind"]``)
UPLOADS = "survey-imports"  # the storage folder of files waiting for their import


def start_import(actor: Any, wave: Wave, upload: Any, language: str | None = None) -> TaskProgress:
    """Keep ``upload`` and queue its import into ``wave`` (``progress.start_upload_task``)."""
    language = language or translation.get_language() or ""
    return start_upload_task(
        actor,
        upload,
        folder=UPLOADS,
        default_name="export",
        label=lambda name: _("Import of %(file)s into %(wave)s") % {"file": name, "wave": wave},
        result={"kind": KIND, "wave": wave.pk},
        enqueue=lambda progress_id, stored, name: import_submissions_task.enqueue(
            wave.pk, progress_id, getattr(actor, "pk", None), stored, name, language
        ),
    )


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
        with kept_upload(reporter, stored_name, file_name) as handle:
            wave = Wave.objects.select_related("questionnaire", "version").get(pk=wave_id)
            actor = User.objects.filter(pk=actor_id).first() if actor_id else None
            with acting_as(actor, via="task"):
                report = submissions.import_file(
                    actor, wave, handle, file_name, progress=reporter.follow
                )
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
