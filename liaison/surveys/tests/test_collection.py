"""Answering a survey on the web, in waves: the form's rules on the server, drafts, audiences,
and consenting answers into the registry."""

from __future__ import annotations

import datetime
import html
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from liaison.accounts.roles import Role
from liaison.registry.models import Consent, DuplicateCandidate, Member, MemberInterest
from liaison.surveys import services
from liaison.surveys.models import Answer, Submission, Wave
from liaison.surveys.tests.test_xlsform_upload import workbook
from tests.factories import MemberFactory, user_with_role

HEAD = [
    "type",
    "name",
    "label::English (en)",
    "label::French (fr)",
    "required",
    "relevant",
    "constraint",
    "constraint_message::English (en)",
    "constraint_message::French (fr)",
    "calculation",
    "choice_filter",
]


def row(
    kind,
    name,
    en="",
    fr="",
    required="",
    relevant="",
    constraint="",
    msg="",
    msg_fr="",
    calc="",
    choice_filter="",
):
    return [kind, name, en, fr, required, relevant, constraint, msg, msg_fr, calc, choice_filter]


SURVEY = [
    HEAD,
    row("select_one yes_no", "consent_register", "Register me?", "M'inscrire ?", "yes"),
    row("text", "given_name", "Given name", "Prénom", "yes", "${consent_register} = 'yes'"),
    row("text", "family_name", "Family name", "Nom", "", "${consent_register} = 'yes'"),
    row(
        "text",
        "email",
        "Email",
        "Courriel",
        "",
        "${consent_register} = 'yes'",
        "regex(., '^[^@ ]+@[^@ ]+$')",
        "Give a valid email address.",
        "Indiquez une adresse valide.",
    ),
    row("select_one countries", "residence_country", "Country", "Pays", "yes"),
    row("select_one town", "town", "Town", "Ville", choice_filter="country=${residence_country}"),
    row(
        "integer",
        "age",
        "Age",
        "Âge",
        "",
        "",
        ". >= 18",
        "You must be 18 or older.",
        "Vous devez avoir 18 ans ou plus.",
    ),
    row("date", "arrived", "Arrival date", "Date d'arrivée"),
    row("select_multiple interest", "interests", "Interests", "Intérêts"),
    row("begin_repeat", "children", "Children", "Enfants"),
    row("text", "child_name", "Child's name", "Prénom de l'enfant", "yes"),
    row("integer", "child_age", "Child's age", "Âge de l'enfant"),
    row("end_repeat", ""),
    row("calculate", "children_count", calc="count(${children})"),
]
CHOICES = [
    ["list_name", "name", "label::English (en)", "label::French (fr)", "country"],
    ["yes_no", "yes", "Yes", "Oui", ""],
    ["yes_no", "no", "No", "Non", ""],
    ["countries", "FR", "France", "France", ""],
    ["countries", "DE", "Germany", "Allemagne", ""],
    ["town", "paris", "Paris", "Paris", "FR"],
    ["town", "berlin", "Berlin", "Berlin", "DE"],
    ["interest", "mentoring", "Mentoring", "Mentorat", ""],
    ["interest", "investment", "Investment", "Investissement", ""],
]


@pytest.fixture
def version(db):
    content = workbook(SURVEY, CHOICES)
    saved, _created = services.upload(None, io.BytesIO(content), "mapping.xlsx")
    return saved


def make_wave(version, **kwargs) -> Wave:
    values = {
        "questionnaire": version.questionnaire,
        "version": version,
        "name": "2026 round",
        "opens_at": timezone.now() - datetime.timedelta(days=1),
        **kwargs,
    }
    return Wave.objects.create(**values)


@pytest.fixture
def wave(version):
    return make_wave(version)


def url(wave):
    return f"/s/{wave.token}/"


GOOD = {
    "consent_register": "no",
    "residence_country": "DE",
    "age": "34",
    "arrived": "2019-03-01",
    "interests": ["mentoring", "investment"],
    "children#count": "2",
    "child_name@1": "Awa",
    "child_age@1": "7",
    "child_name@2": "Moussa",
    "child_age@2": "",
}


def test_the_web_form_shows_the_questions_in_the_respondents_language(client, wave):
    english = html.unescape(client.get(url(wave)).content.decode())
    assert "Register me?" in english and "Arrival date" in english
    french = html.unescape(client.get(url(wave), {"language": "fr"}).content.decode())
    assert "M'inscrire ?" in french and "Date d'arrivée" in french
    assert "Germany" not in french and "Allemagne" in french


def test_a_complete_submission_is_stored_with_typed_answers(client, wave):
    response = client.post(url(wave), {**GOOD, "action": "submit"})
    assert response.status_code == 302 and response["Location"] == f"/s/{wave.token}/thanks/"
    submission = Submission.objects.get(wave=wave)
    assert submission.status == Submission.Status.COMPLETE and submission.submitted_at
    assert submission.member is None  # no consent: statistics only
    stored = {
        (a.question, a.instance): (a.text, a.number, a.date)
        for a in Answer.objects.filter(submission=submission).exclude(question="interests")
    }
    assert stored[("age", "")] == ("", Decimal("34"), None)
    assert stored[("arrived", "")] == ("", None, datetime.date(2019, 3, 1))
    assert stored[("residence_country", "")] == ("DE", None, None)
    assert stored[("child_name", "1")] == ("Awa", None, None)
    assert stored[("child_age", "1")] == ("", Decimal("7"), None)
    assert stored[("child_name", "2")] == ("Moussa", None, None)
    assert ("child_age", "2") not in stored  # left empty
    assert stored[("children_count", "")] == ("2", None, None)
    interests = Answer.objects.filter(submission=submission, question="interests")
    assert sorted(interests.values_list("text", flat=True)) == ["investment", "mentoring"]
    assert all(a.wave_id == wave.pk for a in Answer.objects.all())


def test_rules_are_enforced_on_the_server_and_nothing_is_stored_complete(client, wave):
    bad = {
        **GOOD,
        "consent_register": "yes",  # given_name becomes required and email relevant
        "email": "not an address",
        "age": "15",
        "child_name@2": "",
        "action": "submit",
    }
    response = client.post(url(wave), bad)
    assert response.status_code == 422
    problems = {p["label"]: p["message"] for p in response.context["problems"]}
    assert problems["Age"] == "You must be 18 or older."
    assert problems["Email"] == "Give a valid email address."
    assert "Given name" in problems
    assert "Child's name (entry 2)" in problems
    page = response.content.decode()
    assert 'aria-invalid="true"' in page and "You must be 18 or older." in page
    assert not Submission.objects.filter(status=Submission.Status.COMPLETE).exists()
    assert not Answer.objects.exists()
    # the answers are kept as a draft, to correct
    draft = Submission.objects.get(status=Submission.Status.DRAFT)
    assert draft.data["age"] == "15"
    # the same rules speak the respondent's language
    french = client.post(url(wave) + "?language=fr", bad)
    messages = [p["message"] for p in french.context["problems"]]
    assert "Vous devez avoir 18 ans ou plus." in messages


def test_choices_a_filter_rules_out_are_hidden_and_refused(client, wave):
    page = client.get(url(wave)).content.decode()
    # every town is on the page, hidden until a country allows it
    assert re.search(r'<div class="form-check" hidden>\s*<input[^>]*value="berlin"', page)
    state = client.post(url(wave) + "check/", {"residence_country": "DE"}).json()
    assert state["choices"]["town"] == ["berlin"]
    refused = client.post(url(wave), {**GOOD, "town": "paris", "action": "submit"})
    assert refused.status_code == 422
    assert [p["label"] for p in refused.context["problems"]] == ["Town"]
    client.post(url(wave), {**GOOD, "town": "berlin", "action": "submit"})
    assert Answer.objects.get(question="town").text == "berlin"


def test_answers_to_hidden_questions_are_not_kept(client, wave):
    client.post(url(wave), {**GOOD, "email": "someone@example.org", "action": "submit"})
    assert not Answer.objects.filter(question="email").exists()  # consent was "no"


def test_a_long_form_is_saved_and_resumed_on_the_same_browser(client, wave):
    client.post(url(wave), {"age": "41", "residence_country": "FR", "action": "save"})
    draft = Submission.objects.get()
    assert draft.status == Submission.Status.DRAFT and draft.data["age"] == "41"
    again = client.get(url(wave))
    assert again.context["draft"].pk == draft.pk
    assert 'value="41"' in again.content.decode()
    # another browser starts afresh
    from django.test import Client

    assert Client().get(url(wave)).context["draft"] is None


def test_a_signed_in_member_resumes_from_any_device(client, wave):
    user = user_with_role(Role.MEMBER)
    MemberFactory(user=user)
    client.force_login(user)
    client.post(url(wave), {"age": "52", "action": "save"})
    from django.test import Client

    other = Client()
    other.force_login(user)
    assert 'value="52"' in other.get(url(wave)).content.decode()
    other.post(url(wave), {**GOOD, "action": "submit"})
    # one answer per member: the form does not open again
    page = other.get(url(wave)).content.decode()
    assert "already answered" in page


def test_the_same_submission_posted_twice_is_stored_once(client, wave):
    client.post(url(wave), {**GOOD, "action": "save"})
    instance_id = Submission.objects.get().instance_id
    first = client.post(url(wave), {**GOOD, "instance_id": instance_id, "action": "submit"})
    assert first.status_code == 302
    second = client.post(
        url(wave), {**GOOD, "instance_id": instance_id, "action": "submit"}, follow=True
    )
    assert "already received" in second.content.decode()
    assert Submission.objects.count() == 1
    assert Answer.objects.filter(question="age").count() == 1


def test_a_fresh_page_sent_twice_is_stored_once(client, wave):
    instance_id = client.get(url(wave)).context["instance_id"]
    assert instance_id.startswith("uuid:")
    assert not Submission.objects.exists()  # showing the page stores nothing
    sent = {**GOOD, "instance_id": instance_id, "action": "submit"}
    assert client.post(url(wave), sent).status_code == 302
    again = client.post(url(wave), sent, follow=True)  # a double click, or the back button
    assert "already received" in again.content.decode()
    assert Submission.objects.get().instance_id == instance_id
    assert Answer.objects.filter(question="age").count() == 1


def test_an_instance_id_that_is_not_the_pages_own_is_not_taken(client, version, wave):
    other = make_wave(version, name="other")
    taken = Submission.objects.create(
        wave=other,
        version=version,
        instance_id="uuid:7d9f0a52-6c35-4c8e-9f7e-3c1b2a4d5e6f",
        source="web",
    )
    client.post(url(wave), {**GOOD, "instance_id": "not-a-uuid", "action": "save"})
    client.post(url(other), {**GOOD, "instance_id": taken.instance_id, "action": "save"})
    ids = set(Submission.objects.exclude(pk=taken.pk).values_list("instance_id", flat=True))
    assert len(ids) == 2 and "not-a-uuid" not in ids and taken.instance_id not in ids


def test_an_empty_page_checked_live_saves_no_draft(client, wave):
    client.post(url(wave) + "check/", {"children#count": "0"})
    assert not Submission.objects.exists()


def test_repeat_entries_are_added_and_removed(client, wave):
    client.post(url(wave), {"children#count": "0", "action": "add:children"})
    assert Submission.objects.get().data["children"] == [{}]
    data = {"children#count": "2", "child_name@1": "A", "child_name@2": "B"}
    client.post(url(wave), {**data, "action": "remove:children:1"})
    assert [c["child_name"] for c in Submission.objects.get().data["children"]] == ["B"]


def test_the_live_check_answers_with_hidden_questions_and_messages(client, wave):
    state = client.post(
        url(wave) + "check/", {"consent_register": "no", "age": "12", "children#count": "0"}
    ).json()
    assert "email" in state["hidden"] and "given_name" in state["hidden"]
    assert state["errors"]["age"] == "You must be 18 or older."
    assert "given_name" not in state["errors"]  # "required" waits for the submission
    state = client.post(url(wave) + "check/", {"consent_register": "yes", "age": "30"}).json()
    assert "email" not in state["hidden"] and "age" not in state["errors"]
    assert Submission.objects.get().data["age"] == "30"  # saved as it goes


def test_a_wave_opens_and_closes_on_its_dates(client, version):
    now = timezone.now()
    later = make_wave(version, name="later", opens_at=now + datetime.timedelta(days=2))
    assert "This survey opens on" in client.get(url(later)).content.decode()
    assert client.post(url(later), {**GOOD, "action": "submit"}).status_code == 200
    closed = make_wave(
        version,
        name="closed",
        opens_at=now - datetime.timedelta(days=9),
        closes_at=now - datetime.timedelta(days=1),
    )
    assert client.get(url(closed)).status_code == 410
    assert client.post(url(closed), {**GOOD, "action": "submit"}).status_code == 410
    assert not Submission.objects.exists()


def test_a_members_wave_asks_to_sign_in_and_a_segment_wave_checks_the_filters(client, version):
    members = make_wave(version, name="members", audience=Wave.Audience.MEMBERS)
    response = client.get(url(members))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    stranger = user_with_role(Role.MEMBER)
    client.force_login(stranger)
    assert client.get(url(members)).status_code == 403  # a user with no member record
    segment = make_wave(
        version, name="in France", audience=Wave.Audience.SEGMENT, segment={"country": ["FR"]}
    )
    in_france, in_germany = user_with_role(Role.MEMBER), user_with_role(Role.MEMBER)
    MemberFactory(user=in_france, country_of_residence="FR")
    MemberFactory(user=in_germany, country_of_residence="DE")
    client.force_login(in_germany)
    assert client.get(url(segment)).status_code == 403
    client.force_login(in_france)
    assert client.get(url(segment)).status_code == 200
    assert client.post(url(segment), {**GOOD, "action": "submit"}).status_code == 302


# --- into the registry --------------------------------------------------------------------------
def test_upload_guesses_the_registry_mapping_of_usual_question_names(version):
    assert version.consent_question == "consent_register"
    assert version.registry_map == {
        "given_name": "given_name",
        "family_name": "family_name",
        "email": "email",
        "residence_country": "country_of_residence",
        "interests": "interests",
    }


def test_a_consenting_respondent_is_registered_and_checked_for_duplicates(client, wave):
    twin = MemberFactory(
        given_name="Aminata",
        family_name="Diallo",
        country_of_residence="DE",
        email="old@example.org",
    )
    MemberFactory(given_name="Aminata", family_name="Sow", country_of_residence="DE")
    answers = {
        **GOOD,
        "consent_register": "yes",
        "given_name": "Aminata",
        "family_name": "Diallo",
        "email": "aminata@example.org",
        "action": "submit",
    }
    assert client.post(url(wave), answers).status_code == 302
    submission = Submission.objects.get()
    member = submission.member
    assert member is not None and member.pk != twin.pk
    assert (member.given_name, member.email, member.country_of_residence) == (
        "Aminata",
        "aminata@example.org",
        "DE",
    )
    assert set(MemberInterest.objects.filter(member=member).values_list("interest", flat=True)) == {
        "mentoring",
        "investment",
    }
    consent = Consent.objects.get(member=member)
    assert (consent.purpose, consent.granted, consent.source) == ("registry", True, "survey")
    # the registry's duplicate finder compared the new record with the others
    assert list(DuplicateCandidate.objects.values_list("first_id", "second_id")) == [
        (twin.pk, member.pk)
    ]


def test_answers_never_change_someone_elses_record_they_make_a_candidate_duplicate(client, wave):
    known = MemberFactory(
        given_name="Fatou",
        family_name="Ndiaye",
        email="fatou@example.org",
        country_of_residence="FR",
    )
    answers = {
        **GOOD,
        "consent_register": "yes",
        "given_name": "Fatou",
        "family_name": "Ndiaye",
        "email": "FATOU@example.org",
        "residence_country": "DE",
        "action": "submit",
    }
    client.post(url(wave), answers)  # anonymous: her, or someone using her name and address
    known.refresh_from_db()
    assert (known.given_name, known.country_of_residence) == ("Fatou", "FR")
    assert not known.versions.exists() and not Consent.objects.filter(member=known).exists()
    new = Submission.objects.get().member
    assert new is not None and new.pk != known.pk
    # the same address puts the two side by side in the registry's review queue
    assert list(DuplicateCandidate.objects.values_list("first_id", "second_id")) == [
        (known.pk, new.pk)
    ]


def test_a_signed_in_member_updates_their_own_record_and_keeps_the_previous_version(client, wave):
    user = user_with_role(Role.MEMBER)
    own = MemberFactory(user=user, given_name="Fatou", country_of_residence="FR")
    client.force_login(user)
    answers = {
        **GOOD,
        "consent_register": "yes",
        "given_name": "Fatou",
        "residence_country": "DE",
        "action": "submit",
    }
    client.post(url(wave), answers)
    own.refresh_from_db()
    assert own.country_of_residence == "DE"
    assert own.versions.get().data["country_of_residence"] == "FR"
    assert Member.objects.count() == 1
    assert Submission.objects.get().member_id == own.pk


def test_erasing_a_member_erases_the_answers_that_named_them(client, wave):
    answers = {
        **GOOD,
        "consent_register": "yes",
        "given_name": "Aminata",
        "email": "aminata@example.org",
        "action": "submit",
    }
    client.post(url(wave), answers)
    submission = Submission.objects.get()
    member = submission.member
    assert member is not None
    user = user_with_role(Role.MEMBER)
    Submission.objects.create(
        wave=wave, version=wave.version, instance_id="uuid:d", source="web", respondent=user
    )

    from liaison.registry.services import erase_member

    erase_member(None, member, "asked by the person")
    user.delete()

    submission.refresh_from_db()
    assert submission.member is None
    assert "given_name" not in submission.data and "email" not in submission.data
    assert submission.data["age"] == "34"  # the rest stays, as anonymous statistics
    stored = set(Answer.objects.values_list("question", flat=True))
    assert "given_name" not in stored and "email" not in stored and "age" in stored
    assert not Submission.objects.filter(instance_id="uuid:d").exists()  # the account's draft


def test_without_consent_no_member_is_created_or_changed(client, wave):
    known = MemberFactory(email="fatou@example.org", country_of_residence="FR")
    client.post(
        url(wave),
        {**GOOD, "email": "fatou@example.org", "given_name": "Fatou", "action": "submit"},
    )
    known.refresh_from_db()
    assert Member.objects.count() == 1 and known.country_of_residence == "FR"
    assert Submission.objects.get().member is None


# --- waves in the back office ---------------------------------------------------------------------
@pytest.fixture
def officer(client, db):
    client.force_login(user_with_role(Role.PROGRAMME_OFFICER))
    return client


def test_an_officer_opens_a_wave_for_a_segment(officer, version):
    q = version.questionnaire
    response = officer.post(
        f"/surveys/{q.pk}/waves/new/",
        {
            "name": "Engineers in Germany",
            "version": version.pk,
            "opens_at": "2026-12-01T09:00",
            "closes_at": "2026-12-31T18:00",
            "audience": "segment",
            "segment_query": "country=DE&isco=2",
        },
    )
    wave = Wave.objects.get()
    assert response["Location"] == f"/surveys/waves/{wave.pk}/"
    assert wave.segment == {"country": ["DE"], "isco": ["2"]}
    page = officer.get(f"/surveys/waves/{wave.pk}/").content.decode()
    assert f"/s/{wave.token}/" in page
    # the segment links to the registry search with its filters (in any order: PostgreSQL's
    # JSON keeps keys its own way)
    assert "country=DE" in page and "isco=2" in page


def test_a_wave_form_refuses_wrong_dates_and_unreadable_segments(officer, version):
    q = version.questionnaire
    response = officer.post(
        f"/surveys/{q.pk}/waves/new/",
        {
            "name": "x",
            "version": version.pk,
            "opens_at": "2026-12-31T09:00",
            "closes_at": "2026-12-01T09:00",
            "audience": "segment",
            "segment_query": "country=Atlantis",
        },
    )
    errors = response.context["form"].errors
    assert errors["closes_at"] == ["A wave closes after it opens."]
    assert "country" in errors["segment_query"][0]
    assert not Wave.objects.exists()


def test_an_officer_changes_which_questions_fill_the_registry(officer, version):
    response = officer.post(
        f"/surveys/versions/{version.pk}/registry/",
        {"consent_question": "consent_register", "q_given_name": "given_name", "q_email": ""},
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.registry_map == {"given_name": "given_name"}
    twice = officer.post(
        f"/surveys/versions/{version.pk}/registry/",
        {"q_given_name": "given_name", "q_email": "given_name"},
    )
    assert twice.context["form"].errors["q_email"] == ["Another question already fills this field."]
    version.refresh_from_db()
    assert version.registry_map == {"given_name": "given_name"}


def test_the_demo_wave_holds_answers_that_keep_the_forms_rules(db):
    from liaison.surveys import demo
    from liaison.surveys.ready import BY_SLUG

    services.upload(None, io.BytesIO(BY_SLUG["diaspora_mapping"].workbook()), "d.xlsx")
    assert demo.seed(30) == 30  # each went through the form's check, which raises otherwise
    wave = Wave.objects.get()
    assert wave.is_open()
    assert wave.submissions.filter(status=Submission.Status.COMPLETE).count() == 30
    countries = Answer.objects.filter(question="residence_country")
    assert countries.count() == 30 and countries.filter(wave=wave).count() == 30
    assert demo.seed(30) == 0  # once
