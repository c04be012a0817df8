"""An uploaded file kept for its background task: stored with its progress row, removed when
the queueing fails or once the task is done, whatever happened."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from liaison.core import progress
from liaison.core.models import TaskProgress

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _kept() -> list[str]:
    return default_storage.listdir("uploads")[1] if default_storage.exists("uploads") else []


def _start(enqueue) -> TaskProgress:
    return progress.start_upload_task(
        None,
        ContentFile(b"a,b\n1,2\n", name="Prices.CSV"),
        folder="uploads",
        default_name="file",
        label=lambda name: f"Import of {name}",
        result={"kind": "test"},
        enqueue=enqueue,
    )


def test_the_file_is_kept_with_its_progress_row_and_handed_to_the_task():
    queued = []
    row = _start(lambda *args: queued.append(args))
    (progress_id, stored, name) = queued[0]
    assert (progress_id, name) == (str(row.pk), "Prices.CSV")
    assert stored.startswith("uploads/") and stored.endswith(".csv")
    assert row.label == "Import of Prices.CSV"
    assert row.result == {"kind": "test", "file": "Prices.CSV"}
    assert default_storage.open(stored).read() == b"a,b\n1,2\n"


def test_when_queueing_fails_neither_the_row_nor_the_file_is_left():
    def broken(*_args):
        raise RuntimeError("the queue is down")

    with pytest.raises(RuntimeError):
        _start(broken)
    assert not TaskProgress.objects.exists()
    assert _kept() == []


# The reporter writes through its own connection on PostgreSQL: these rows must be committed.
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_the_task_gets_the_file_and_it_is_removed_afterwards():
    queued = []
    row = _start(lambda *args: queued.append(args))
    stored = queued[0][1]
    with progress.kept_upload(progress.Reporter(row.pk), stored, "Prices.CSV") as handle:
        assert handle.read() == b"a,b\n1,2\n"
    assert _kept() == []
    row.refresh_from_db()
    assert row.status != TaskProgress.Status.FAILED


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_an_unexpected_error_fails_the_progress_and_still_removes_the_file():
    queued = []
    row = _start(lambda *args: queued.append(args))
    with (
        pytest.raises(ZeroDivisionError),
        progress.kept_upload(progress.Reporter(row.pk), queued[0][1], "Prices.CSV"),
    ):
        _ = 1 / 0
    row.refresh_from_db()
    assert row.status == TaskProgress.Status.FAILED
    assert row.message == "The import stopped because of an unexpected error; nothing was stored."
    assert _kept() == []
