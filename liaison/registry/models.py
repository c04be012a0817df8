"""The diaspora registry: members and organisations.

This is the foundation's first cut (what demo data, scoping and audit need); the registry issue
extends it with consents, contacts, education history, availability and interests.
"""

from __future__ import annotations

from typing import Any

from anyascii import anyascii
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from liaison.core.fields import EncryptedTextField
from liaison.core.validators import no_markup
from liaison.taxonomy.models import IscoGroup, Occupation, Skill, SkillGroup
from liaison.taxonomy.reference import CefrLevel, IscedLevel


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNDISCLOSED = "undisclosed", _("Prefers not to say")


def latin(text: str) -> str:
    """A Latin transliteration for search ("Мария" -> "Mariya", "محمد" -> "mhmd")."""
    return " ".join(anyascii(text).split())


def comparable(obj: models.Model, name: str) -> Any:
    """A field's value as it is compared and copied: country fields as ISO codes (a list of them
    for a multiple country field), every other field as it is."""
    value = getattr(obj, name)
    field = obj._meta.get_field(name)
    if isinstance(field, CountryField):
        if field.multiple:
            return [c.code for c in value]
        return value.code or ""
    return value


# The fields of a person's profile that imports, edits, versions, merges and the API share.
PROFILE_FIELDS = (
    "given_name",
    "family_name",
    "latin_name",
    "sex",
    "birth_date",
    "nationalities",
    "country_of_residence",
    "city",
    "email",
    "phone",
    "education_level",
)


class MemberQuerySet(models.QuerySet["Member"]):
    def search(self, text: str) -> MemberQuerySet:
        needle = latin(text).lower().strip()
        if not needle:
            return self
        return self.filter(search_name__contains=needle)

    def consenting(self, purpose: str, channel: str = "") -> MemberQuerySet:
        """Members whose latest decision for ``purpose`` (and ``channel``) is a consent."""
        latest = (
            Consent.objects.filter(member=models.OuterRef("pk"), purpose=purpose, channel=channel)
            .order_by("-recorded_at", "-pk")
            .values("granted")[:1]
        )
        return self.annotate(_consent=models.Subquery(latest)).filter(_consent=True)


class Member(models.Model):
    """A person of the diaspora who registered or was registered."""

    permission_scope_fields = {"country": "country_of_residence"}
    # Shown only to roles allowed "registry.view_sensitive"; never written to the audit log.
    SENSITIVE_FIELDS = ("residence_status", "id_document_number")
    # The audit log says which fields changed, never their values (see services.ERASURE_RULE).
    audit_values = False

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member_profile",
    )
    external_id = models.CharField(
        _("identifier in the source"),
        max_length=100,
        null=True,
        blank=True,
        unique=True,
        help_text=_("The record's identifier in the file it was imported from (e.g. Kobo _uuid)."),
    )
    given_name = models.CharField(_("given name"), max_length=150, validators=[no_markup])
    family_name = models.CharField(
        _("family name"), max_length=150, blank=True, validators=[no_markup]
    )
    latin_name = models.CharField(
        _("name in Latin letters"),
        max_length=300,
        blank=True,
        validators=[no_markup],
        help_text=_("How the name is written in Latin letters, if it is written otherwise."),
    )
    search_name = models.CharField(max_length=320, editable=False, db_index=True)
    sex = models.CharField(_("sex"), max_length=12, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    nationalities = CountryField(_("nationalities"), multiple=True, blank=True)
    country_of_residence = CountryField(_("country of residence"))
    city = models.CharField(_("city"), max_length=120, blank=True, validators=[no_markup])
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    consular_jurisdiction = models.CharField(_("consular jurisdiction"), max_length=120, blank=True)
    email = models.EmailField(_("email"), blank=True)
    email_verified = models.BooleanField(_("email verified"), default=False)
    phone = models.CharField(_("phone (E.164)"), max_length=20, blank=True)
    residence_status = EncryptedTextField(_("residence status"), blank=True)
    id_document_number = EncryptedTextField(_("passport or ID number"), blank=True)
    education_level = models.CharField(
        _("education level (ISCED 2011)"), max_length=1, choices=IscedLevel.choices, blank=True
    )
    occupation = models.ForeignKey(
        Occupation, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("occupation")
    )
    isco_group = models.ForeignKey(
        IscoGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("occupation group (ISCO-08)"),
        db_index=False,  # member_isco_idx below
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name", "pk"]
        indexes = [
            # The list's order, so that a first page is read off the index, not sorted.
            models.Index(fields=["family_name", "given_name", "id"], name="member_order_idx"),
            models.Index(fields=["birth_date"], name="member_birth_date_idx"),
            models.Index(fields=["education_level"], name="member_education_idx"),
            # Officers work within a country: its members by sex, age and education are read
            # from this index alone, without visiting the table.
            # Searches read ids off these two without visiting the table (``id`` last).
            models.Index(
                fields=["country_of_residence", "sex", "birth_date", "education_level", "id"],
                name="member_demography_idx",
            ),
            models.Index(fields=["isco_group", "id"], name="member_isco_idx"),
        ]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.set_derived()
        fields = kwargs.get("update_fields")
        if fields is not None:
            fields = set(fields)
            if fields & {"given_name", "family_name", "latin_name"}:
                fields.add("search_name")
            if "occupation" in fields or "occupation_id" in fields:
                fields.add("isco_group")
            kwargs["update_fields"] = fields
        super().save(*args, **kwargs)

    def set_derived(self, groups: dict[int, Any] | None = None) -> None:
        """Fields kept from others (see ``group_of``): the search name from the names, and the
        occupation group from the ESCO occupation. ``groups`` (occupation -> group) spares the
        lookup when many members are written at once."""
        self.search_name = self.compute_search_name(
            self.given_name, self.family_name, self.latin_name
        )
        if self.occupation_id:
            if groups is None:
                groups = (
                    {self.occupation_id: self.occupation.isco_group_id} if self.occupation else {}
                )
            self.isco_group_id = self.group_of(self.occupation_id, self.isco_group_id, groups)

    @staticmethod
    def group_of(occupation_id: int | None, picked: int | None, groups: dict[int, Any]) -> Any:
        """A member's occupation group: their ESCO occupation's when it has one (the member picks
        a group only when no occupation fits), so that searching by group reads one indexed
        column."""
        return (groups.get(occupation_id) if occupation_id else None) or picked

    def has_consent(self, purpose: str, channel: str = "") -> bool:
        latest = (
            self.consents.filter(purpose=purpose, channel=channel)
            .order_by("-recorded_at", "-pk")
            .values_list("granted", flat=True)
            .first()
        )
        return bool(latest)

    @property
    def audit_label(self) -> str:
        return f"member #{self.pk}"

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @staticmethod
    def compute_search_name(given: str, family: str, latin_name: str = "") -> str:
        """Names as written and in Latin letters, transliterated and lower-cased for search."""
        text = latin(f"{given} {family}").lower()
        extra = latin(latin_name).lower()
        if extra and extra != text:
            text = f"{text} | {extra}"
        return text[:320]


class SkillLevel(models.TextChoices):
    BASIC = "basic", _("Basic")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")
    EXPERT = "expert", _("Expert")


class MemberVersion(models.Model):
    """The profile as it was before an edit: the record's version history.

    Sensitive fields are never copied here; a version only notes that they changed. Versions
    are deleted with the member (erasure).
    """

    audit_values = False

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    saved_at = models.DateTimeField(_("saved at"), auto_now_add=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(_("profile before the change"))
    changed = models.JSONField(_("fields changed"), default=list)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("profile version")
        verbose_name_plural = _("profile versions")
        constraints = [
            models.UniqueConstraint(fields=["member", "number"], name="unique_member_version")
        ]

    def __str__(self) -> str:
        return f"member #{self.member_id} v{self.number}"


class MemberSkill(models.Model):
    audit_values = False

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("level"), max_length=12, choices=SkillLevel.choices, blank=True)
    years = models.PositiveSmallIntegerField(_("years of practice"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "skill"], name="unique_member_skill")
        ]

    def __str__(self) -> str:
        return str(self.skill)


class MemberLanguage(models.Model):
    audit_values = False

    member = models.ForeignKey(
        Member,
        on_delete=models.CASCADE,
        related_name="languages",
        db_index=False,  # member_language_level_idx starts with it
    )
    language = models.CharField(_("language (ISO 639)"), max_length=3)
    level = models.CharField(_("level (CEFR)"), max_length=6, choices=CefrLevel.choices)

    class Meta:
        indexes = [
            models.Index(fields=["language", "level", "member"], name="member_language_idx"),
            # A member's level in a language, read from the index alone when a search checks
            # thousands of members.
            models.Index(fields=["member", "language", "level"], name="member_language_level_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["member", "language"], name="unique_member_language")
        ]

    def __str__(self) -> str:
        return f"{self.language} {self.level}"


class Education(models.Model):
    audit_values = False

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="education")
    level = models.CharField(_("level (ISCED 2011)"), max_length=1, choices=IscedLevel.choices)
    field = models.ForeignKey(
        SkillGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("field of study (ISCED-F)"),
    )
    field_text = models.CharField(_("field of study, as written"), max_length=200, blank=True)
    institution = models.CharField(_("institution"), max_length=200, blank=True)
    country = CountryField(_("country"), blank=True)
    year = models.PositiveSmallIntegerField(_("year completed"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "pk"]
        verbose_name = _("education")
        verbose_name_plural = _("education")

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.field_text or self.field or ''}".strip()


class WorkExperience(models.Model):
    audit_values = False

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="work_history")
    title = models.CharField(_("job title"), max_length=200)
    occupation = models.ForeignKey(
        Occupation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    country = CountryField(_("country"), blank=True)
    start_year = models.PositiveSmallIntegerField(_("from (year)"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(
        _("until (year)"), null=True, blank=True, help_text=_("Empty while it lasts.")
    )

    class Meta:
        ordering = ["-start_year", "pk"]
        verbose_name = _("work experience")
        verbose_name_plural = _("work history")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__isnull=True)
                | models.Q(start_year__isnull=True)
                | models.Q(end_year__gte=models.F("start_year")),
                name="work_experience_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.employer})" if self.employer else self.title


class Modality(models.TextChoices):
    VIRTUAL = "virtual", _("Virtual")
    TEMPORARY = "temporary", _("Temporary, on site")
    PERMANENT = "permanent", _("Permanent return")


class Availability(models.Model):
    """A way and, optionally, a period in which the member is available to contribute."""

    audit_values = False

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="availability")
    modality = models.CharField(_("modality"), max_length=10, choices=Modality.choices)
    starts = models.DateField(_("from"), null=True, blank=True)
    ends = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["modality", "starts"]
        verbose_name = _("availability")
        verbose_name_plural = _("availability")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__isnull=True)
                | models.Q(starts__isnull=True)
                | models.Q(ends__gte=models.F("starts")),
                name="availability_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.get_modality_display()


class Interest(models.TextChoices):
    SKILLS_TRANSFER = "skills_transfer", _("Skills transfer")
    INVESTMENT = "investment", _("Investment")
    PHILANTHROPY = "philanthropy", _("Philanthropy")
    VOLUNTEERING = "volunteering", _("Volunteering")
    MENTORING = "mentoring", _("Mentoring")
    BUSINESS = "business", _("Business")
    RETURN = "return", _("Return")


class MemberInterest(models.Model):
    audit_values = False

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="interests")
    interest = models.CharField(_("interest"), max_length=16, choices=Interest.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "interest"], name="unique_member_interest")
        ]

    def __str__(self) -> str:
        return self.get_interest_display()


class Purpose(models.TextChoices):
    """What a person's data may be used for; each needs its own consent."""

    REGISTRY = "registry", _("Being registered")
    MATCHING = "matching", _("Matching with opportunities")
    OUTREACH = "outreach", _("News and invitations")
    RESEARCH = "research", _("Research and statistics")
    CRISIS = "crisis", _("Contact in a crisis")


class Channel(models.TextChoices):
    NONE = "", _("—")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    PHONE = "phone", _("Phone call")
    POST = "post", _("Post")


class Consent(models.Model):
    """One recorded decision: granted or withdrawn, for a purpose (and channel), under a notice.

    Rows are never changed: the latest row for a member, purpose and channel is the current
    decision, and the earlier ones are its history.
    """

    audit_values = False

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    channel = models.CharField(
        _("channel"), max_length=5, choices=Channel.choices, blank=True, default=""
    )
    granted = models.BooleanField(_("granted"))
    notice_version = models.CharField(_("privacy notice version"), max_length=20)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True, db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(_("source"), max_length=20, default="web")

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [
            models.Index(
                fields=["member", "purpose", "channel", "-recorded_at"], name="consent_idx"
            )
        ]

    def __str__(self) -> str:
        state = _("granted") if self.granted else _("withdrawn")
        return f"{self.get_purpose_display()} {self.channel} {state}".replace("  ", " ")


class Organisation(models.Model):
    """A diaspora organisation, host institution or employer."""

    permission_scope_fields = {"country": "country"}

    class Kind(models.TextChoices):
        ASSOCIATION = "association", _("Association")
        HOMETOWN = "hometown", _("Hometown association")
        PROFESSIONAL = "professional", _("Professional network")
        BUSINESS = "business", _("Business")
        NGO = "ngo", _("NGO")
        HOST = "host", _("Host institution")
        EMPLOYER = "employer", _("Employer")

    class Verification(models.TextChoices):
        UNVERIFIED = "unverified", _("Not verified")
        PENDING = "pending", _("Verification requested")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    class Sector(models.TextChoices):
        HEALTH = "health", _("Health")
        EDUCATION = "education", _("Education and research")
        AGRICULTURE = "agriculture", _("Agriculture and food")
        ICT = "ict", _("Information technology")
        FINANCE = "finance", _("Finance and investment")
        ENGINEERING = "engineering", _("Engineering and construction")
        PUBLIC = "public", _("Public administration")
        TRADE = "trade", _("Trade and business")
        CULTURE = "culture", _("Culture and community")
        HUMANITARIAN = "humanitarian", _("Humanitarian and social work")

    external_id = models.CharField(
        _("identifier in the source"), max_length=100, null=True, blank=True, unique=True
    )
    name = models.CharField(_("name"), max_length=200, validators=[no_markup])
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    country = CountryField(_("country of seat"), db_index=True)
    countries = CountryField(_("countries of activity"), multiple=True, blank=True)
    sectors = models.JSONField(_("sectors"), default=list, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True, validators=[no_markup])
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone (E.164)"), max_length=20, blank=True)
    website = models.URLField(_("website"), blank=True)
    verification = models.CharField(
        _("verification"),
        max_length=10,
        choices=Verification.choices,
        default=Verification.UNVERIFIED,
    )
    members = models.ManyToManyField(
        Member, through="OrganisationMembership", related_name="organisations", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def verified(self) -> bool:
        return self.verification == self.Verification.VERIFIED

    @property
    def sector_labels(self) -> list[str]:
        return [str(self.Sector(s).label) for s in self.sectors if s in self.Sector.values]


class OrganisationMembership(models.Model):
    audit_values = False

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        BOARD = "board", _("Board member")
        CHAIR = "chair", _("Chair")
        CONTACT = "contact", _("Contact person")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    member = models.ForeignKey(Member, on_delete=models.CASCADE)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "member"], name="unique_org_member")
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.organisation}"


class ImportBatch(models.Model):
    """One uploaded file of people, from its upload to its commit."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        CHECKED = "checked", _("Checked")
        QUEUED = "queued", _("Queued")
        COMMITTED = "committed", _("Imported")
        FAILED = "failed", _("Failed")

    class Kind(models.TextChoices):
        MEMBERS = "members", _("People")
        ORGANISATIONS = "organisations", _("Organisations")

    kind = models.CharField(_("records"), max_length=14, choices=Kind.choices, default=Kind.MEMBERS)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    headers = models.JSONField(_("columns"), default=list)
    mapping = models.JSONField(_("column mapping"), default=dict)
    default_country = CountryField(_("country for numbers without a code"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    row_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(_("problems found"), default=list)
    counts = models.JSONField(_("result"), default=dict)
    progress = models.ForeignKey(
        "core.TaskProgress", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return self.original_name

    @property
    def bad_rows(self) -> set[int]:
        return {e["row"] for e in self.errors if e.get("row")}


class DuplicateCandidate(models.Model):
    """Two records that may be the same person, waiting for an officer's decision."""

    audit_values = False

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        MERGED = "merged", _("Merged")
        DISTINCT = "distinct", _("Different people")

    # Kept after a merge or an erasure removes one side, as the history of the decision; the
    # queue shows only pairs whose two records still exist.
    first = models.ForeignKey(
        Member, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    second = models.ForeignKey(
        Member, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    score = models.FloatField(_("likelihood"))
    reasons = models.JSONField(_("why"), default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    found_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-score", "pk"]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="unique_duplicate_pair"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="duplicate_pair_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.first_id} ~ #{self.second_id} ({self.score:.2f})"


class Merge(models.Model):
    """The trail of one merge, holding what is needed to undo it."""

    audit_values = False

    survivor = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="merges")
    merged_id = models.PositiveBigIntegerField(_("merged record"))
    survivor_before = models.JSONField(_("survivor before the merge"))
    merged_data = models.JSONField(_("merged record as it was"))
    moved = models.JSONField(_("rows moved to the survivor"), default=dict)
    merged_at = models.DateTimeField(auto_now_add=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at"]
        verbose_name = _("merge")
        verbose_name_plural = _("merges")

    def __str__(self) -> str:
        return f"#{self.merged_id} -> #{self.survivor_id}"
