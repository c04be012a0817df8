from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from liaison.accounts.roles import Role
from liaison.core.models import TaskProgress
from liaison.taxonomy.models import Occupation
from liaison.taxonomy.services import start_esco_import
from tests.factories import UserFactory, user_with_role

ESCO = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "esco"


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_task_enqueued_in_a_rolled_back_transaction_never_runs():
    admin = user_with_role(Role.ADMINISTRATOR)
    with pytest.raises(RuntimeError), transaction.atomic():
        start_esco_import(admin, str(ESCO))
        raise RuntimeError("the page failed after queueing")
    assert DBTaskResult.objects.count() == 0
    assert TaskProgress.objects.count() == 0


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_the_worker_runs_the_import_and_the_page_shows_its_progress(client):
    admin = user_with_role(Role.ADMINISTRATOR)
    client.force_login(admin)
    response = client.post("/taxonomy/manage/import/", follow=True)
    assert response.status_code == 200
    progress = TaskProgress.objects.get()
    assert progress.status == TaskProgress.Status.QUEUED
    fragment = client.get(f"/tasks/{progress.pk}/progress/")
    assert 'hx-trigger="every 1s"' in fragment.content.decode()
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    progress.refresh_from_db()
    assert progress.status == TaskProgress.Status.SUCCEEDED, progress.message
    assert progress.percent == 100
    assert Occupation.objects.count() > 2000
    done = client.get(f"/tasks/{progress.pk}/progress/", HTTP_ACCEPT="application/json").json()
    assert done["finished"] is True
    assert done["status"] == "succeeded"
    # Someone else's task is not theirs to see.
    client.force_login(UserFactory())
    assert client.get(f"/tasks/{progress.pk}/progress/").status_code == 404


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_failed_import_task_reports_why(client, tmp_path, settings):
    settings.LIAISON_ESCO_PATH = str(tmp_path)
    admin = user_with_role(Role.ADMINISTRATOR)
    client.force_login(admin)
    client.post("/taxonomy/manage/import/")
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    progress = TaskProgress.objects.get()
    assert progress.status == TaskProgress.Status.FAILED
    assert "not an ESCO CSV folder" in progress.message
    assert Occupation.objects.count() == 0
