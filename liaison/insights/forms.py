from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.surveys.models import Questionnaire, Wave


class WaveChoiceField(forms.ModelChoiceField[Wave]):
    def label_from_instance(self, obj: Wave) -> str:
        return f"{obj.questionnaire.title} · {obj.name}"


class SurveyPickForm(forms.Form):
    """Which questionnaire's results to read, and optionally one wave of it."""

    questionnaire = forms.ModelChoiceField(
        label=_("Questionnaire"),
        queryset=Questionnaire.objects.all(),
        empty_label=_("Choose…"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    wave = WaveChoiceField(
        label=_("Wave"),
        queryset=Wave.objects.select_related("questionnaire"),
        required=False,
        empty_label=_("All waves"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        wave, questionnaire = data.get("wave"), data.get("questionnaire")
        if (
            wave is not None
            and questionnaire is not None
            and wave.questionnaire_id != questionnaire.pk
        ):
            self.add_error("wave", _("This wave belongs to another questionnaire."))
        return data
