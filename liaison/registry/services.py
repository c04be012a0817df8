"""Writes and rules of the registry. Services take an actor and domain objects, never a request."""

from __future__ import annotations

import csv
import io
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from liaison.audit.models import AuditEvent
from liaison.audit.services import record
from liaison.core.tabular import safe_cell
from liaison.registry.models import (
    PROFILE_FIELDS,
    Consent,
    Member,
    MemberVersion,
    Purpose,
    comparable,
)


def normalise_phone(raw: str, region: str | None = None) -> str:
    """A phone number in E.164 (+33612345678), or a ValidationError saying why not."""
    text = (raw or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, (region or "").upper() or None)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _(
                "“%(raw)s” is not a phone number (%(why)s). Write it with its country code, "
                "e.g. +33 6 12 34 56 78."
            ),
            params={"raw": text[:40], "why": str(exc).split(". ")[-1].strip(". ")},
            code="phone_unparseable",
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("“%(raw)s” is not a valid phone number for its country."),
            params={"raw": text[:40]},
            code="phone_invalid",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def current_notice_version() -> str:
    return str(settings.LIAISON_PRIVACY_NOTICE_VERSION)


def record_consent(
    actor: Any,
    member: Member,
    purpose: str,
    granted: bool,
    *,
    channel: str = "",
    notice_version: str | None = None,
    source: str = "web",
) -> Consent:
    """Record a decision. Withdrawal takes effect at once: every query for consenting members
    reads the latest decision (see ``MemberQuerySet.consenting``)."""
    if purpose not in Purpose.values:
        raise ValidationError(_("Unknown purpose %(p)s."), params={"p": purpose})
    if purpose == Purpose.OUTREACH and not channel:
        raise ValidationError(_("Consent to news and invitations is given per channel."))
    if purpose != Purpose.OUTREACH and channel:
        raise ValidationError(_("Only news and invitations are consented to per channel."))
    return Consent.objects.create(
        member=member,
        purpose=purpose,
        channel=channel,
        granted=granted,
        notice_version=notice_version or current_notice_version(),
        recorded_by=actor if getattr(actor, "pk", None) else None,
        source=source,
    )


def consent_state(member: Member) -> dict[tuple[str, str], Consent]:
    """The current decision per (purpose, channel)."""
    state: dict[tuple[str, str], Consent] = {}
    for consent in member.consents.order_by("recorded_at", "pk"):
        state[(consent.purpose, consent.channel)] = consent
    return state


PERSONAL_DATA_VERSION = 1


def export_member_data(member: Member) -> dict[str, Any]:
    """Everything the registry holds about a person, for "download my data"."""

    def rows(qs: Any, *fields: str) -> list[dict[str, Any]]:
        return [
            {
                f: (str(v) if v is not None and not isinstance(v, bool | int) else v)
                for f, v in row.items()
            }
            for row in qs.values(*fields)
        ]

    profile_fields = [
        "given_name",
        "family_name",
        "latin_name",
        "sex",
        "birth_date",
        "city",
        "consular_jurisdiction",
        "email",
        "email_verified",
        "phone",
        "education_level",
        "latitude",
        "longitude",
        "created_at",
        "updated_at",
    ]
    profile: dict[str, Any] = {
        f: (str(getattr(member, f)) if getattr(member, f) not in (None, "") else "")
        for f in profile_fields
    }
    profile["email_verified"] = member.email_verified
    profile["nationalities"] = [c.code for c in member.nationalities]
    profile["country_of_residence"] = member.country_of_residence.code
    profile["occupation"] = member.occupation.label if member.occupation else ""
    profile["residence_status"] = member.residence_status
    profile["id_document_number"] = member.id_document_number
    return {
        "format": "liaison-personal-data",
        "version": PERSONAL_DATA_VERSION,
        "profile": profile,
        "skills": rows(member.skills.all(), "skill__uri", "skill__label", "level", "years"),
        "languages": rows(member.languages.all(), "language", "level"),
        "education": rows(
            member.education.all(),
            "level",
            "field__label",
            "field_text",
            "institution",
            "country",
            "year",
        ),
        "work_history": rows(
            member.work_history.all(), "title", "employer", "country", "start_year", "end_year"
        ),
        "availability": rows(member.availability.all(), "modality", "starts", "ends"),
        "interests": [i.interest for i in member.interests.all()],
        "organisations": rows(
            member.organisationmembership_set.all(), "organisation__name", "role"
        ),
        "consents": rows(
            member.consents.order_by("recorded_at", "pk"),
            "purpose",
            "channel",
            "granted",
            "notice_version",
            "recorded_at",
            "source",
        ),
    }


def export_member_csv(data: dict[str, Any]) -> str:
    """The same data as one CSV of (section, item, field, value) rows, readable in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "item", "field", "value"])
    for field, value in data["profile"].items():
        writer.writerow(["profile", 1, field, safe_cell(_cell(value))])
    for section in (
        "skills",
        "languages",
        "education",
        "work_history",
        "availability",
        "organisations",
        "consents",
    ):
        for i, row in enumerate(data[section], start=1):
            for field, value in row.items():
                writer.writerow([section, i, field, safe_cell(_cell(value))])
    for i, interest in enumerate(data["interests"], start=1):
        writer.writerow(["interests", i, "interest", interest])
    return out.getvalue()


def _cell(value: Any) -> str:
    return "" if value is None else ",".join(value) if isinstance(value, list) else str(value)


ERASURE_RULE = _(
    "Erasing an account deletes the profile and everything in it: names, contacts, identity "
    "documents, education, work history, skills, languages, availability, interests, "
    "organisation memberships, consents, and the sign-in account with its email addresses and "
    "second factors. What stays is the audit trail, which records that record number N existed, "
    "who changed or viewed it and when, and that it was erased on request; it holds no name, "
    "contact or profile content. Statistics already published stay, as they identify nobody."
)


@transaction.atomic
def erase_member(actor: Any, member: Member, reason: str) -> None:
    """Delete a person's record and account under the rule in ``ERASURE_RULE``."""
    user = member.user
    record(
        AuditEvent.Action.DELETE,
        member,
        actor=actor,
        reason=f"erasure: {reason}"[:500],
        object_repr=f"member #{member.pk}",
    )
    member.delete()
    if user is not None:
        user.delete()


VERSIONED_FIELDS = (
    *PROFILE_FIELDS,
    "latitude",
    "longitude",
    "consular_jurisdiction",
    "occupation_id",
    "isco_group_id",
)


def _profile_snapshot(member: Member) -> dict[str, Any]:
    """The versioned fields as JSON data (dates and coordinates as text)."""
    snapshot = {}
    for name in VERSIONED_FIELDS:
        value = comparable(member, name)
        snapshot[name] = (
            value if value is None or isinstance(value, bool | int | str | list) else str(value)
        )
    return snapshot


@transaction.atomic
def update_member(actor: Any, member: Member, changes: dict[str, Any]) -> Member:
    """Apply ``changes`` to a member's profile, keeping the previous state as a version."""
    locked = Member.objects.select_for_update().get(pk=member.pk)
    before = _profile_snapshot(locked)
    sensitive_before = {f: getattr(locked, f) for f in Member.SENSITIVE_FIELDS}
    for field, value in changes.items():
        setattr(locked, field, value)
    if "phone" in changes:
        locked.phone = normalise_phone(str(changes["phone"] or ""))
    locked.full_clean()
    after = _profile_snapshot(locked)
    changed = [f for f in VERSIONED_FIELDS if before[f] != after[f]]
    changed += [f for f in Member.SENSITIVE_FIELDS if getattr(locked, f) != sensitive_before[f]]
    if not changed:
        return locked
    number = (locked.versions.aggregate(n=models.Max("number"))["n"] or 0) + 1
    MemberVersion.objects.create(
        member=locked,
        number=number,
        saved_by=actor if getattr(actor, "pk", None) else None,
        data=before,
        changed=changed,
    )
    locked.save()
    return locked
