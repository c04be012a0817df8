from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.core.forms import style_widgets
from liaison.registry import services
from liaison.registry.models import (
    PROFILE_FIELDS,
    Channel,
    Member,
    Organisation,
    OrganisationMembership,
    Purpose,
)

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


class MemberEditForm(forms.ModelForm):  # type: ignore[type-arg]
    """Staff edit of a profile. Sensitive fields appear only for roles that may see them."""

    class Meta:
        model = Member
        fields = [
            *PROFILE_FIELDS,
            "latitude",
            "longitude",
            "consular_jurisdiction",
            "residence_status",
            "id_document_number",
        ]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}),
            "residence_status": forms.TextInput(),
            "id_document_number": forms.TextInput(),
        }

    def __init__(self, *args: Any, show_sensitive: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not show_sensitive:
            for name in Member.SENSITIVE_FIELDS:
                del self.fields[name]
        style_widgets(self)

    def clean_phone(self) -> str:
        country = self.data.get("country_of_residence") or ""
        return services.normalise_phone(self.cleaned_data.get("phone") or "", str(country))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        birth = data.get("birth_date")
        if birth and birth > timezone.localdate():
            self.add_error("birth_date", _("A date of birth cannot be in the future."))
        for name, bound in (("latitude", 90), ("longitude", 180)):
            value = data.get(name)
            if value is not None and abs(value) > bound:
                self.add_error(name, _("Must be between -%(b)s and %(b)s.") % {"b": bound})
        return data


class ExportForm(forms.Form):
    purpose = forms.CharField(
        label=_("Purpose of this export"),
        min_length=10,
        max_length=500,
        help_text=_("Say what the list is for; it is kept in the audit log."),
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("csv", "CSV"), ("xlsx", "Excel (XLSX)")],
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class OrganisationForm(forms.ModelForm):  # type: ignore[type-arg]
    """An organisation's profile, as officers keep it (within their scope)."""

    sectors = forms.MultipleChoiceField(
        label=_("Sectors"),
        choices=Organisation.Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = ["name", "kind", "country", "countries", "sectors", "city", "email", "phone"]
        fields += ["website"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def clean_phone(self) -> str:
        country = self.data.get("country") or ""
        return services.normalise_phone(self.cleaned_data.get("phone") or "", str(country))


class MembershipForm(forms.Form):
    member = forms.IntegerField(
        label=_("Member number"),
        min_value=1,
        help_text=_("The number shown on the member's page."),
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=OrganisationMembership.Role.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
