"""Forms of the price data pages: an officer's observation, a provider's report, a provider,
verification, and the filters of the observation list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from liaison.remittances.models import Observation, Provider
from liaison.remittances.periods import Period
from liaison.remittances.services import FIGURES, figure_problems
from liaison.taxonomy.reference import currency_list


def _currencies() -> list[tuple[str, str]]:
    return [("", "—")] + [(e.code, f"{e.code} – {e.name}") for e in currency_list()]


def _countries() -> list[tuple[str, str]]:
    return [("", "—"), *((code, name) for code, name in countries)]


class ObservationForm(forms.ModelForm):  # type: ignore[type-arg]
    """One price: the corridor is given by its countries and currencies (made when new), the
    quarter as 2026Q3. The FX margin, total cost and amount received are computed."""

    source_country = forms.ChoiceField(label=_("Sending country"), choices=_countries)
    source_currency = forms.ChoiceField(label=_("Sending currency"), choices=_currencies)
    destination_country = forms.ChoiceField(label=_("Receiving country"), choices=_countries)
    destination_currency = forms.ChoiceField(label=_("Receiving currency"), choices=_currencies)
    quarter_text = forms.CharField(
        label=_("Quarter"), max_length=10, help_text=_("For example 2026Q3.")
    )

    corridor_fields = (
        "source_country",
        "source_currency",
        "destination_country",
        "destination_currency",
    )

    class Meta:
        model = Observation
        fields = [
            "provider",
            "price_point",
            "amount_sent",
            "fee",
            "exchange_rate",
            "interbank_rate",
            "speed",
            "instrument",
            "access_point",
            "pickup",
            "transparent",
            "collected_on",
            "note",
        ]
        widgets = {
            "collected_on": forms.DateInput(attrs={"type": "date"}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "amount_sent": _("The sending currency's equivalent of the price point."),
            "exchange_rate": _("Units of the receiving currency for one unit of the sending one."),
            "interbank_rate": _("The same, at the interbank (mid-market) rate of that day."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(
            [
                "provider",
                *self.corridor_fields,
                "quarter_text",
                "price_point",
                *self._meta.fields,  # type: ignore[misc]
            ]
        )
        if self.instance.pk:
            corridor = self.instance.corridor
            for name in self.corridor_fields:
                self.initial[name] = str(getattr(corridor, name))
            self.initial["quarter_text"] = self.instance.period.key
        else:
            self.initial.setdefault("quarter_text", Period.of(timezone.localdate()).key)
            self.initial.setdefault("collected_on", timezone.localdate())

    def clean_quarter_text(self) -> Period:
        try:
            return Period.parse(self.cleaned_data["quarter_text"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or self.cleaned_data
        figures = [data.get(name) for name in FIGURES]
        if all(value is not None for value in figures):
            for name, messages in figure_problems(*figures).items():
                for message in messages:
                    self.add_error(name, message)
        return data

    def corridor_values(self) -> dict[str, str]:
        return {name: str(self.cleaned_data[name]) for name in self.corridor_fields}

    def observation(self) -> Observation:
        """The unsaved observation, its quarter set (the corridor is the view's to set)."""
        observation: Observation = self.save(commit=False)
        period: Period = self.cleaned_data["quarter_text"]
        observation.year, observation.quarter = period.year, period.quarter
        return observation


class ReportForm(ObservationForm):
    """A provider's report of its own price: the provider is the link's."""

    class Meta(ObservationForm.Meta):
        fields = [name for name in ObservationForm.Meta.fields if name != "provider"]


class ProviderForm(forms.ModelForm):  # type: ignore[type-arg]
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Provider
        fields = ["name", "kind", "website"]


class VerifyForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class ObservationFilterForm(forms.Form):
    provider = forms.ModelChoiceField(
        label=_("Provider"), queryset=Provider.objects.all(), required=False
    )
    quarter = forms.CharField(label=_("Quarter"), required=False, max_length=10)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any")), *Observation.Status.choices],
        required=False,
    )
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[("", _("Any")), *Observation.Source.choices],
        required=False,
    )

    def clean_quarter(self) -> Period | None:
        text = self.cleaned_data["quarter"]
        if not text:
            return None
        try:
            return Period.parse(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error

    def apply(self, queryset: Any) -> Any:
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["provider"]:
            queryset = queryset.filter(provider=data["provider"])
        if data["quarter"]:
            queryset = queryset.in_period(data["quarter"])
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["source"]:
            queryset = queryset.filter(source=data["source"])
        return queryset
