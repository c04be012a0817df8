from __future__ import annotations

from django.db.models import Max
from django_tasks import task

from liaison.accounts.models import User
from liaison.audit.models import AuditEvent
from liaison.audit.services import record
from liaison.core import bulk
from liaison.core.context import acting_as
from liaison.core.progress import Reporter
from liaison.registry import dedup, imports
from liaison.registry.models import ImportBatch, Member, Organisation
from liaison.registry.services import current_notice_version


@task()
def commit_import_task(
    batch_id: int, progress_id: str, actor_id: int | None, only_valid: bool
) -> dict[str, int]:
    """Check the file again (the registry may have changed) and write it in one transaction."""
    batch = ImportBatch.objects.get(pk=batch_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    reporter = Reporter(progress_id, every=200)
    reporter.running(total=batch.row_count)
    with acting_as(actor, via="task"):
        with batch.file.open("rb") as handle:
            table = imports.read_table(handle, batch.original_name)
        checked = imports.check(
            table,
            batch.mapping,
            actor=actor,
            default_country=str(batch.default_country or ""),
            kind=batch.kind,
        )
        del table  # the checked values are all the commit needs; a big file's cells go now
        if checked.errors and not only_valid:
            batch.status = ImportBatch.Status.FAILED
            batch.errors = [e.as_dict() for e in checked.errors]
            batch.save(update_fields=["status", "errors"])
            reporter.failed(f"{len(checked.errors)} problem(s) found again; nothing was imported.")
            return {}
        is_members = batch.kind == ImportBatch.Kind.MEMBERS
        newest_before = Member.objects.aggregate(n=Max("pk"))["n"] or 0
        try:
            counts = imports.commit(
                checked,
                actor=actor,
                notice_version=current_notice_version(),
                progress=lambda done: reporter.step(done),
                kind=batch.kind,
            )
        except Exception as exc:
            batch.status = ImportBatch.Status.FAILED
            batch.save(update_fields=["status"])
            reporter.failed(f"Nothing was imported: {exc}")
            raise
        counts["rejected"] = len({e.row for e in checked.errors})
        imported = _imported_members(checked, newest_before) if is_members else set()
        counts["possible_duplicates"] = dedup.find(only=imported) if imported else 0
        batch.status = ImportBatch.Status.COMMITTED
        batch.counts = {**batch.counts, **counts}
        batch.save(update_fields=["status", "counts"])
        model = Member if is_members else Organisation
        record(AuditEvent.Action.IMPORT, model, changes=counts, reason=batch.original_name)
    reporter.succeeded(
        f"{counts['created']} created, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged, {counts['rejected']} rejected.",
        counts,
    )
    return counts


def _imported_members(checked: imports.Checked, newest_before: int) -> set[int]:
    """The members a commit wrote: the new ones, and those it matched by identifier or email."""
    rows = list(checked.rows.values())
    ids = set(Member.objects.filter(pk__gt=newest_before).values_list("pk", flat=True))
    for field in ("external_id", "email"):
        keys = [v[field] for v in rows if v.get(field)]
        for members in bulk.among(Member.objects.all(), field, keys):
            ids |= set(members.values_list("pk", flat=True))
    return ids


@task()
def find_duplicates_task(progress_id: str) -> dict[str, int]:
    reporter = Reporter(progress_id)
    reporter.running()
    with acting_as(None, via="task"):
        found = dedup.find()
    reporter.succeeded(f"{found} new possible duplicate(s).", {"found": found})
    return {"found": found}
