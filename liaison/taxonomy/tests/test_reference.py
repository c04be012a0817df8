from __future__ import annotations

import pytest
from django.utils import translation

from liaison.taxonomy import reference


def test_country_and_currency_names_follow_the_interface_language():
    with translation.override("fr"):
        assert {e.code: e.name for e in reference.country_list()}["DE"] == "Allemagne"
        assert {e.code: e.name for e in reference.currency_list()}["EUR"] == "euro"
    with translation.override("en"):
        assert {e.code: e.name for e in reference.country_list()}["DE"] == "Germany"


def test_languages_come_from_iso_639_with_local_names():
    with translation.override("fr"):
        names = {e.code: e.name for e in reference.language_list()}
    assert names["en"] == "anglais"
    assert "wo" in names  # Wolof
    assert reference.is_language("quc")  # K'iche', ISO 639-3 only
    assert not reference.is_language("xx")


def test_codes_are_validated():
    assert reference.is_currency("xof")
    assert not reference.is_currency("ABC")
    # codes in ISO 4217 that are no money anyone is paid in
    for code in ("XXX", "XTS", "XAU", "XDR"):
        assert not reference.is_currency(code), code
    assert reference.is_currency("XAF") and reference.is_currency("XCD")
    assert reference.is_country("sn")
    assert not reference.is_country("ZZ")


@pytest.mark.django_db
def test_reference_endpoints_answer_in_the_requested_language(client):
    response = client.get("/api/v1/reference/countries/", HTTP_ACCEPT_LANGUAGE="fr")
    names = {e["code"]: e["name"] for e in response.json()["results"]}
    assert names["DE"] == "Allemagne"
    levels = client.get("/api/v1/reference/cefr-levels/").json()["results"]
    assert [lv["code"] for lv in levels] == ["A1", "A2", "B1", "B2", "C1", "C2", "native"]
    isced = client.get("/api/v1/reference/isced-levels/").json()["results"]
    assert [lv["code"] for lv in isced] == [str(i) for i in range(9)]
