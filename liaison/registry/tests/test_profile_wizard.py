from __future__ import annotations

import datetime

import pytest

from liaison.accounts.roles import Role
from liaison.registry.models import Member, Purpose
from liaison.registry.wizard import completeness
from liaison.taxonomy.models import IscoGroup, Occupation, Skill
from tests.factories import user_with_role

ABOUT = {
    "given_name": "Amina",
    "family_name": "Diallo",
    "latin_name": "",
    "sex": "female",
    "birth_date": "1988-04-02",
    "nationalities": ["SN"],
    "country_of_residence": "FR",
    "city": "Lyon",
    "phone": "06 12 34 56 78",
}


@pytest.fixture
def taxonomy(db):
    group = IscoGroup.objects.create(code="2221", label="Nursing professionals")
    nurse = Occupation.objects.create(
        uri="http://data.europa.eu/esco/occupation/nurse",
        label="specialist nurse",
        isco_group=group,
    )
    triage = Skill.objects.create(uri="http://data.europa.eu/esco/skill/triage", label="triage")
    return nurse, triage


@pytest.mark.django_db
def test_a_member_fills_the_profile_step_by_step_to_a_complete_profile(client, taxonomy):
    nurse, triage = taxonomy
    user = user_with_role(Role.MEMBER)
    client.force_login(user)
    assert completeness(None).percent == 0
    response = client.post("/me/profile/", ABOUT)
    assert response["Location"] == "/me/profile/skills/"
    member = Member.objects.get(user=user)
    assert member.phone == "+33612345678"
    assert member.email == user.email and member.email_verified
    response = client.post(
        "/me/profile/skills/",
        {
            "education_level": "6",
            "occupation": "specialist nurse",
            "occupation_value": nurse.uri,
            "skill_0": "triage",
            "skill_0_value": triage.uri,
            "skill_0_level": "expert",
            "skill_0_years": "8",
            "language_0": "fr",
            "language_0_level": "C2",
            "language_1": "wo",
            "language_1_level": "native",
        },
    )
    assert response["Location"] == "/me/profile/history/"
    member.refresh_from_db()
    assert member.occupation == nurse and member.isco_group.code == "2221"
    assert list(member.skills.values_list("skill__label", "level", "years")) == [
        ("triage", "expert", 8)
    ]
    assert dict(member.languages.values_list("language", "level")) == {"fr": "C2", "wo": "native"}
    response = client.post(
        "/me/profile/history/",
        {
            "edu_0_level": "7",
            "edu_0_field_text": "Nursing",
            "edu_0_institution": "UCAD",
            "edu_0_country": "SN",
            "edu_0_year": "2012",
            "work_0_title": "Nurse",
            "work_0_employer": "Hospices Civils de Lyon",
            "work_0_country": "FR",
            "work_0_start": "2015",
        },
    )
    assert response["Location"] == "/me/profile/engagement/"
    assert member.education.get().institution == "UCAD"
    assert member.work_history.get().end_year is None
    response = client.post(
        "/me/profile/engagement/",
        {
            "virtual": "on",
            "temporary": "on",
            "temporary_from": "2027-01-01",
            "temporary_until": "2027-06-30",
            "interests": ["skills_transfer", "mentoring"],
        },
    )
    assert response["Location"] == "/me/consents/"
    periods = member.availability.order_by("modality").values_list("modality", "starts", "ends")
    # Each way of contributing keeps its own period: on site in the first half of 2027,
    # virtually from now on.
    assert [(m, str(s), str(e)) for m, s, e in periods] == [
        ("temporary", "2027-01-01", "2027-06-30"),
        ("virtual", "None", "None"),
    ]
    again = client.get("/me/profile/engagement/").context["form"]
    assert again.initial["temporary_until"] == datetime.date(2027, 6, 30)
    assert again.initial["virtual"] and not again.initial.get("permanent")
    client.post("/me/consents/", {"registry": "on", "matching": "on"})
    assert member.has_consent(Purpose.MATCHING)
    assert completeness(member).percent == 100
    home = client.get("/me/").content.decode()
    assert 'aria-valuenow="100"' in home


@pytest.mark.django_db
def test_the_wizard_explains_each_bad_answer_and_saves_nothing_wrong(client, taxonomy):
    user = user_with_role(Role.MEMBER)
    client.force_login(user)
    bad = client.post("/me/profile/", {**ABOUT, "phone": "12", "given_name": "<script>x</script>"})
    assert bad.status_code == 200
    body = bad.content.decode()
    assert "is not a valid phone number" in body and "HTML tags" in body
    assert not Member.objects.exists()
    client.post("/me/profile/", ABOUT)
    bad = client.post(
        "/me/profile/skills/",
        {"occupation": "astronaut of the sea", "language_0": "fr", "skill_0": "juggling"},
    )
    body = bad.content.decode()
    assert "Choose “astronaut of the sea” from the suggestions" in body
    assert "Choose “juggling” from the suggestions" in body
    assert "Give your level in this language" in body
    member = Member.objects.get()
    assert member.occupation is None and not member.languages.exists()
    bad = client.post(
        "/me/profile/engagement/",
        {
            "virtual": "on",
            "virtual_from": "2027-06-01",
            "virtual_until": "2027-01-01",
            "permanent_from": "2028-01-01",
        },
    )
    assert "The end comes before the start" in bad.content.decode()
    assert "Tick this way of contributing, or clear its dates" in bad.content.decode()
    assert not member.availability.exists()
    bad = client.post(
        "/me/profile/history/",
        {
            "edu_0_institution": "UCAD",
            "work_0_employer": "HCL",
            "work_1_title": "Nurse",
            "work_1_start": "2020",
            "work_1_end": "2010",
        },
    )
    body = bad.content.decode()
    assert "Give the level of this education" in body and "Give the title of this job" in body
    assert "The end comes before the start" in body
    assert not member.education.exists() and not member.work_history.exists()


@pytest.mark.django_db
def test_steps_after_the_first_wait_for_a_profile(client):
    client.force_login(user_with_role(Role.MEMBER))
    assert client.get("/me/profile/skills/")["Location"] == "/me/profile/"
