"""The filters every panel of the dashboard obeys: host country, sex, age band, education,
occupation group and registration period."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from liaison.registry.models import Member, Sex
from liaison.registry.search import years_before
from liaison.taxonomy.isco import ISCO_GROUPS
from liaison.taxonomy.models import IscoGroup
from liaison.taxonomy.reference import IscedLevel

NOT_STATED = "none"
# Age bands by completed years on the day the dashboard is read: (label, lowest, highest).
AGE_BANDS: dict[str, tuple[int, int | None]] = {
    "<25": (0, 24),
    "25-34": (25, 34),
    "35-44": (35, 44),
    "45-54": (45, 54),
    "55-64": (55, 64),
    "65+": (65, None),
}
ISCO_MAJOR = [code for code in ISCO_GROUPS if len(code) == 1]


def age_band_range(band: str, today: datetime.date) -> Q:
    """Members whose age on ``today`` falls in ``band``: born after the day ``highest + 1``
    years before, and on or before the day ``lowest`` years before."""
    low, high = AGE_BANDS[band]
    q = Q(birth_date__lte=years_before(today, low))
    if high is not None:
        q &= Q(birth_date__gt=years_before(today, high + 1))
    return q


def month_start(text: str) -> datetime.date:
    year, month = (int(p) for p in text.split("-"))
    return datetime.date(year, month, 1)


def next_month(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("All")), *choices]


class MonthField(forms.RegexField):
    """A month as the browser's month input sends it (YYYY-MM)."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            r"^(19|20)\d{2}-(0[1-9]|1[0-2])$",
            error_messages={"invalid": _("Give a month as YYYY-MM, for example 2026-03.")},
            **kwargs,
        )


@dataclass(frozen=True)
class Cut:
    """One filter in force, as the rows it keeps of the table of its dimension: keys from
    ``low`` to ``high`` (one key for a choice; months, as YYYY-MM, for the period)."""

    name: str  # the filter: a field's name, or "period" for both registration months
    dimension: str  # the table it cuts: "country", "sex", "age", "education", "isco", "month"
    low: str
    high: str

    def keeps(self, key: str) -> bool:
        return self.low <= key <= self.high


PERIOD = ("registered_from", "registered_to")
# The choice filters, each named as the dashboard's table it cuts (the period cuts "month").
CHOICES = ("country", "sex", "age", "education", "isco")


@dataclass(frozen=True)
class Applied:
    """One filter in force, as shown above the figures and in the exports."""

    name: str
    value: str


class InsightsFilterForm(forms.Form):
    country = forms.ChoiceField(label=_("Host country"), required=False)
    sex = forms.ChoiceField(
        label=_("Sex"),
        required=False,
        choices=_blank([*Sex.choices, (NOT_STATED, _("Not stated"))]),
    )
    age = forms.ChoiceField(
        label=_("Age"),
        required=False,
        choices=_blank([*((k, k) for k in AGE_BANDS), (NOT_STATED, _("Not stated"))]),
    )
    education = forms.ChoiceField(
        label=_("Education (ISCED)"),
        required=False,
        choices=_blank([*IscedLevel.choices, (NOT_STATED, _("Not stated"))]),
    )
    isco = forms.ChoiceField(label=_("Occupation group (ISCO-08)"), required=False)
    registered_from = MonthField(label=_("Registered from (month)"), required=False)
    registered_to = MonthField(label=_("Registered until (month)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country = self.fields["country"]
        isco = self.fields["isco"]
        assert isinstance(country, forms.ChoiceField) and isinstance(isco, forms.ChoiceField)
        country.choices = _blank(list(countries))
        isco.choices = _blank(
            [
                *((c, f"{c} {ISCO_GROUPS[c]}") for c in ISCO_MAJOR),
                (NOT_STATED, _("Not stated")),
            ]
        )
        for f in self.fields.values():
            css = "form-select form-select-sm" if isinstance(f.widget, forms.Select) else ""
            f.widget.attrs.setdefault("class", css or "form-control form-control-sm")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("registered_from"), data.get("registered_to")
        if start and end and start > end:
            self.add_error("registered_to", _("The period ends before it starts."))
        return data

    @property
    def active(self) -> bool:
        """Some filter is set (an invalid form counts as filtered: it shows nothing)."""
        if not self.is_bound:
            return False
        if not self.is_valid():
            return True
        return any(self.cleaned_data.values())

    def values(self) -> dict[str, str]:
        """The valid filters in force, by name, for cache keys and links."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}

    def cuts(self) -> list[Cut]:
        """The valid filters in force as cuts; both registration months make one (the
        period), so that the wider view is the one without any period."""
        values = self.values()
        out = [Cut(n, n, values[n], values[n]) for n in CHOICES if n in values]
        if any(n in values for n in PERIOD):
            low, high = values.get(PERIOD[0], ""), values.get(PERIOD[1], "")
            out.append(Cut("period", "month", low, high or "9999-12"))
        return out

    def applied(self) -> Iterator[Applied]:
        for name, value in self.values().items():
            field = self.fields[name]
            label = str(field.label)
            if isinstance(field, forms.ChoiceField):
                shown = str(dict(field.choices).get(value, value))  # type: ignore[arg-type]
            else:
                shown = value
            yield Applied(label, shown)

    def apply(
        self,
        members: QuerySet[Member],
        today: datetime.date | None = None,
        *,
        without: str = "",
    ) -> QuerySet[Member]:
        """Narrow ``members``, leaving out the filter (or cut) named ``without``; an invalid
        form selects nothing (its errors are shown)."""
        if not self.is_bound:
            return members
        if not self.is_valid():
            return members.none()
        left_out = set(PERIOD) if without == "period" else {without}
        d = {k: ("" if k in left_out else v) for k, v in self.cleaned_data.items()}
        today = today or timezone.localdate()
        if d["country"]:
            members = members.filter(country_of_residence=d["country"])
        if d["sex"]:
            members = members.filter(sex="" if d["sex"] == NOT_STATED else d["sex"])
        if d["age"]:
            if d["age"] == NOT_STATED:
                members = members.filter(birth_date__isnull=True)
            else:
                members = members.filter(age_band_range(d["age"], today))
        if d["education"]:
            level = "" if d["education"] == NOT_STATED else d["education"]
            members = members.filter(education_level=level)
        if d["isco"]:
            if d["isco"] == NOT_STATED:
                members = members.filter(isco_group__isnull=True)
            else:
                groups = IscoGroup.objects.filter(code__startswith=d["isco"])
                members = members.filter(
                    isco_group_id__in=list(groups.values_list("pk", flat=True))
                )
        tz = timezone.get_current_timezone()
        if d["registered_from"]:
            start = month_start(d["registered_from"])
            members = members.filter(
                created_at__gte=datetime.datetime.combine(start, datetime.time(), tz)
            )
        if d["registered_to"]:
            end = next_month(month_start(d["registered_to"]))
            members = members.filter(
                created_at__lt=datetime.datetime.combine(end, datetime.time(), tz)
            )
        return members
