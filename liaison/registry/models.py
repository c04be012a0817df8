"""The diaspora registry: members and organisations.

This is the foundation's first cut (what demo data, scoping and audit need); the registry issue
extends it with consents, contacts, education history, availability and interests.
"""

from __future__ import annotations

from anyascii import anyascii
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from liaison.taxonomy.models import IscoGroup, Occupation, Skill
from liaison.taxonomy.reference import CefrLevel, IscedLevel


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNDISCLOSED = "undisclosed", _("Prefers not to say")


def latin(text: str) -> str:
    """A Latin transliteration for search ("Мария" -> "Mariya", "محمد" -> "mhmd")."""
    return " ".join(anyascii(text).split())


class MemberQuerySet(models.QuerySet["Member"]):
    def search(self, text: str) -> MemberQuerySet:
        needle = latin(text).lower().strip()
        if not needle:
            return self
        return self.filter(search_name__contains=needle)


class Member(models.Model):
    """A person of the diaspora who registered or was registered."""

    permission_scope_fields = {"country": "country_of_residence"}

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member_profile",
    )
    given_name = models.CharField(_("given name"), max_length=150)
    family_name = models.CharField(_("family name"), max_length=150, blank=True)
    search_name = models.CharField(max_length=320, editable=False, db_index=True)
    sex = models.CharField(_("sex"), max_length=12, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    nationalities = CountryField(_("nationalities"), multiple=True, blank=True)
    country_of_residence = CountryField(_("country of residence"), db_index=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone (E.164)"), max_length=20, blank=True)
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
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name", "pk"]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_name = self.compute_search_name(self.given_name, self.family_name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @staticmethod
    def compute_search_name(given: str, family: str) -> str:
        return latin(f"{given} {family}").lower()[:320]


class MemberSkill(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+")
    years = models.PositiveSmallIntegerField(_("years of practice"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "skill"], name="unique_member_skill")
        ]

    def __str__(self) -> str:
        return str(self.skill)


class MemberLanguage(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(_("language (ISO 639)"), max_length=3)
    level = models.CharField(_("level (CEFR)"), max_length=6, choices=CefrLevel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "language"], name="unique_member_language")
        ]

    def __str__(self) -> str:
        return f"{self.language} {self.level}"


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

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    country = CountryField(_("country"), db_index=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
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


class OrganisationMembership(models.Model):
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
