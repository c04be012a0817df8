"""The dashboard's downloads (CSV, XLSX, PDF) and its API give the same figures as the page:
same filters, same hidden cells, never a small number.

Registry, threshold 5: FR 9 women aged 30 with a master's; DE 6 men aged 40; IT 2 women aged 50.
By country: FR 9, DE 6, IT 2 -> IT hidden, DE with it. By sex: female 11, male 6. Italy and
Germany cannot be opened as filters (Italy would be 17 - 9 - 6).
"""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from liaison.accounts.roles import Role, ScopeKind
from liaison.insights.filters import years_before
from tests.factories import MemberFactory, user_with_role

REFUSED = "This selection would let someone work out figures about fewer than 5 people; widen it."


@pytest.fixture
def registry(db, settings):
    settings.LIAISON_DEFAULT_SUPPRESSION_THRESHOLD = 5
    from django.utils import timezone

    today = timezone.localdate()
    MemberFactory.create_batch(
        9,
        country_of_residence="FR",
        sex="female",
        birth_date=years_before(today, 31),
        education_level="7",
    )
    MemberFactory.create_batch(
        6, country_of_residence="DE", sex="male", birth_date=years_before(today, 41)
    )
    MemberFactory.create_batch(
        2, country_of_residence="IT", sex="female", birth_date=years_before(today, 51)
    )


@pytest.fixture
def analyst_client(client, registry):
    client.force_login(user_with_role(Role.ANALYST))
    return client


def _csv(client, params=None):
    response = client.get("/insights/export.csv", params or {})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="insights.csv"' in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_csv_holds_every_table_with_the_same_hidden_cells(analyst_client):
    rows = _csv(analyst_client)
    assert rows[0][:5] == ["Table", "Code", "Category", "Count", "Share (%)"]
    cells = {(r[0], r[1]): r[3] for r in rows[1:]}
    assert cells[("Host country", "FR")] == "9"
    assert cells[("Host country", "DE")] == "hidden"
    assert cells[("Host country", "IT")] == "hidden"
    assert cells[("Sex", "female")] == "11" and cells[("Sex", "male")] == "6"
    assert cells[("Education (ISCED 2011)", "7")] == "9"
    assert ("Host country", "") in cells  # the total's row
    totals = [r for r in rows if r[2] == "Total"]
    assert {r[3] for r in totals} == {"17"}
    assert {r[0] for r in rows[1:]} >= {
        "Host country",
        "Sex",
        "Age",
        "Education (ISCED 2011)",
        "Occupation (ISCO-08 major group)",
        "Top skills",
        "Interests",
        "Available to contribute",
        "Languages",
        "Registrations by month",
    }
    # Never a number from 1 to 4 in a count cell.
    assert not [r for r in rows[1:] if r[3].isdigit() and 0 < int(r[3]) < 5]


def test_the_csv_obeys_the_filters_and_shows_nothing_below_the_threshold(analyst_client):
    rows = _csv(analyst_client, {"sex": "male"})
    cells = {(r[0], r[1]): r[3] for r in rows[1:]}
    assert cells[("Sex", "male")] == "6" and cells[("Sex", "female")] == "0"
    # The 6 men all live in Germany, which the unfiltered table hides (with Italy's 2): the
    # men's host-country table, whose only non-zero row it is, is not shown at all.
    hosts = [r for r in rows if r[0] == "Host country"]
    assert [r[1] for r in hosts] == ["", ""]
    assert hosts[0][2].startswith("Not shown") and hosts[1][2:4] == ["Total", "6"]
    assert cells[("Occupation (ISCO-08 major group)", "none")] == "6"
    assert _csv(analyst_client, {"country": "IT"}) == [
        ["Table", "Code", "Category", "Count", "Share (%)"],
        ["", "", REFUSED, "", ""],
    ]


def test_the_xlsx_has_a_sheet_per_table_and_says_what_was_filtered(analyst_client):
    response = analyst_client.get("/insights/export.xlsx", {"age": "25-34"})
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "About"
    about = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True) if r and r[0]}
    assert about["Filters"] == "Age: 25-34"
    assert about["Total"] == 9
    assert "Counts from 1 to 4 are hidden" in str(about["Confidentiality"])
    # Aged 25-34: the 9 French women, 2 fewer than all 11 women (Italy's): the female row
    # is hidden, and, the only non-zero one, the whole sex table is not shown.
    sex = list(book["Sex"].iter_rows(values_only=True))
    assert str(sex[1][0]).startswith("Not shown") and not any(r[0] == "female" for r in sex)
    hosts = [tuple(r[:3]) for r in book["Host country"].iter_rows(values_only=True)]
    assert ("FR", "France", 9) in hosts
    assert "Top skills" in book.sheetnames and "Registrations by month" in book.sheetnames


def test_the_pdf_summary_opens_and_holds_the_figures(analyst_client):
    response = analyst_client.get("/insights/export.pdf")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 1
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Insights: the diaspora registry" in text
    assert "Total: 17 members" in text
    assert "France" in text and "Germany" in text
    assert "hidden" in text
    assert "Counts from 1 to 4 are hidden" in text.replace("\n", " ")
    few = analyst_client.get("/insights/export.pdf", {"country": "IT"})
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(few.content)).pages)
    assert REFUSED in " ".join(text.split())
    assert "Total:" not in text and "Share (%)" not in text  # no table at all


def test_an_unknown_format_is_not_found(analyst_client):
    assert analyst_client.get("/insights/export.docx").status_code == 404


def test_the_api_serves_the_same_suppressed_tables(analyst_client):
    data = analyst_client.get("/api/v1/insights/dashboard/").json()
    assert data["total"] == 17 and data["threshold"] == 5 and not data["too_few"]
    tables = {t["key"]: t for t in data["tables"]}
    hosts = {r["key"]: r for r in tables["countries"]["rows"]}
    assert hosts["FR"]["count"] == 9
    assert hosts["IT"] == {
        "key": "IT",
        "label": "Italy",
        "count": None,
        "hidden": True,
        "share": None,
        "extra": [],
    }
    assert hosts["DE"]["count"] is None
    filtered = analyst_client.get("/api/v1/insights/dashboard/", {"country": "IT"}).json()
    assert filtered["refused"] and filtered["total"] is None and filtered["tables"] == []
    assert filtered["message"] == REFUSED and not filtered["too_few"]
    wrong = analyst_client.get("/api/v1/insights/dashboard/", {"registered_from": "2026-13"})
    assert wrong.status_code == 400
    assert "YYYY-MM" in str(wrong.json()["registered_from"])


def test_the_api_keeps_to_the_callers_scope_and_roles(client, registry):
    client.force_login(user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "DE"))
    data = client.get("/api/v1/insights/dashboard/").json()
    assert data["total"] == 6
    assert [r["key"] for r in data["tables"][0]["rows"]] == ["DE"]
    client.force_login(user_with_role(Role.CONSULAR_OFFICER))
    assert client.get("/api/v1/insights/dashboard/").status_code == 403
    assert client.get("/api/v1/insights/surveys/").status_code == 403
    client.logout()
    assert client.get("/api/v1/insights/dashboard/").status_code in (401, 403)
