from __future__ import annotations

from django_tasks import task

from liaison.accounts.models import User
from liaison.core.context import acting_as
from liaison.core.progress import Reporter
from liaison.taxonomy.esco import EscoImportError, import_folder


@task()
def import_esco_task(path: str, progress_id: str, actor_id: int | None) -> dict[str, object]:
    reporter = Reporter(progress_id, every=1000)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    reporter.running(message=path)
    with acting_as(actor, via="task"):
        try:
            run = import_folder(
                path, actor=actor, progress=lambda done, where: reporter.step(done, where)
            )
        except EscoImportError as exc:
            reporter.failed(exc.report())
            return {"ok": False}
    summary = ", ".join(
        f"{kind}: +{c['created']} ~{c['updated']}" for kind, c in run.counts.items()
    )
    reporter.succeeded(summary, {"import_id": run.pk, "counts": run.counts})
    return {"ok": True, "import_id": run.pk}
