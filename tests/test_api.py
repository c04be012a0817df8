from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.django_db
def test_the_committed_schema_matches_the_served_one(client):
    served = yaml.safe_load(client.get("/api/schema/", HTTP_ACCEPT="application/yaml").content)
    committed = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    assert served == committed
    assert "/api/v1/taxonomy/suggestions/" in served["paths"]


@pytest.mark.django_db
def test_interactive_docs_are_served_without_outside_assets(client):
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    assert "cdn." not in page and "unpkg" not in page


@pytest.mark.django_db
def test_lists_are_paginated(client):
    body = client.get("/api/v1/taxonomy/isco-groups/", {"page_size": 5}).json()
    assert body["count"] == 53
    assert len(body["results"]) == 5
    assert body["next"].endswith("page=2&page_size=5")
