"""Form widgets backed by the taxonomy suggestion service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class TaxonomyAutocomplete(forms.TextInput):
    """A text input that suggests ESCO occupations, skills or ISCO groups as the person types.

    The front end (frontend/src/autocomplete.js) turns it into a WAI-ARIA combobox: arrow keys
    move through the suggestions, Enter picks one, Escape closes, and a live region announces
    how many there are. The chosen concept's URI (or ISCO code) goes to the hidden input named
    ``<name>_value``.
    """

    def __init__(self, kind: str = "occupation", attrs: dict[str, Any] | None = None) -> None:
        self.kind = kind
        super().__init__({"class": "form-control", **(attrs or {})})

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["data-autocomplete"] = (
            f"{reverse('api:taxonomy-suggestions')}?kind={self.kind}"
        )
        widget_attrs["data-ac-count-template"] = str(_("%s suggestions"))
        widget_attrs["data-target"] = f"{widget_attrs.get('id', name)}_value"
        return context

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> Any:
        from django.utils.html import format_html

        field = super().render(name, value, attrs, renderer)
        hidden_id = f"{(attrs or {}).get('id', name)}_value"
        return format_html(
            '<div class="ac-wrapper">{}<input type="hidden" name="{}_value" id="{}"></div>',
            field,
            name,
            hidden_id,
        )
