"""Programmes, labour agreements with their quotas, and the opportunities posted under them.

An *opportunity* is either a **need** of a host institution in the country of origin (a
hospital, university, ministry or firm asking for diaspora skills, MIDA/TRQN-style) or a **job
order** of an employer in a country of destination under a bilateral labour agreement, which
draws positions from one of the agreement's quotas. Officers validate and publish them; the
public portal lists the published ones; members apply and officers invite (``Application``).

Writes and rules live in ``services.py``; the workflow's table in ``workflows.py``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from liaison.core.validators import no_markup
from liaison.registry.models import Member, Organisation
from liaison.taxonomy.models import IscoGroup, Occupation, Skill
from liaison.taxonomy.reference import (
    CefrLevel,
    IscedLevel,
    currency_code,
    is_language,
)

__all__ = ["currency_code"]  # the validator's old home, named by migrations

# Sectors are the registry's (an organisation's sectors, an opportunity's, a quota's).
Sector = Organisation.Sector


def language_code(value: str) -> None:
    """An ISO 639 language code as the registry stores it (639-1, else 639-3)."""
    if not is_language(value):
        raise ValidationError(
            _("“%(code)s” is not an ISO 639 language code (e.g. en, fr, tl)."),
            params={"code": value},
            code="language",
        )


class Programme(models.Model):
    """A programme that opportunities are posted under (a MIDA- or TRQN-style skills transfer
    programme, or the labour mobility programme of a bilateral agreement).

    ``code`` is the value of a ``programme`` scope in role grants. Eligibility is kept to plain,
    documented fields that the matching engine and shortlists read:

    - ``min_years_abroad``: members must have lived abroad at least this many years (a
      returnee programme's rule); empty means no such rule.
    - ``min_share_women``: a shortlist sent to a host should hold at least this share of women,
      in percent (the programmes report ~20-25%); empty means no target.
    """

    permission_scope_fields = {"programme": "code"}

    class Kind(models.TextChoices):
        SKILLS_TRANSFER = "skills_transfer", _("Skills transfer (MIDA, TRQN)")
        LABOUR_AGREEMENT = "labour_agreement", _("Bilateral labour agreement")

    name = models.CharField(_("name"), max_length=200, validators=[no_markup])
    code = models.SlugField(
        _("code"),
        max_length=64,
        unique=True,
        help_text=_("A short identifier (letters, digits, hyphens), used in role grants."),
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True, validators=[no_markup])
    # Explicit upper bounds: the same on every database (and so in the API schema).
    min_years_abroad = models.PositiveSmallIntegerField(
        _("minimum years abroad"), null=True, blank=True, validators=[MaxValueValidator(80)]
    )
    min_share_women = models.PositiveSmallIntegerField(
        _("minimum share of women on shortlists (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )
    active = models.BooleanField(_("open for new opportunities"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_share_women__isnull=True)
                | models.Q(min_share_women__lte=100),
                name="programme_share_of_women_is_a_percentage",
            )
        ]

    def __str__(self) -> str:
        return self.name


class LabourAgreement(models.Model):
    """A bilateral labour agreement between the country of origin and a country of
    destination, run as (part of) a programme."""

    permission_scope_fields = {"programme": "programme__code"}

    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("programme"),
    )
    name = models.CharField(_("name"), max_length=200, validators=[no_markup])
    origin_country = CountryField(_("country of origin"))
    destination_country = CountryField(_("country of destination"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Empty while it has no end date.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_from", "pk"]
        verbose_name = _("labour agreement")
        verbose_name_plural = _("labour agreements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="agreement_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class QuotaQuerySet(models.QuerySet["Quota"]):
    def with_drawn(self) -> QuotaQuerySet:
        """Each quota with ``drawn``: the positions of the job orders that draw on it."""
        return self.annotate(
            drawn=Coalesce(
                models.Sum(
                    "opportunities__positions",
                    filter=models.Q(opportunities__status__in=DRAWING_STATUSES),
                ),
                0,
            )
        )


class Quota(models.Model):
    """How many workers an agreement admits in one sector over one period.

    The positions drawn are not stored: they are the sum of the positions of the job orders
    attached to the quota, except cancelled ones (``Quota.objects.with_drawn()``). Two quotas of
    one agreement and sector never overlap in time (checked by ``services.save_quota``).
    """

    permission_scope_fields = {"programme": "agreement__programme__code"}

    agreement = models.ForeignKey(
        LabourAgreement,
        on_delete=models.CASCADE,
        related_name="quotas",
        verbose_name=_("agreement"),
    )
    sector = models.CharField(_("sector"), max_length=16, choices=Sector.choices)
    starts = models.DateField(_("period from"))
    ends = models.DateField(_("period until"))
    positions = models.PositiveIntegerField(
        _("positions"), validators=[MaxValueValidator(1_000_000)]
    )

    objects = QuotaQuerySet.as_manager()

    class Meta:
        ordering = ["agreement", "sector", "starts"]
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        indexes = [
            models.Index(fields=["agreement", "sector", "starts"], name="quota_period_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gte=models.F("starts")),
                name="quota_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} · {self.get_sector_display()} · {self.starts} – {self.ends}"

    def drawn_positions(self, *, exclude: Opportunity | None = None) -> int:
        """The positions job orders draw from this quota (``exclude``: one being edited)."""
        rows = self.opportunities.filter(status__in=DRAWING_STATUSES)
        if exclude is not None and exclude.pk:
            rows = rows.exclude(pk=exclude.pk)
        total = rows.aggregate(total=models.Sum("positions"))["total"]
        return int(total or 0)


class Modality(models.TextChoices):
    """The registry's ways of contributing (same values), plus a job abroad."""

    VIRTUAL = "virtual", _("Virtual")
    TEMPORARY = "temporary", _("Temporary, on site")
    PERMANENT = "permanent", _("Permanent return")
    JOB_ABROAD = "job_abroad", _("Job abroad")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for validation")
    VALIDATED = "validated", _("Validated")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# A job order draws on its quota in every state but cancelled (a closed one filled its places).
DRAWING_STATUSES = (
    Status.DRAFT,
    Status.SUBMITTED,
    Status.VALIDATED,
    Status.PUBLISHED,
    Status.CLOSED,
)


class OpportunityQuerySet(models.QuerySet["Opportunity"]):
    def published(self) -> OpportunityQuerySet:
        return self.filter(status=Status.PUBLISHED)

    def search(self, text: str) -> OpportunityQuerySet:
        """Title, occupation or occupation group containing ``text`` (any case)."""
        needle = text.strip()
        if not needle:
            return self
        return self.filter(
            models.Q(title__icontains=needle)
            | models.Q(occupation__label__icontains=needle)
            | models.Q(isco_group__label__icontains=needle)
        )


class Opportunity(models.Model):
    """A need of a host institution or a job order of an employer abroad."""

    # Officers see the opportunities of their countries (where the work is) and programmes;
    # a host focal point those of their institution (the organisation's id).
    permission_scope_fields = {
        "country": "country",
        "programme": "programme__code",
        "institution": "host_id",
    }

    class Kind(models.TextChoices):
        NEED = "need", _("Need of a host institution")
        JOB_ORDER = "job_order", _("Job order under a labour agreement")

    Status = Status
    Modality = Modality

    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.NEED)
    host = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="opportunities",
        verbose_name=_("host institution or employer"),
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="opportunities",
        verbose_name=_("programme"),
    )
    quota = models.ForeignKey(
        Quota,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opportunities",
        verbose_name=_("quota drawn on"),
    )
    title = models.CharField(_("title"), max_length=200, validators=[no_markup])
    terms_of_reference = models.TextField(_("terms of reference"), validators=[no_markup])
    occupation = models.ForeignKey(
        Occupation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("occupation (ESCO)"),
        db_index=False,  # opportunity_occupation_idx starts with it
    )
    isco_group = models.ForeignKey(
        IscoGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("occupation group (ISCO-08)"),
        help_text=_("Filled from the occupation; pick a group only when no occupation fits."),
        db_index=False,  # opportunity_isco_idx starts with it
    )
    education_level = models.CharField(
        _("minimum education (ISCED 2011)"),
        max_length=1,
        choices=IscedLevel.choices,
        blank=True,
    )
    years_experience = models.PositiveSmallIntegerField(
        _("years of experience"), default=0, validators=[MaxValueValidator(60)]
    )
    modality = models.CharField(_("modality"), max_length=12, choices=Modality.choices)
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=120, blank=True, validators=[no_markup])
    starts = models.DateField(_("starts"))
    ends = models.DateField(_("ends"), null=True, blank=True, help_text=_("Empty if open-ended."))
    duration_days = models.PositiveIntegerField(
        _("duration (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3660)],
        help_text=_("Days of work within the dates, when shorter than the whole period."),
    )
    apply_by = models.DateField(
        _("applications until"),
        null=True,
        blank=True,
        help_text=_("Empty: members may apply while it is published."),
    )
    positions = models.PositiveSmallIntegerField(
        _("positions"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )
    sector = models.CharField(_("sector"), max_length=16, choices=Sector.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [
            # What the matching engine and the portal filter on.
            models.Index(fields=["status", "modality", "starts"], name="opportunity_status_idx"),
            models.Index(fields=["status", "country"], name="opportunity_country_idx"),
            models.Index(fields=["status", "-published_at"], name="opportunity_published_idx"),
            models.Index(fields=["occupation", "status"], name="opportunity_occupation_idx"),
            models.Index(fields=["isco_group", "status"], name="opportunity_isco_idx"),
            models.Index(fields=["starts", "ends"], name="opportunity_dates_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__isnull=True) | models.Q(ends__gte=models.F("starts")),
                name="opportunity_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(positions__gte=1), name="opportunity_has_a_position"
            ),
            models.CheckConstraint(
                condition=models.Q(duration_days__isnull=True) | models.Q(duration_days__gte=1),
                name="opportunity_duration_is_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="job_order", quota__isnull=False)
                | models.Q(kind="need", quota__isnull=True),
                name="opportunity_job_orders_draw_on_a_quota",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.set_derived()
        fields = kwargs.get("update_fields")
        if fields is not None and ("occupation" in fields or "occupation_id" in fields):
            kwargs["update_fields"] = {*fields, "isco_group"}
        super().save(*args, **kwargs)

    def set_derived(self) -> None:
        """The occupation group follows the ESCO occupation when it has one (as a member's)."""
        if self.occupation_id and self.occupation and self.occupation.isco_group_id:
            self.isco_group_id = self.occupation.isco_group_id

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED


class OpportunitySkill(models.Model):
    """An ESCO skill the opportunity asks for: required (essential) or desired."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, related_name="+", verbose_name=_("skill")
    )
    essential = models.BooleanField(
        _("required"), default=True, help_text=_("Required, rather than desired.")
    )

    class Meta:
        ordering = ["-essential", "skill__label"]
        indexes = [models.Index(fields=["skill", "opportunity"], name="opportunity_skill_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "skill"], name="unique_opportunity_skill"
            )
        ]

    def __str__(self) -> str:
        return str(self.skill)


class OpportunityLanguage(models.Model):
    """A language the opportunity asks for, with its minimum CEFR level."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(_("language (ISO 639)"), max_length=3, validators=[language_code])
    min_level = models.CharField(_("minimum level (CEFR)"), max_length=6, choices=CefrLevel.choices)
    mandatory = models.BooleanField(
        _("mandatory"), default=True, help_text=_("Mandatory, rather than an advantage.")
    )

    class Meta:
        ordering = ["-mandatory", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "language"], name="unique_opportunity_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.language} {self.min_level}"


class PackageItem(models.Model):
    """One part of what the opportunity offers (or pays the employer): an amount in a currency."""

    class Kind(models.TextChoices):
        TRAVEL = "travel", _("Travel")
        PER_DIEM = "per_diem", _("Per diem")
        STIPEND = "stipend", _("Stipend")
        SALARY = "salary", _("Salary")
        SALARY_SUBSIDY = "salary_subsidy", _("Salary subsidy to the employer")
        EQUIPMENT = "equipment", _("Professional equipment")
        FAMILY_ALLOWANCE = "family_allowance", _("Spouse or family allowance")
        OTHER = "other", _("Other")

    class Period(models.TextChoices):
        ONCE = "once", _("once")
        DAY = "day", _("per day")
        MONTH = "month", _("per month")
        YEAR = "year", _("per year")

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="package")
    kind = models.CharField(_("item"), max_length=16, choices=Kind.choices)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency (ISO 4217)"), max_length=3, validators=[currency_code])
    period = models.CharField(_("paid"), max_length=5, choices=Period.choices, default=Period.ONCE)
    note = models.CharField(_("note"), max_length=200, blank=True, validators=[no_markup])

    class Meta:
        ordering = ["pk"]
        verbose_name = _("package item")
        verbose_name_plural = _("package")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="package_amount_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount} {self.currency}"


class Application(models.Model):
    """A member's interest in an opportunity: applied by the member or invited by an officer.

    One row per opportunity and member. An invited member who then applies accepts the
    invitation (``accepted_at``); an application is accepted from the start. The selection that
    follows (shortlist, committee, placement) belongs to the placements app.
    """

    permission_scope_fields = {
        "country": "opportunity__country",
        "programme": "opportunity__programme__code",
        "institution": "opportunity__host_id",
    }
    audit_values = False  # a person's choices: the log names the fields only

    class Origin(models.TextChoices):
        APPLIED = "applied", _("Applied")
        INVITED = "invited", _("Invited")

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="applications"
    )
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="applications")
    origin = models.CharField(_("origin"), max_length=8, choices=Origin.choices)
    message = models.TextField(_("message"), blank=True, validators=[no_markup])
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted by the member at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [models.Index(fields=["member", "-created_at"], name="application_member_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "member"], name="unique_application_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"member #{self.member_id} → {self.opportunity_id} ({self.origin})"


class OpportunityTransition(models.Model):
    """One step of an opportunity's workflow: who moved it from which state to which, and why."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="transitions"
    )
    name = models.CharField(_("step"), max_length=16)
    from_status = models.CharField(_("from"), max_length=10, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("opportunity transition")
        verbose_name_plural = _("opportunity transitions")

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_status} → {self.to_status}"
