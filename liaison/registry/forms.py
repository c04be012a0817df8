from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.registry.models import Channel, Purpose

CONSENT_CHOICES = [
    (Purpose.REGISTRY, ""),
    (Purpose.MATCHING, ""),
    (Purpose.OUTREACH, Channel.EMAIL),
    (Purpose.OUTREACH, Channel.SMS),
    (Purpose.RESEARCH, ""),
    (Purpose.CRISIS, ""),
]


def consent_key(purpose: str, channel: str) -> str:
    return f"{purpose}_{channel}" if channel else purpose


class ConsentForm(forms.Form):
    """One checkbox per purpose (and per channel for news), pre-filled with current decisions."""

    def __init__(self, *args: Any, current: dict[tuple[str, str], bool], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for purpose, channel in CONSENT_CHOICES:
            label = str(Purpose(purpose).label)
            if channel:
                label = f"{label} – {Channel(channel).label}"
            self.fields[consent_key(purpose, channel)] = forms.BooleanField(
                label=label,
                required=False,
                initial=current.get((purpose, channel), False),
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )


class EraseForm(forms.Form):
    password = forms.CharField(
        label=_("Your password, to confirm"),
        widget=forms.PasswordInput(
            attrs={"class": "form-control", "autocomplete": "current-password"}
        ),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my profile and account will be deleted and cannot be restored."),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password
