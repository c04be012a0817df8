"""What the matching engine keeps of its own: ESCO's hierarchy of skills.

The taxonomy app imports ESCO's occupations (with their broader occupations) and skills, but not
the skills pillar's broader relations, which the engine needs to give credit for a narrower,
broader or sibling skill. They come from the official download's
``broaderRelationsSkillPillar_<lang>.csv`` (see ``hierarchy.py`` and the
``import_skill_hierarchy`` command). Relations to skill groups are left out: a group such as
"communication" is too wide for one of its skills to stand for another.

Everything else the engine reads is live: the registry's members, skills, languages,
availability, work history and consents, and the opportunities. Nothing is precomputed, so a
changed profile changes the next ranking.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.taxonomy.models import Skill


class SkillRelation(models.Model):
    """ESCO: ``skill`` is narrower than ``broader`` (one step of the skills pillar)."""

    skill = models.ForeignKey(
        Skill,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("skill"),
        db_index=False,  # unique_skill_relation starts with it
    )
    broader = models.ForeignKey(
        Skill, on_delete=models.CASCADE, related_name="+", verbose_name=_("broader skill")
    )

    class Meta:
        ordering = ["skill", "broader"]
        verbose_name = _("skill relation")
        verbose_name_plural = _("skill relations")
        indexes = [models.Index(fields=["broader", "skill"], name="skill_relation_broader_idx")]
        constraints = [
            models.UniqueConstraint(fields=["skill", "broader"], name="unique_skill_relation"),
            models.CheckConstraint(
                condition=~models.Q(skill=models.F("broader")),
                name="skill_relation_not_itself",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill_id} < {self.broader_id}"
