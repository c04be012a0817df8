"""The back-office page importing RPW workbooks: upload, the background import, its report,
and who may open it."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from liaison.accounts.roles import Role
from liaison.audit.models import AuditEvent
from liaison.core.models import TaskProgress
from liaison.remittances.models import Observation
from liaison.remittances.tests.test_imports import FRANCE_SENEGAL, US_MEXICO, workbook
from tests.factories import user_with_role

PAGE = "/remittances/imports/"
# The import runs as a background task: the page keeps the file and queues it, the worker runs
# it (here in the test's process), and the page then shows the report kept in the task's
# progress row.
BACKGROUND = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture
def officer(db):
    return user_with_role(Role.PROGRAMME_OFFICER)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def kept_files(media):
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def upload(client, path):
    with path.open("rb") as handle:
        return client.post(PAGE, {"file": handle})


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")


@BACKGROUND
def test_an_officer_uploads_a_workbook_and_reads_what_was_stored(client, officer, media, tmp_path):
    client.force_login(officer)
    path = workbook(tmp_path, [FRANCE_SENEGAL, US_MEXICO], name="rpw_2025q3.xlsx")

    response = upload(client, path)

    run = TaskProgress.objects.get()
    page = f"{PAGE}{run.pk}/"
    assert response.status_code == 302 and response["Location"] == page
    assert (run.owner, run.status) == (officer, TaskProgress.Status.QUEUED)
    assert DBTaskResult.objects.count() == 1 and len(kept_files(media)) == 1
    assert Observation.objects.count() == 0  # queued: nothing read yet
    waiting = client.get(page).content.decode()
    assert 'hx-trigger="every 1s"' in waiting and 'role="progressbar"' in waiting

    run_worker()

    run.refresh_from_db()
    assert run.status == TaskProgress.Status.SUCCEEDED, run.message
    assert Observation.objects.filter(entered_by=officer).count() == 4
    # (the suite's ESCO data, loaded once for all tests, has an import event of its own)
    imported = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT, reason="rpw_2025q3.xlsx")
    assert imported.actor_id == officer.pk
    assert kept_files(media) == []  # the file goes once the import is over
    done = client.get(page).content.decode()
    assert "every 1s" not in done
    assert "4 price observations stored from rpw_2025q3.xlsx (2 rows; 2025 Q3)." in done
    assert "New providers: 2; new corridors: 2." in done
    assert page in client.get(PAGE).content.decode()  # listed among the officer's imports


@BACKGROUND
def test_the_report_lists_each_problem_by_row_and_column(client, officer, media, tmp_path):
    client.force_login(officer)
    path = workbook(tmp_path, [US_MEXICO, {**FRANCE_SENEGAL, "cc1 lcu fee": -1}])
    upload(client, path)

    run_worker()

    run = TaskProgress.objects.get()
    assert run.status == TaskProgress.Status.FAILED
    assert run.message == "rpw.xlsx has 1 problem; nothing was stored."
    assert run.result["report"]["problems"] == [
        {"row": 3, "column": "cc1 lcu fee", "reason": "A fee cannot be negative (-1)."}
    ]
    page = client.get(f"{PAGE}{run.pk}/").content.decode()
    assert "rpw.xlsx has 1 problem; nothing was stored." in page
    assert (
        "<td>3</td><td><code>cc1 lcu fee</code></td><td>A fee cannot be negative (-1).</td>" in page
    )
    assert Observation.objects.count() == 0 and kept_files(media) == []


@BACKGROUND
def test_a_file_that_is_no_workbook_is_reported_by_the_task(client, officer, media, tmp_path):
    client.force_login(officer)
    path = tmp_path / "prices.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    upload(client, path)

    run_worker()

    run = TaskProgress.objects.get()
    assert run.status == TaskProgress.Status.FAILED
    assert (
        "This is an old Excel (.xls) workbook." in client.get(f"{PAGE}{run.pk}/").content.decode()
    )


@override_settings(LIAISON_MAX_UPLOAD_BYTES=1000)
def test_a_file_above_the_upload_limit_is_refused_before_anything_is_kept(
    client, officer, media, tmp_path
):
    client.force_login(officer)

    response = upload(client, workbook(tmp_path, [FRANCE_SENEGAL]))

    assert response.status_code == 200 and "the limit is" in response.content.decode()
    assert not TaskProgress.objects.exists() and kept_files(media) == []


def test_only_officers_and_administrators_may_import(client, db):
    assert client.get(PAGE).status_code == 302  # a visitor is sent to sign in
    for role in (Role.ANALYST, Role.MEMBER, Role.CONSULAR_OFFICER):
        client.force_login(user_with_role(role))
        assert client.get(PAGE).status_code == 403, role
    for role in (Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR):
        client.force_login(user_with_role(role))
        assert client.get(PAGE).status_code == 200, role


def test_an_import_is_seen_by_the_officer_who_started_it_and_administrators_only(client, officer):
    run = TaskProgress.objects.create(
        label="Import of rpw.xlsx",
        owner=officer,
        result={"kind": "remittances.import", "file": "rpw.xlsx"},
    )
    page = f"{PAGE}{run.pk}/"
    client.force_login(officer)
    assert client.get(page).status_code == 200
    client.force_login(user_with_role(Role.PROGRAMME_OFFICER))  # a colleague
    assert client.get(page).status_code == 404
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    assert client.get(page).status_code == 200
    # A progress row of another kind of task is no import report.
    other = TaskProgress.objects.create(label="ESCO import", owner=officer, result={})
    client.force_login(officer)
    assert client.get(f"{PAGE}{other.pk}/").status_code == 404


def test_the_page_says_which_columns_a_workbook_needs(client, officer):
    client.force_login(officer)

    page = client.get(PAGE).content.decode()

    assert "<code>cc1 lcu fx rate</code>" in page and "<code>inter lcu bank fx</code>" in page
    assert 'enctype="multipart/form-data"' in page


def test_uploading_nothing_shows_the_form_again(client, officer, db):
    client.force_login(officer)

    response = client.post(PAGE, {})

    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert not TaskProgress.objects.exists()
