from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.taxonomy.widgets import TaxonomyAutocomplete


class SuggestForm(forms.Form):
    q = forms.CharField(
        label=_("Job title or skill"),
        max_length=200,
        required=False,
        widget=TaxonomyAutocomplete("occupation"),
    )
    kind = forms.ChoiceField(
        label=_("Look in"),
        choices=[
            ("occupation", _("Occupations")),
            ("skill", _("Skills")),
            ("isco", _("ISCO-08 groups")),
        ],
        initial="occupation",
        required=False,
    )
