"""Questionnaires written in XLSForm, each upload a numbered version."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.core.validators import no_markup


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
    # Into the registry (see registry_link): question name -> profile field, and the select_one
    # question answered "yes" by those who agree to be registered.
    registry_map = models.JSONField(_("questions that fill the registry"), default=dict, blank=True)
    consent_question = models.CharField(_("consent question"), max_length=100, blank=True)
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


def _token() -> str:
    return secrets.token_urlsafe(18)


class Wave(models.Model):
    """One round of collection for a questionnaire version, open between two dates to one
    audience. Every wave adds its submissions to the same tables, so results can be read per wave
    or across them."""

    class Audience(models.TextChoices):
        PUBLIC = "public", _("anyone with the link")
        MEMBERS = "members", _("registered members")
        SEGMENT = "segment", _("a segment of the registry")

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="waves")
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="waves"
    )
    name = models.CharField(_("name"), max_length=200, validators=[no_markup])
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.PUBLIC
    )
    # For a segment: the registry search's filters, as its form's data ("country": ["DE"], ...).
    segment = models.JSONField(_("segment"), default=dict, blank=True)
    token = models.CharField(max_length=40, unique=True, default=_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__isnull=True)
                | models.Q(closes_at__gt=models.F("opens_at")),
                name="wave_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} · {self.name}"

    def is_open(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now and (self.closes_at is None or now < self.closes_at)


class Submission(models.Model):
    """One respondent's answers in a wave: a draft while it is being filled in (so a long form
    can be resumed), complete once every rule of the form holds. ``data`` keeps the answers as
    given (repeats as lists), for resuming and for exports; ``Answer`` rows keep them typed, for
    results."""

    audit_values = False  # answers can be sensitive: the audit log names the fields only

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        COMPLETE = "complete", _("complete")

    class Source(models.TextChoices):
        WEB = "web", _("web form")
        KOBO = "kobo", _("KoboToolbox export")
        ODK = "odk", _("ODK Central export")
        FILE = "file", _("spreadsheet")

    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="submissions")
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="submissions"
    )
    # The OpenRosa instance id ("uuid:..."): the same submission sent twice is recognised by it.
    instance_id = models.CharField(_("instance id"), max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    source = models.CharField(_("source"), max_length=6, choices=Source.choices)
    data = models.JSONField(_("answers as given"), default=dict)
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    member = models.ForeignKey(
        "registry.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
        db_index=False,
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["wave", "-submitted_at", "-pk"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "instance_id"], name="unique_submission_instance"
            )
        ]
        indexes = [
            models.Index(fields=["member"], name="submission_member_idx"),
            models.Index(fields=["wave", "status"], name="submission_wave_status_idx"),
        ]

    def __str__(self) -> str:
        return self.instance_id


class Answer(models.Model):
    """One typed answer of a complete submission: ``text`` for text and choices (one row per
    choice of a select_multiple), ``number`` for integers and decimals, ``date`` for dates.
    ``instance`` places an answer inside repeats ("2" is the second household member, "2.1"
    the first entry of a repeat inside it); it is empty outside repeats."""

    audit_values = False

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="answers")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+", db_index=False)
    question = models.CharField(_("question"), max_length=100)
    instance = models.CharField(_("repeat"), max_length=40, blank=True)
    text = models.TextField(_("text"), blank=True)
    number = models.DecimalField(
        _("number"), max_digits=30, decimal_places=10, null=True, blank=True
    )
    date = models.DateField(_("date"), null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [
            models.Index(fields=["wave", "question", "text"], name="answer_wave_question_idx")
        ]

    def __str__(self) -> str:
        return f"{self.question}={self.text or self.number or self.date}"
