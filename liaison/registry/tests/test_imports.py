"""Imports of people from CSV and XLSX files, as officers upload them."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import Workbook

from liaison.accounts.roles import Role, ScopeKind
from liaison.audit.models import AuditEvent
from liaison.core.models import TaskProgress
from liaison.registry.imports import guess_mapping
from liaison.registry.models import ImportBatch, Member, Purpose

KOBO_HEADERS = [
    "start",
    "end",
    "identity/first_name",
    "identity/last_name",
    "identity/gender",
    "identity/dob",
    "residence/country",
    "residence/city",
    "contact/phone",
    "contact/email",
    "skills/education",
    "interests/mentoring",
    "interests/investment",
    "consent/consent_matching",
    "_uuid",
    "_submission_time",
]


def kobo_row(uuid, first, last, **over):
    row = {
        "start": "2026-05-01T10:00:00",
        "end": "2026-05-01T10:12:00",
        "identity/first_name": first,
        "identity/last_name": last,
        "identity/gender": "female",
        "identity/dob": "1990-02-01",
        "residence/country": "FR",
        "residence/city": "Lyon",
        "contact/phone": "06 12 34 56 78",
        "contact/email": f"{first.lower()}@example.org",
        "skills/education": "7",
        "interests/mentoring": "1",
        "interests/investment": "0",
        "consent/consent_matching": "yes",
        "_uuid": uuid,
        "_submission_time": "2026-05-01T10:12:30",
    }
    row.update(over)
    return [row[h] for h in KOBO_HEADERS]


def csv_bytes(headers, rows, encoding="utf-8"):
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(headers, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def officer(db, settings, tmp_path):
    from tests.factories import user_with_role

    settings.MEDIA_ROOT = tmp_path
    return user_with_role(Role.CONSULAR_OFFICER, ScopeKind.COUNTRY, "FR")


def upload(client, name, content, kind="members", **extra):
    data = {"file": SimpleUploadedFile(name, content), "kind": kind, **extra}
    return client.post("/registry/imports/", data)


def check_batch(client, batch, **mapping_overrides):
    data = {}
    for i, header in enumerate(batch.headers):
        data[f"col_{i}"] = mapping_overrides.get(header, batch.mapping.get(header, ""))
    return client.post(f"/registry/imports/{batch.pk}/", data)


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")


def test_kobo_group_question_columns_and_one_column_per_choice_are_recognised():
    mapping = guess_mapping(KOBO_HEADERS)
    assert mapping["identity/first_name"] == "given_name"
    assert mapping["identity/dob"] == "birth_date"
    assert mapping["residence/country"] == "country_of_residence"
    assert mapping["interests/mentoring"] == "interests:mentoring"
    assert mapping["_uuid"] == "external_id"
    assert mapping["consent/consent_matching"] == "consent_matching"
    assert mapping["start"] == ""


def test_odk_central_group_question_columns_are_recognised_too():
    headers = [
        "identity-first_name",
        "identity-last_name",
        "e-mail",
        "Date of birth",
        "residence-country",
        "interests-volunteering",
        "meta-instanceID",
    ]
    mapping = guess_mapping(headers)
    assert mapping == {
        "identity-first_name": "given_name",
        "identity-last_name": "family_name",
        "e-mail": "email",
        "Date of birth": "birth_date",
        "residence-country": "country_of_residence",
        "interests-volunteering": "interests:volunteering",
        "meta-instanceID": "external_id",
    }


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_kobo_export_imports_and_a_second_import_changes_nothing(client, officer):
    client.force_login(officer)
    rows = [kobo_row("u-1", "Amina", "Diallo"), kobo_row("u-2", "Moussa", "Ba")]
    response = upload(client, "kobo.xlsx", xlsx_bytes(KOBO_HEADERS, rows))
    batch = ImportBatch.objects.get()
    assert response["Location"] == f"/registry/imports/{batch.pk}/"
    check_batch(client, batch)
    batch.refresh_from_db()
    assert batch.counts == {"valid": 2, "invalid": 0}
    assert Member.objects.count() == 0  # checked, nothing written yet
    client.post(f"/registry/imports/{batch.pk}/commit/")
    run_worker()
    batch.refresh_from_db()
    assert batch.status == "committed", (batch.errors, batch.progress.message)
    assert batch.progress.status == TaskProgress.Status.SUCCEEDED
    amina = Member.objects.get(external_id="u-1")
    assert (amina.phone, amina.city, amina.education_level) == ("+33612345678", "Lyon", "7")
    assert list(amina.interests.values_list("interest", flat=True)) == ["mentoring"]
    assert amina.has_consent(Purpose.MATCHING)
    # The same file again: nothing changes.
    upload(client, "kobo.xlsx", xlsx_bytes(KOBO_HEADERS, rows))
    again = ImportBatch.objects.order_by("-pk").first()
    check_batch(client, again)
    client.post(f"/registry/imports/{again.pk}/commit/")
    run_worker()
    again.refresh_from_db()
    assert (again.counts["created"], again.counts["updated"], again.counts["unchanged"]) == (
        0,
        0,
        2,
    )
    assert Member.objects.count() == 2
    # An updated file updates the matching record instead of creating a duplicate.
    rows[0] = kobo_row("u-1", "Amina", "Diallo", **{"residence/city": "Paris"})
    upload(client, "kobo-v2.csv", csv_bytes(KOBO_HEADERS, rows))
    third = ImportBatch.objects.order_by("-pk").first()
    check_batch(client, third)
    client.post(f"/registry/imports/{third.pk}/commit/")
    run_worker()
    third.refresh_from_db()
    assert (third.counts["created"], third.counts["updated"]) == (0, 1)
    assert Member.objects.get(external_id="u-1").city == "Paris"
    assert AuditEvent.objects.filter(action="import", content_type__model="member").count() == 3


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_every_bad_row_is_reported_and_nothing_is_written_until_the_file_is_clean(client, officer):
    client.force_login(officer)
    rows = [
        kobo_row("u-1", "Amina", "Diallo"),
        kobo_row("u-2", '=HYPERLINK("x")', "Ba"),
        kobo_row("u-3", "Awa", "Sow", **{"contact/phone": "call me"}),
        kobo_row("u-4", "<script>alert(1)</script>", "Ndiaye"),
        kobo_row("u-5", "Fatou", "Fall", **{"identity/dob": "31/13/1990"}),
        kobo_row("u-6", "Ousmane", "Kane", **{"residence/country": "DE"}),
        kobo_row("u-7", "", "Diop"),
        kobo_row("u-1", "Amina", "Twice"),
    ]
    upload(client, "bad.csv", csv_bytes(KOBO_HEADERS, rows))
    batch = ImportBatch.objects.get()
    check_batch(client, batch)
    batch.refresh_from_db()
    reasons = {(e["row"], e["column"]): e["reason"] for e in batch.errors}
    assert "Formulas are not accepted" in reasons[(3, "identity/first_name")]
    assert "phone number" in reasons[(4, "contact/phone")]
    assert "HTML tags" in reasons[(5, "identity/first_name")]
    assert "is not a date" in reasons[(6, "identity/dob")]
    assert "outside your scope" in reasons[(7, "residence/country")]
    assert reasons[(8, "identity/first_name")] == "Required."
    assert "Same identifier as row 2" in reasons[(9, "_uuid")]
    assert batch.counts == {"valid": 1, "invalid": 7}
    refused = client.post(f"/registry/imports/{batch.pk}/commit/", follow=True)
    assert "import only the valid rows" in refused.content.decode()
    run_worker()
    assert Member.objects.count() == 0
    rejected = client.get(f"/registry/imports/{batch.pk}/rejected.csv").content.decode()
    assert rejected.count("\n") == 8  # header and the seven rows with problems
    client.post(f"/registry/imports/{batch.pk}/commit/", {"only_valid": "1"})
    run_worker()
    assert list(Member.objects.values_list("given_name", flat=True)) == ["Amina"]


@pytest.mark.django_db
def test_files_that_cannot_be_read_are_refused_with_the_reason(client, officer):
    client.force_login(officer)
    latin1 = csv_bytes(["first_name", "country"], [["Zoë", "FR"]], encoding="latin-1")
    assert "not UTF-8 text" in upload(client, "a.csv", latin1).content.decode()
    dup = csv_bytes(["first_name", "Country", "country"], [["A", "FR", "FR"]])
    assert "have the same name" in upload(client, "b.csv", dup).content.decode()
    empty = csv_bytes(["", ""], [["A", "FR"]])
    assert "first row must name the columns" in upload(client, "c.csv", empty).content.decode()
    assert "neither" in upload(client, "d.pdf", b"%PDF-1.4").content.decode()
    assert "not a readable XLSX" in upload(client, "e.xlsx", b"not a zip").content.decode()
    assert ImportBatch.objects.count() == 0


@pytest.mark.django_db
def test_an_oversized_upload_is_refused_before_it_is_read(client, officer, settings):
    settings.LIAISON_MAX_UPLOAD_BYTES = 1000
    client.force_login(officer)
    big = csv_bytes(["first_name", "country"], [["A" * 50, "FR"]] * 100)
    body = upload(client, "big.csv", big).content.decode()
    assert "the limit is" in body
    assert ImportBatch.objects.count() == 0


@pytest.mark.django_db
def test_a_mapping_without_required_fields_is_explained(client, officer):
    client.force_login(officer)
    upload(client, "x.csv", csv_bytes(["name", "town"], [["A", "Lyon"]]))
    batch = ImportBatch.objects.get()
    check_batch(client, batch)
    batch.refresh_from_db()
    assert "No column is mapped to: given_name, country_of_residence" in batch.errors[0]["reason"]
    page = client.get(f"/registry/imports/{batch.pk}/").content.decode()
    assert "No column is mapped to" in page
    assert "Import only the valid rows" not in page


@pytest.mark.django_db
def test_other_officers_cannot_see_an_import(client, officer):
    from tests.factories import user_with_role

    client.force_login(officer)
    upload(client, "x.csv", csv_bytes(["first_name", "country"], [["A", "FR"]]))
    batch = ImportBatch.objects.get()
    client.force_login(user_with_role(Role.CONSULAR_OFFICER, ScopeKind.COUNTRY, "FR"))
    assert client.get(f"/registry/imports/{batch.pk}/").status_code == 404


ORG_HEADERS = [
    "organisation/name",
    "organisation/type",
    "organisation/country",
    "countries",
    "sectors/health",
    "sectors/education",
    "website",
    "phone",
]


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_organisations_import_and_update_by_name_and_country(client, officer):
    from liaison.registry.models import Organisation

    client.force_login(officer)
    rows = [
        [
            "Association des Sénégalais de Lyon",
            "hometown association",
            "FR",
            "FR SN",
            "1",
            "0",
            "https://asl.example.org",
            "04 78 00 00 00",
        ],
        ["Réseau des médecins", "professional", "FRA", "", "1", "1", "", ""],
    ]
    upload(client, "orgs.csv", csv_bytes(ORG_HEADERS, rows), kind="organisations")
    batch = ImportBatch.objects.get()
    assert batch.mapping["organisation/name"] == "name"
    assert batch.mapping["sectors/health"] == "sectors:health"
    check_batch(client, batch)
    batch.refresh_from_db()
    assert batch.counts == {"valid": 2, "invalid": 0}, batch.errors
    client.post(f"/registry/imports/{batch.pk}/commit/")
    run_worker()
    asl = Organisation.objects.get(name="Association des Sénégalais de Lyon")
    assert (asl.kind, asl.country.code, asl.phone) == ("hometown", "FR", "+33478000000")
    assert [c.code for c in asl.countries] == ["FR", "SN"] and asl.sectors == ["health"]
    rows[1][6] = "https://medecins.example.org"
    upload(client, "orgs2.csv", csv_bytes(ORG_HEADERS, rows), kind="organisations")
    again = ImportBatch.objects.order_by("-pk").first()
    check_batch(client, again)
    client.post(f"/registry/imports/{again.pk}/commit/")
    run_worker()
    again.refresh_from_db()
    assert (again.counts["created"], again.counts["updated"], again.counts["unchanged"]) == (
        0,
        1,
        1,
    )
    assert Organisation.objects.count() == 2


@pytest.mark.django_db
def test_bad_organisation_rows_are_reported(client, officer):
    client.force_login(officer)
    rows = [["X", "club", "FR", "", "", "", "ftp://x", ""], ["Y", "ngo", "DE", "", "", "", "", ""]]
    upload(client, "orgs.csv", csv_bytes(ORG_HEADERS, rows), kind="organisations")
    batch = ImportBatch.objects.get()
    check_batch(client, batch)
    batch.refresh_from_db()
    reasons = {(e["row"], e["column"]): e["reason"] for e in batch.errors}
    assert "is not one of" in reasons[(2, "organisation/type")]
    assert "not a web address" in reasons[(2, "website")]
    assert "outside your scope" in reasons[(3, "organisation/country")]


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_imported_rows_without_identifiers_are_checked_for_duplicates(client, officer):
    import datetime

    from liaison.registry.models import DuplicateCandidate
    from tests.factories import MemberFactory

    existing = MemberFactory(
        given_name="Amina",
        family_name="Diallo",
        birth_date=datetime.date(1990, 2, 1),
        country_of_residence="FR",
    )
    client.force_login(officer)
    headers = ["first_name", "last_name", "dob", "country"]
    upload(client, "plain.csv", csv_bytes(headers, [["Amina", "Dialo", "1990-02-01", "FR"]]))
    batch = ImportBatch.objects.get()
    check_batch(client, batch)
    client.post(f"/registry/imports/{batch.pk}/commit/")
    run_worker()
    batch.refresh_from_db()
    assert batch.counts["possible_duplicates"] == 1
    pair = DuplicateCandidate.objects.get()
    assert pair.first_id == existing.pk


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1987-03-14", "1987-03-14"),
        ("14/03/1987", "1987-03-14"),
        ("14.03.1987", "1987-03-14"),
        ("1987/03/14", "1987-03-14"),
    ],
)
def test_dates_in_the_formats_files_use_are_read(cell, expected):
    import datetime

    from liaison.registry.imports import _date

    assert _date(cell) == datetime.date.fromisoformat(expected)
    assert _date(datetime.datetime(1987, 3, 14, 0, 0)) == datetime.date(1987, 3, 14)  # XLSX cell


@pytest.mark.django_db
def test_a_value_repeated_on_many_rows_is_judged_the_same_on_each():
    """Checks remember repeated cells; every row must still get its own verdict and values."""
    from liaison.registry.imports import Table, check

    headers = ["first_name", "country", "nationality", "education", "interests"]
    rows = [
        ["Amina", "FR", "SN ML", "7", "mentoring"],
        ["Awa", "Atlantis", "SN ML", "7", "mentoring investment"],
        ["Moussa", "FR", "SN ML", True, "mentoring"],
        ["Ba", "Atlantis", "SN ML", 7, "mentoring"],
    ]
    checked = check(Table(headers, rows), guess_mapping(headers), actor=None)
    bad = sorted((e.row, e.column) for e in checked.errors)
    assert bad == [(3, "country"), (4, "education"), (5, "country")]
    first = checked.rows[2]
    assert first["interests"] == {"mentoring"}  # not widened by the next row's choices
    assert first["education_level"] == "7"
    first["nationalities"].append("FR")  # each row owns its values
    assert all(
        values["nationalities"] == ["ML", "SN"] for n, values in checked.rows.items() if n != 2
    )


@pytest.mark.django_db
def test_rows_without_an_identifier_update_the_member_with_their_email():
    from liaison.registry.imports import Table, check, commit
    from tests.factories import MemberFactory

    first = MemberFactory(given_name="Awa", email="awa@example.org", city="Lyon")
    MemberFactory(given_name="Awa", email="awa@example.org", city="Nice")  # a later duplicate
    headers = ["first_name", "country", "email", "city"]
    rows = [["Awa", "FR", "AWA@example.org", "Paris"], ["Moussa", "FR", "moussa@example.org", ""]]
    checked = check(Table(headers, rows), guess_mapping(headers), actor=None)
    counts = commit(checked, actor=None, notice_version="v1")
    assert (counts["created"], counts["updated"]) == (1, 1)
    first.refresh_from_db()
    assert first.city == "Paris"  # the first member registered with the address
    assert Member.objects.filter(email="awa@example.org").count() == 2
