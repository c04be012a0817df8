from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parents[1] / "liaison" / "locale"


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_every_interface_string_is_translated(language):
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as handle:
        catalog = read_po(handle)
    assert len(catalog) > 200
    missing = [
        m.id
        for m in catalog
        if m.id and (m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string))
    ]
    assert not missing, missing[:20]


@pytest.mark.django_db
def test_pages_render_in_french(client):
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    page = client.get("/").content.decode()
    assert '<html lang="fr" dir="ltr">' in page
    assert "S’inscrire" in page or "S'inscrire" in page or "Inscription" in page


@pytest.mark.django_db
def test_arabic_renders_right_to_left_with_the_rtl_stylesheet(client):
    client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    page = client.get("/").content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert "app.rtl.css" in page
