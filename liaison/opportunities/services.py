"""Writes and rules of opportunities. Services take an actor and domain objects, never a request.

Every function either does all it is asked or nothing: bad input raises ``ValidationError`` with
a message per field (nothing written), a missing right raises ``PermissionDenied`` with the
reason. Creates, changes and transitions reach the audit log through the model signals (see
``liaison.audit.receivers``); each transition also writes an ``OpportunityTransition`` row.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from liaison.accounts.permissions import check, raise_errors, require
from liaison.audit.models import AuditEvent
from liaison.audit.services import record
from liaison.opportunities.models import (
    DRAWING_STATUSES,
    Application,
    LabourAgreement,
    Modality,
    Opportunity,
    OpportunityLanguage,
    OpportunitySkill,
    OpportunityTransition,
    PackageItem,
    Programme,
    Quota,
    Status,
)
from liaison.opportunities.workflows import EDITABLE, STEPS
from liaison.registry.models import Member, Organisation, Purpose
from liaison.taxonomy.models import Skill
from liaison.taxonomy.reference import CefrLevel, currency_code, is_language


@dataclass(frozen=True)
class SkillNeed:
    """An ESCO skill asked for: required (``essential``) or desired."""

    skill: Skill
    essential: bool = True


@dataclass(frozen=True)
class LanguageNeed:
    """A language (ISO 639 code) asked for, at a minimum CEFR level."""

    language: str
    min_level: str
    mandatory: bool = True


@dataclass(frozen=True)
class PackageLine:
    """One item of the package: ``kind`` from ``PackageItem.Kind``, an amount in a currency."""

    kind: str
    amount: Decimal
    currency: str
    period: str = PackageItem.Period.ONCE
    note: str = ""


def short_date(value: datetime.date) -> str:
    """A date in messages, as the interface language writes it short (placements use it too)."""
    return str(formats.date_format(value, "SHORT_DATE_FORMAT"))


def backwards(what: str, starts: datetime.date | None, ends: datetime.date | None) -> str | None:
    """The message for dates that run backwards (``what``: "opportunity", "agreement" or
    "quota"), or None when they do not. Forms use it too, so both say the same."""
    if not starts or not ends or ends >= starts:
        return None
    dates = {"end": short_date(ends), "start": short_date(starts)}
    if what == "agreement":
        return _("The agreement ends (%(end)s) before it starts (%(start)s).") % dates
    if what == "quota":
        return _("The period ends (%(end)s) before it starts (%(start)s).") % dates
    return _("The end date (%(end)s) is before the start date (%(start)s).") % dates


def not_editable(opportunity: Opportunity) -> str:
    return _(
        "The opportunity is “%(status)s”: it can be changed only after it is returned for changes."
    ) % {"status": opportunity.get_status_display()}


# --- programmes, agreements and quotas --------------------------------------------------------


@transaction.atomic
def save_programme(actor: Any, programme: Programme) -> Programme:
    """Create or change a programme (officers and administrators whose scope covers it: a new
    programme's code must be in their scope, so in practice administrators create them)."""
    require(actor, "opportunities.manage", programme)
    if programme.pk:
        stored = Programme.objects.select_for_update().get(pk=programme.pk)
        require(actor, "opportunities.manage", stored)
        if stored.code != programme.code:
            raise ValidationError(
                {
                    "code": _(
                        "A programme's code names it in role grants and cannot change "
                        "(it is %(code)s)."
                    )
                    % {"code": stored.code}
                }
            )
        if stored.kind != programme.kind and stored.agreements.exists():
            raise ValidationError(
                {"kind": _("This programme has labour agreements; it stays a labour programme.")}
            )
    programme.full_clean()
    programme.save()
    return programme


@transaction.atomic
def save_agreement(actor: Any, agreement: LabourAgreement) -> LabourAgreement:
    """Create or change a labour agreement: its programme is a labour programme, its two
    countries differ and it ends after it starts; its quotas stay inside its validity."""
    errors: dict[str, list[str]] = {}
    if agreement.programme_id:
        require(actor, "opportunities.manage", agreement)
    else:
        require(actor, "opportunities.manage")
    if agreement.pk:
        stored = LabourAgreement.objects.select_for_update().get(pk=agreement.pk)
        require(actor, "opportunities.manage", stored)
    try:
        agreement.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if agreement.programme_id and agreement.programme.kind != Programme.Kind.LABOUR_AGREEMENT:
        errors.setdefault("programme", []).append(
            _("%(programme)s is not a labour agreement programme.")
            % {"programme": agreement.programme}
        )
    if agreement.origin_country and agreement.origin_country == agreement.destination_country:
        errors.setdefault("destination_country", []).append(
            _("The country of destination must differ from the country of origin.")
        )
    if problem := backwards("agreement", agreement.valid_from, agreement.valid_until):
        errors.setdefault("valid_until", []).append(problem)
    if agreement.pk and not errors:
        for quota in agreement.quotas.all():
            if quota.starts < agreement.valid_from or (
                agreement.valid_until and quota.ends > agreement.valid_until
            ):
                errors.setdefault("valid_from", []).append(
                    _("The quota %(quota)s would fall outside the agreement's dates.")
                    % {"quota": quota}
                )
    raise_errors(errors)
    agreement.save()
    return agreement


@transaction.atomic
def save_quota(actor: Any, quota: Quota) -> Quota:
    """Create or change a quota. Its period ends after it starts, lies within the agreement's
    validity and overlaps no other quota of the agreement for the same sector; its positions
    are not fewer than the job orders already draw."""
    # The agreement's row is the lock that keeps two overlapping quotas from being saved at once.
    agreement = LabourAgreement.objects.select_for_update().get(pk=quota.agreement_id)
    quota.agreement = agreement
    require(actor, "opportunities.manage", quota)
    errors: dict[str, list[str]] = {}
    try:
        quota.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if quota.starts and quota.ends:
        if problem := backwards("quota", quota.starts, quota.ends):
            errors.setdefault("ends", []).append(problem)
        else:
            if quota.starts < agreement.valid_from or (
                agreement.valid_until and quota.ends > agreement.valid_until
            ):
                errors.setdefault("starts", []).append(
                    _("The period must lie within the agreement's validity (%(range)s).")
                    % {
                        "range": f"{short_date(agreement.valid_from)} – "
                        + (short_date(agreement.valid_until) if agreement.valid_until else "…")
                    }
                )
            overlapping = (
                Quota.objects.filter(
                    agreement=agreement,
                    sector=quota.sector,
                    starts__lte=quota.ends,
                    ends__gte=quota.starts,
                )
                .exclude(pk=quota.pk)
                .order_by("starts")
                .first()
            )
            if overlapping is not None:
                errors.setdefault("starts", []).append(
                    _(
                        "The period overlaps the %(sector)s quota of this agreement from "
                        "%(start)s to %(end)s; a sector has one quota at a time."
                    )
                    % {
                        "sector": overlapping.get_sector_display(),
                        "start": short_date(overlapping.starts),
                        "end": short_date(overlapping.ends),
                    }
                )
    if quota.pk and not errors:
        stored = Quota.objects.select_for_update().get(pk=quota.pk)
        drawn = stored.drawn_positions()
        if stored.sector != quota.sector and stored.opportunities.exists():
            errors.setdefault("sector", []).append(
                _("Job orders draw on this quota; its sector cannot change.")
            )
        if quota.positions is not None and quota.positions < drawn:
            errors.setdefault("positions", []).append(
                _("Job orders already draw %(drawn)s positions; the quota cannot be lower.")
                % {"drawn": drawn}
            )
        late = stored.opportunities.filter(status__in=DRAWING_STATUSES).exclude(
            starts__range=(quota.starts, quota.ends)
        )
        if quota.starts and quota.ends and late.exists():
            errors.setdefault("ends", []).append(
                _("Job orders drawing on this quota start outside the new period.")
            )
    raise_errors(errors)
    quota.save()
    return quota


def draw_quota(quota: Quota, positions: int, *, exclude: Opportunity | None = None) -> Quota:
    """Lock the quota's row and check that ``positions`` more fit in it (``exclude``: the job
    order being changed, whose current positions are given back first). Call inside the
    transaction that saves the job order, so that the lock holds until it is written."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("draw_quota must run inside the transaction that saves the job order.")
    locked = Quota.objects.select_for_update().get(pk=quota.pk)
    drawn = locked.drawn_positions(exclude=exclude)
    left = locked.positions - drawn
    if positions > left:
        raise ValidationError(
            {
                "positions": _(
                    "The quota %(quota)s has %(left)s of %(total)s positions left "
                    "(%(drawn)s drawn by other job orders); %(asked)s asked."
                )
                % {
                    "quota": locked,
                    "left": max(left, 0),
                    "total": locked.positions,
                    "drawn": drawn,
                    "asked": positions,
                }
            }
        )
    return locked


# --- opportunities ----------------------------------------------------------------------------


def _check_opportunity(
    opportunity: Opportunity,
    skills: list[SkillNeed],
    languages: list[LanguageNeed],
    package: list[PackageLine],
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    try:
        opportunity.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    o = opportunity
    if problem := backwards("opportunity", o.starts, o.ends):
        add("ends", problem)
    elif o.starts and o.ends and o.duration_days:
        span = (o.ends - o.starts).days + 1
        if o.duration_days > span:
            add(
                "duration_days",
                _("%(days)s days of work do not fit in the %(span)s days between the dates.")
                % {"days": o.duration_days, "span": span},
            )
    if o.apply_by and o.ends and o.apply_by > o.ends:
        add("apply_by", _("Applications cannot close after the opportunity ends."))
    if not o.occupation_id and not o.isco_group_id:
        add("occupation", _("Choose an occupation, or an occupation group if none fits."))
    if (
        o.programme_id
        and not o.programme.active
        and (
            not o.pk or Opportunity.objects.filter(pk=o.pk).exclude(programme=o.programme).exists()
        )
    ):
        add("programme", _("%(p)s takes no new opportunities.") % {"p": o.programme})
    if o.host_id:
        host = o.host
        if host.kind == Organisation.Kind.HOST:
            o.kind = Opportunity.Kind.NEED
        elif host.kind == Organisation.Kind.EMPLOYER:
            o.kind = Opportunity.Kind.JOB_ORDER
        else:
            add(
                "host",
                _("%(org)s is a %(kind)s; opportunities come from host institutions or employers.")
                % {"org": host, "kind": host.get_kind_display().lower()},
            )
    if o.kind == Opportunity.Kind.NEED and o.host_id and not errors.get("host"):
        if o.quota_id:
            add("quota", _("Only job orders of employers abroad draw on a quota."))
        if o.modality == Modality.JOB_ABROAD:
            add("modality", _("A host institution's need is virtual, temporary or a return."))
        if o.programme_id and o.programme.kind != Programme.Kind.SKILLS_TRANSFER:
            add("programme", _("A host institution's need belongs to a skills transfer programme."))
    if o.kind == Opportunity.Kind.JOB_ORDER and o.host_id and not errors.get("host"):
        if o.modality and o.modality != Modality.JOB_ABROAD:
            add("modality", _("An employer's job order is a job abroad."))
        if not o.quota_id:
            add("quota", _("A job order draws on a quota of a labour agreement: choose one."))
        else:
            quota = o.quota
            assert quota is not None
            agreement = quota.agreement
            if o.programme_id and agreement.programme_id != o.programme_id:
                add(
                    "quota",
                    _("The quota belongs to %(agreement)s, which is not under %(programme)s.")
                    % {"agreement": agreement, "programme": o.programme},
                )
            if o.sector and o.sector != quota.sector:
                add(
                    "sector",
                    _("The quota is for %(quota)s; this job order is in %(mine)s.")
                    % {"quota": quota.get_sector_display(), "mine": o.get_sector_display()},
                )
            if o.starts and not quota.starts <= o.starts <= quota.ends:
                add(
                    "starts",
                    _("The job order starts outside the quota's period (%(start)s – %(end)s).")
                    % {"start": short_date(quota.starts), "end": short_date(quota.ends)},
                )
            if o.country and o.country != agreement.destination_country:
                add(
                    "country",
                    _("The agreement places workers in %(country)s.")
                    % {"country": agreement.destination_country.name},
                )
    seen_skills: set[int] = set()
    for need in skills:
        if need.skill.pk in seen_skills:
            add("skills", _("%(skill)s is listed twice.") % {"skill": need.skill})
        seen_skills.add(need.skill.pk)
    seen_languages: set[str] = set()
    for lang in languages:
        if not is_language(lang.language):
            add(
                "languages",
                _("“%(code)s” is not an ISO 639 language code.") % {"code": lang.language},
            )
        if lang.min_level not in CefrLevel.values:
            add(
                "languages",
                _("“%(level)s” is not a CEFR level (A1 to C2, or mother tongue).")
                % {"level": lang.min_level},
            )
        if lang.language in seen_languages:
            add("languages", _("%(code)s is listed twice.") % {"code": lang.language})
        seen_languages.add(lang.language)
    for number, line in enumerate(package, start=1):
        if line.kind not in PackageItem.Kind.values:
            add(
                "package",
                _("Item %(n)s: unknown kind “%(kind)s”.") % {"n": number, "kind": line.kind},
            )
        if line.amount is None or line.amount < 0:
            add(
                "package",
                _("Item %(n)s: the amount %(amount)s is negative.")
                % {"n": number, "amount": line.amount},
            )
        try:
            currency_code(line.currency)
        except ValidationError as error:
            for message in error.messages:
                add("package", _("Item %(n)s: %(problem)s") % {"n": number, "problem": message})
        if line.period not in PackageItem.Period.values:
            add(
                "package",
                _("Item %(n)s: unknown period “%(p)s”.") % {"n": number, "p": line.period},
            )
    return errors


@transaction.atomic
def save_opportunity(
    actor: Any,
    opportunity: Opportunity,
    *,
    skills: Iterable[SkillNeed] | None = None,
    languages: Iterable[LanguageNeed] | None = None,
    package: Iterable[PackageLine] | None = None,
) -> Opportunity:
    """Create (no pk) or change an opportunity with its skills, languages and package (each
    replaced when given, kept when ``None``).

    Host focal points change their institution's drafts; officers also submitted ones. A job
    order's positions are drawn from its quota here, under a lock on the quota's row.
    """
    creating = opportunity.pk is None
    if creating:
        require(actor, "opportunities.edit")
        opportunity.status = Status.DRAFT
        if getattr(actor, "pk", None):
            opportunity.created_by = actor
    else:
        stored = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
        require(actor, "opportunities.edit", stored)
        if stored.status not in EDITABLE:
            raise ValidationError(not_editable(stored))
        if stored.status == Status.SUBMITTED:
            require(actor, "opportunities.manage", stored)
        opportunity.status = stored.status  # steps change it, edits never do
    skill_list = list(skills) if skills is not None else None
    language_list = list(languages) if languages is not None else None
    package_list = list(package) if package is not None else None
    errors = _check_opportunity(
        opportunity,
        skill_list if skill_list is not None else _stored_skills(opportunity),
        language_list if language_list is not None else _stored_languages(opportunity),
        package_list if package_list is not None else [],
    )
    if not errors:
        decision = check(actor, "opportunities.edit", opportunity)
        if not decision:
            errors["host"] = [
                _("You may post opportunities only for the institutions and places in your scope.")
            ]
    raise_errors(errors)
    if opportunity.quota_id:
        assert opportunity.quota is not None
        draw_quota(opportunity.quota, opportunity.positions, exclude=opportunity)
    opportunity.save()
    if skill_list is not None:
        opportunity.skills.all().delete()
        OpportunitySkill.objects.bulk_create(
            OpportunitySkill(opportunity=opportunity, skill=s.skill, essential=s.essential)
            for s in skill_list
        )
    if language_list is not None:
        opportunity.languages.all().delete()
        OpportunityLanguage.objects.bulk_create(
            OpportunityLanguage(
                opportunity=opportunity,
                language=lang.language,
                min_level=lang.min_level,
                mandatory=lang.mandatory,
            )
            for lang in language_list
        )
    if package_list is not None:
        opportunity.package.all().delete()
        PackageItem.objects.bulk_create(
            PackageItem(
                opportunity=opportunity,
                kind=line.kind,
                amount=line.amount,
                currency=line.currency,
                period=line.period,
                note=line.note,
            )
            for line in package_list
        )
    # bulk_create sends no signal: one event says what the lists became.
    replaced: dict[str, Any] = {}
    if skill_list is not None:
        replaced["skills"] = [[s.skill.pk, s.essential] for s in skill_list]
    if language_list is not None:
        replaced["languages"] = [[lg.language, lg.min_level, lg.mandatory] for lg in language_list]
    if package_list is not None:
        replaced["package"] = [[p.kind, str(p.amount), p.currency, p.period] for p in package_list]
    if replaced:
        record(
            AuditEvent.Action.UPDATE,
            opportunity,
            actor=actor,
            changes=replaced,
            reason="skills, languages or package replaced",
        )
    return opportunity


def _stored_skills(opportunity: Opportunity) -> list[SkillNeed]:
    if not opportunity.pk:
        return []
    return [SkillNeed(s.skill, s.essential) for s in opportunity.skills.select_related("skill")]


def _stored_languages(opportunity: Opportunity) -> list[LanguageNeed]:
    if not opportunity.pk:
        return []
    return [LanguageNeed(x.language, x.min_level, x.mandatory) for x in opportunity.languages.all()]


@transaction.atomic
def transition(actor: Any, opportunity: Opportunity, step: str, *, reason: str = "") -> Opportunity:
    """Take one workflow step (``workflows.STEPS``): check the table and the actor's right on
    the opportunity, lock its row, move it and write the transition's row."""
    try:
        definition = STEPS[step]
    except KeyError:
        raise ValidationError(
            _("“%(step)s” is not a step of this workflow.") % {"step": step}
        ) from None
    locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    require(actor, definition.action, locked)
    if locked.status not in definition.sources:
        raise ValidationError(
            _("The opportunity is “%(status)s”: “%(step)s” cannot be taken from there.")
            % {"status": locked.get_status_display(), "step": definition.label}
        )
    reason = reason.strip()
    if definition.needs_reason and not reason:
        raise ValidationError({"reason": _("Say why: the host institution will read it.")})
    if step == "submit" and not locked.skills.exists():
        raise ValidationError(
            {"skills": _("Name at least one skill before submitting: matching needs it.")}
        )
    if step == "publish" and locked.apply_by and locked.apply_by < timezone.localdate():
        raise ValidationError(
            {
                "apply_by": _("Applications closed on %(d)s; move the date before publishing.")
                % {"d": short_date(locked.apply_by)}
            }
        )
    before = locked.status
    now = timezone.now()
    fields = ["status", "updated_at"]
    locked.status = definition.target
    if step == "validate":
        locked.validated_by = actor
        locked.validated_at = now
        fields += ["validated_by", "validated_at"]
    elif step == "publish":
        locked.published_at = now
        fields.append("published_at")
    elif step == "close":
        locked.closed_at = now
        fields.append("closed_at")
    elif step == "return":
        locked.validated_by = None
        locked.validated_at = None
        fields += ["validated_by", "validated_at"]
    locked.save(update_fields=fields)
    OpportunityTransition.objects.create(
        opportunity=locked,
        name=step,
        from_status=before,
        to_status=definition.target,
        actor=actor if getattr(actor, "pk", None) else None,
        reason=reason,
    )
    return locked


def submit(actor: Any, opportunity: Opportunity) -> Opportunity:
    return transition(actor, opportunity, "submit")


def validate(actor: Any, opportunity: Opportunity) -> Opportunity:
    return transition(actor, opportunity, "validate")


def publish(actor: Any, opportunity: Opportunity) -> Opportunity:
    return transition(actor, opportunity, "publish")


def close(actor: Any, opportunity: Opportunity) -> Opportunity:
    return transition(actor, opportunity, "close")


def cancel(actor: Any, opportunity: Opportunity, reason: str) -> Opportunity:
    return transition(actor, opportunity, "cancel", reason=reason)


def return_for_changes(actor: Any, opportunity: Opportunity, reason: str) -> Opportunity:
    return transition(actor, opportunity, "return", reason=reason)


# --- applications and invitations -------------------------------------------------------------


def _consents_to_matching(member: Member) -> bool:
    return Member.objects.consenting(Purpose.MATCHING).filter(pk=member.pk).exists()


@transaction.atomic
def apply(
    actor: Any, opportunity: Opportunity, member: Member, *, message: str = ""
) -> Application:
    """A member applies to a published opportunity (or accepts an officer's invitation). Only
    their own profile, only with their consent to matching, only while applications are open."""
    require(actor, "opportunities.apply")
    if member.user_id is None or member.user_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Members apply for themselves only."))
    locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if locked.status != Status.PUBLISHED:
        raise ValidationError(_("This opportunity is not open for applications."))
    if locked.apply_by and locked.apply_by < timezone.localdate():
        raise ValidationError(
            _("Applications closed on %(d)s.") % {"d": short_date(locked.apply_by)}
        )
    if not _consents_to_matching(member):
        raise ValidationError(
            _(
                "Applying shares your profile with the programme: first agree to “Matching "
                "with opportunities” in your consents."
            )
        )
    message = message.strip()
    existing = (
        Application.objects.select_for_update().filter(opportunity=locked, member=member).first()
    )
    if existing is not None:
        if existing.accepted_at is not None:
            raise ValidationError(_("You have already applied to this opportunity."))
        existing.accepted_at = timezone.now()
        if message:
            existing.message = message
        existing.full_clean()
        existing.save(update_fields=["accepted_at", "message"])
        return existing
    application = Application(
        opportunity=locked,
        member=member,
        origin=Application.Origin.APPLIED,
        message=message,
        created_by=actor,
        accepted_at=timezone.now(),
    )
    application.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        raise ValidationError(_("You have already applied to this opportunity.")) from None
    return application


@transaction.atomic
def invite(
    actor: Any, opportunity: Opportunity, member: Member, *, message: str = ""
) -> Application:
    """An officer invites a member (in their scope, consenting to matching) to apply to a
    validated or published opportunity in their scope."""
    require(actor, "opportunities.invite", opportunity)
    if not check(actor, "registry.view_member", member):
        raise PermissionDenied(_("This member is outside your scope."))
    locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if locked.status not in (Status.VALIDATED, Status.PUBLISHED):
        raise ValidationError(
            _("Invitations go out for validated or published opportunities; this one is %(s)s.")
            % {"s": locked.get_status_display().lower()}
        )
    if not _consents_to_matching(member):
        raise ValidationError(
            _("%(name)s has not agreed to be matched with opportunities.")
            % {"name": member.display_name}
        )
    existing = Application.objects.filter(opportunity=locked, member=member).first()
    if existing is not None:
        raise ValidationError(
            _("%(name)s has already %(origin)s.")
            % {
                "name": member.display_name,
                "origin": _("applied")
                if existing.origin == Application.Origin.APPLIED
                else _("been invited"),
            }
        )
    application = Application(
        opportunity=locked,
        member=member,
        origin=Application.Origin.INVITED,
        message=message.strip(),
        created_by=actor,
    )
    application.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        raise ValidationError(
            _("%(name)s has already been invited.") % {"name": member.display_name}
        ) from None
    return application
