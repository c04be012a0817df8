"""Questionnaires written in XLSForm, each upload a numbered version."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Questionnaire(models.Model):
    """A questionnaire, known by its XLSForm ``form_id``; its versions hold the questions."""

    form_id = models.CharField(_("form identifier"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return self.title

    @property
    def latest(self) -> QuestionnaireVersion | None:
        return self.versions.order_by("-number").first()


def _upload_to(instance: QuestionnaireVersion, filename: str) -> str:
    return f"surveys/{instance.questionnaire.form_id}/v{instance.number}.xlsx"


class QuestionnaireVersion(models.Model):
    """One uploaded XLSForm workbook, as ``pyxform`` read it. Versions are never changed, so that
    answers collected under one always find the questions they answered."""

    audit_values = False  # the audit log names the fields; the questions stay here

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("number"))
    version = models.CharField(_("version in the form's settings"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=200)
    source = models.FileField(_("XLSForm workbook"), upload_to=_upload_to)
    original_name = models.CharField(_("file name"), max_length=255)
    checksum = models.CharField(max_length=64)  # SHA-256 of the definition, as canonical JSON
    definition = models.JSONField(_("questions"))
    languages = models.JSONField(_("languages"), default=list)
    questions = models.PositiveIntegerField(_("number of questions"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["questionnaire", "-number"]
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="unique_questionnaire_number"
            ),
            models.UniqueConstraint(
                fields=["questionnaire", "version"],
                condition=~models.Q(version=""),
                name="unique_questionnaire_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} v{self.number}"

    def rows(self, language: str = "") -> list[dict[str, Any]]:
        """The questions in order, with their depth in groups and repeats, labelled in
        ``language`` (a code such as "fr") when the form has it."""
        names = {code: name for name, code in self.languages}
        wanted = names.get(language) or self.definition.get("default_language") or ""
        out: list[dict[str, Any]] = []

        def label(value: Any) -> str:
            if isinstance(value, dict):
                return str(value.get(wanted) or next(iter(value.values()), ""))
            return str(value or "")

        def walk(children: list[dict[str, Any]], depth: int) -> None:
            for child in children:
                if child.get("name") == "meta" and child.get("control", {}).get("bodyless"):
                    continue
                bind = child.get("bind", {})
                out.append(
                    {
                        "name": child.get("name", ""),
                        "type": child.get("type", ""),
                        "label": label(child.get("label")),
                        "depth": depth,
                        "required": bind.get("required") in ("yes", "true()", "true"),
                        "relevant": bind.get("relevant", ""),
                        "choices": [label(c.get("label")) for c in child.get("choices", [])],
                    }
                )
                walk(child.get("children", []), depth + 1)

        walk(self.definition.get("children", []), 0)
        return out
