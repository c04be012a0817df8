from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.taxonomy.isco import ISCO_GROUPS


class IscoGroup(models.Model):
    """An ISCO-08 group: major (1 digit), sub-major (2), minor (3) or unit group (4)."""

    code = models.CharField(_("code"), max_length=4, unique=True)
    label = models.CharField(_("label"), max_length=300)
    uri = models.CharField(_("ESCO URI"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("ISCO-08 group")
        verbose_name_plural = _("ISCO-08 groups")

    def __str__(self) -> str:
        return f"{self.code} {self.display_label}"

    @property
    def level(self) -> int:
        return len(self.code)

    @property
    def display_label(self) -> str:
        """The label in the interface language where Liaison ships a translation."""
        builtin = ISCO_GROUPS.get(self.code)
        return str(builtin) if builtin is not None else self.label


class EscoConcept(models.Model):
    """What every ESCO concept has: its URI, preferred and alternative labels, a description."""

    uri = models.CharField(_("ESCO URI"), max_length=200, unique=True)
    label = models.CharField(_("preferred label"), max_length=300)
    alt_labels = models.JSONField(_("alternative labels"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        abstract = True
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class Occupation(EscoConcept):
    """An ESCO occupation (one of ~3,000), below an ISCO-08 unit group."""

    code = models.CharField(_("ESCO code"), max_length=40, blank=True)
    isco_group = models.ForeignKey(
        IscoGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="occupations"
    )
    broader = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="narrower"
    )

    class Meta(EscoConcept.Meta):
        verbose_name = _("occupation")
        verbose_name_plural = _("occupations")


class Skill(EscoConcept):
    """An ESCO skill, knowledge or competence."""

    skill_type = models.CharField(_("type"), max_length=40, blank=True)
    reuse_level = models.CharField(_("reuse level"), max_length=40, blank=True)

    class Meta(EscoConcept.Meta):
        verbose_name = _("skill")
        verbose_name_plural = _("skills")


class SkillGroup(models.Model):
    """An ESCO skill group, including the ISCED-F fields of education."""

    uri = models.CharField(_("ESCO URI"), max_length=200, unique=True)
    code = models.CharField(_("code"), max_length=40, blank=True)
    label = models.CharField(_("preferred label"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["code", "label"]
        verbose_name = _("skill group")
        verbose_name_plural = _("skill groups")

    def __str__(self) -> str:
        return f"{self.code} {self.label}".strip()

    @property
    def is_isced_field(self) -> bool:
        return "/isced-f/" in self.uri


class TaxonomyImport(models.Model):
    """One run of the ESCO import, with what it changed."""

    started_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(_("source folder"), max_length=500)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("taxonomy import")
        verbose_name_plural = _("taxonomy imports")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.source}"
