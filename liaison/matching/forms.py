"""The officer's options for a ranking: how many people, and a minimum share of women."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.core.forms import style_widgets
from liaison.opportunities.models import Programme

SIZES = (10, 20, 50, 100)
DEFAULT_SIZE = 50
DEFAULT_SHARE = (
    30  # the share the programmes report (20-25%) rounded up, when a programme sets none
)


class RankingForm(forms.Form):
    limit = forms.TypedChoiceField(
        label=_("People listed"),
        choices=[(n, n) for n in SIZES],
        coerce=int,
        initial=DEFAULT_SIZE,
        required=False,
    )
    women = forms.BooleanField(
        label=_("Guarantee a minimum share of women (when enough qualified women exist)"),
        required=False,
    )
    share = forms.IntegerField(
        label=_("Minimum share of women (%)"),
        min_value=0,
        max_value=100,
        required=False,
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programme = programme
        target = programme.min_share_women
        self.fields["share"].initial = target if target is not None else DEFAULT_SHARE
        self.fields["women"].initial = target is not None
        if target is not None:
            self.fields["share"].help_text = _("The programme asks for %(n)s%%.") % {"n": target}
        style_widgets(self)

    def options(self) -> tuple[int, int | None]:
        """(people listed, minimum share of women or None): the defaults until the officer
        chooses (the programme's share of women applies from the start)."""
        if not self.is_bound or not self.is_valid():
            share = self.programme.min_share_women
            return DEFAULT_SIZE, share
        data = self.cleaned_data
        limit = data.get("limit") or DEFAULT_SIZE
        if not data.get("women"):
            return limit, None
        share = data.get("share")
        return limit, share if share is not None else self.fields["share"].initial
