"""From survey answers into the registry, only with consent.

A questionnaire version maps some of its questions to fields of a member's profile
(``QuestionnaireVersion.registry_map``) and names its consent question
(``consent_question``, a select_one answered "yes" to agree to be registered). A complete
submission whose respondent agreed updates the signed-in respondent's own member record, or
creates one, which the registry's duplicate finder then compares with the members who share its
name, email, phone or date of birth (likely duplicates wait in its review queue, where an officer
merges them). A submission never changes someone else's record, whatever it says: an
anonymous respondent giving another person's email address only creates a candidate duplicate.
Without consent the answers stay anonymous statistics: no member is created or changed, and
nothing links them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from liaison.registry import dedup, services
from liaison.registry.imports import country_code
from liaison.registry.models import (
    Availability,
    Interest,
    Member,
    MemberInterest,
    Modality,
    Purpose,
    Sex,
)
from liaison.surveys import engine
from liaison.surveys.models import QuestionnaireVersion, Submission


def _text(value: Any) -> str:
    return str(value).strip()


def _country(value: Any) -> str:
    code = country_code(str(value))
    if code is None:
        raise ValidationError(_("“%(v)s” is not a country code."), params={"v": value})
    return code


def _sex(value: Any) -> str:
    code = {"prefer_not": Sex.UNDISCLOSED}.get(str(value), str(value))
    if code not in Sex.values:
        raise ValidationError(_("“%(v)s” is not one of the registry's sexes."), params={"v": value})
    return code


def _education(value: Any) -> str:
    level = str(value).strip()[-1:]  # "isced_5" or "5"
    if not level.isdigit():
        raise ValidationError(_("“%(v)s” is not an ISCED level."), params={"v": value})
    return level


def _date(value: Any) -> datetime.date:
    if not isinstance(value, datetime.date):
        raise ValidationError(_("“%(v)s” is not a date."), params={"v": value})
    return value


def _codes(allowed: list[str]) -> Callable[[Any], list[str]]:
    def convert(value: Any) -> list[str]:
        chosen = value if isinstance(value, list) else str(value).split()
        return [c for c in chosen if c in allowed]

    return convert


def _countries(value: Any) -> list[str]:
    chosen = value if isinstance(value, list) else str(value).split()
    return sorted(_country(c) for c in chosen)


# Profile fields a question can fill: label, conversion of the typed answer.
TARGETS: dict[str, tuple[Any, Callable[[Any], Any]]] = {
    "given_name": (_lazy("given name"), _text),
    "family_name": (_lazy("family name"), _text),
    "email": (_lazy("email"), _text),
    "phone": (_lazy("phone"), _text),
    "sex": (_lazy("sex"), _sex),
    "birth_date": (_lazy("date of birth"), _date),
    "country_of_residence": (_lazy("country of residence"), _country),
    "city": (_lazy("city"), _text),
    "nationalities": (_lazy("nationalities"), _countries),
    "education_level": (_lazy("education level (ISCED 2011)"), _education),
    "residence_status": (_lazy("residence status"), _text),
    "interests": (_lazy("interests in contributing"), _codes(list(Interest.values))),
    "availability": (_lazy("availability"), _codes(list(Modality.values))),
}
# Question names that usually mean a profile field (those of the ready questionnaires).
USUAL_NAMES = {
    "residence_country": "country_of_residence",
    "country_of_residence": "country_of_residence",
    "residence_city": "city",
    "contribution_interest": "interests",
    **{name: name for name in TARGETS},
}
CONSENT_NAMES = ("consent_register", "consent")


def guess(form: engine.Form) -> tuple[dict[str, str], str]:
    """The usual mapping of a new version's questions, and its consent question."""
    mapping = {
        q.name: USUAL_NAMES[q.name]
        for q in form.questions
        if q.name in USUAL_NAMES and not q.repeats
    }
    consent = next(
        (
            q.name
            for q in form.questions
            if q.name in CONSENT_NAMES and q.type == "select_one" and "yes" in q.choices
        ),
        "",
    )
    return mapping, consent


def consented(version: QuestionnaireVersion, values: dict[str, Any]) -> bool:
    return bool(version.consent_question) and values.get(version.consent_question) == "yes"


@transaction.atomic
def link(submission: Submission, values: dict[str, Any]) -> Member | None:
    """Create or update the member a consenting submission describes; None without consent or
    without a mapping. Raises ``ValidationError`` naming the question when a mapped answer does
    not fit the registry (nothing is changed then)."""
    version = submission.version
    if not version.registry_map or not consented(version, values):
        return None
    changes: dict[str, Any] = {}
    related: dict[str, list[str]] = {}
    for question, target in version.registry_map.items():
        if target not in TARGETS or values.get(question) in (None, "", []):
            continue
        try:
            value = TARGETS[target][1](values[question])
        except ValidationError as exc:
            raise ValidationError(
                _("Question “%(q)s”: %(why)s") % {"q": question, "why": " ".join(exc.messages)}
            ) from exc
        if target in ("interests", "availability"):
            related[target] = value
        else:
            changes[target] = value
    member = _own(submission)
    actor = submission.respondent
    if member is None:
        if not changes.get("given_name") or not changes.get("country_of_residence"):
            return None  # not enough to register someone: the answers stay statistics
        member = Member(**{k: v for k, v in changes.items() if k != "phone"})
        member.phone = services.normalise_phone(changes.get("phone", ""))
        # _own found no record of this account: the new one is theirs (none when anonymous)
        member.user_id = submission.respondent_id
        member.full_clean()
        member.save()
        dedup.find(_near(member), only={member.pk})
    else:
        member = services.update_member(actor, member, changes)
    for interest in related.get("interests", []):
        MemberInterest.objects.get_or_create(member=member, interest=interest)
    for modality in related.get("availability", []):
        Availability.objects.get_or_create(member=member, modality=modality, ends=None)
    services.record_consent(actor, member, Purpose.REGISTRY, True, source="survey")
    submission.member = member
    submission.save(update_fields=["member"])
    return member


def _near(member: Member) -> Any:
    """The members the duplicate finder compares a new record with: those sharing its name, email,
    phone or date of birth (not the whole registry, for each submission)."""
    near = Q(pk=member.pk) | Q(
        given_name__iexact=member.given_name, family_name__iexact=member.family_name
    )
    if member.email:
        near |= Q(email__iexact=member.email)
    if member.phone:
        near |= Q(phone=member.phone)
    if member.birth_date:
        near |= Q(birth_date=member.birth_date, family_name__iexact=member.family_name)
    return Member.objects.filter(near)


def _own(submission: Submission) -> Member | None:
    """The record a submission may change: the signed-in respondent's own, never anyone
    else's. Answers that only look like someone (the same email, say) make a new record, which
    the duplicate finder puts next to the other in its review queue: an officer decides."""
    if submission.respondent_id:
        return Member.objects.filter(user_id=submission.respondent_id).first()
    return None
