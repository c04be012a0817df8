"""The member's own profile, filled in steps, and how complete it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from liaison.core.forms import style_widgets
from liaison.core.validators import no_markup
from liaison.registry import services
from liaison.registry.models import (
    Availability,
    Education,
    Interest,
    Member,
    MemberInterest,
    MemberLanguage,
    MemberSkill,
    Modality,
    SkillLevel,
    WorkExperience,
)
from liaison.taxonomy.models import Occupation, Skill, SkillGroup
from liaison.taxonomy.reference import CefrLevel, IscedLevel, language_list
from liaison.taxonomy.widgets import TaxonomyAutocomplete

SKILL_SLOTS = 5
LANGUAGE_SLOTS = 4


class AboutForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Member
        fields = [
            "given_name",
            "family_name",
            "latin_name",
            "sex",
            "birth_date",
            "nationalities",
            "country_of_residence",
            "city",
            "phone",
        ]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)
        self.fields["phone"].help_text = _("With the country code, e.g. +33 6 12 34 56 78.")

    def clean_phone(self) -> str:
        country = self.data.get("country_of_residence") or ""
        return services.normalise_phone(self.cleaned_data.get("phone") or "", str(country))


def _language_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(e.code, e.name) for e in language_list() if len(e.code) == 2]


class SkillsForm(forms.Form):
    education_level = forms.ChoiceField(label=_("Highest level of education"), required=False)
    occupation = forms.CharField(
        label=_("Occupation"),
        required=False,
        max_length=300,
        widget=TaxonomyAutocomplete("occupation"),
        help_text=_("Type your job title and choose from the suggestions."),
    )

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        level = self.fields["education_level"]
        assert isinstance(level, forms.ChoiceField)
        level.choices = [("", "—"), *Member._meta.get_field("education_level").choices]  # type: ignore[misc]
        languages = _language_choices()
        for i in range(SKILL_SLOTS):
            self.fields[f"skill_{i}"] = forms.CharField(
                label=_("Skill %(n)s") % {"n": i + 1},
                required=False,
                max_length=300,
                widget=TaxonomyAutocomplete("skill"),
            )
            self.fields[f"skill_{i}_level"] = forms.ChoiceField(
                label=_("Level"), required=False, choices=[("", "—"), *SkillLevel.choices]
            )
            self.fields[f"skill_{i}_years"] = forms.IntegerField(
                label=_("Years"), required=False, min_value=0, max_value=70
            )
        for i in range(LANGUAGE_SLOTS):
            self.fields[f"language_{i}"] = forms.ChoiceField(
                label=_("Language %(n)s") % {"n": i + 1}, required=False, choices=languages
            )
            self.fields[f"language_{i}_level"] = forms.ChoiceField(
                label=_("Level"), required=False, choices=[("", "—"), *CefrLevel.choices]
            )
        style_widgets(self)
        if not self.is_bound:
            self._fill_initial()

    def _fill_initial(self) -> None:
        m = self.member
        self.initial["education_level"] = m.education_level
        self.initial["occupation"] = m.occupation.label if m.occupation else ""
        for i, s in enumerate(m.skills.select_related("skill")[:SKILL_SLOTS]):
            self.initial.update(
                {
                    f"skill_{i}": s.skill.label,
                    f"skill_{i}_level": s.level,
                    f"skill_{i}_years": s.years,
                }
            )
        for i, lang in enumerate(m.languages.all()[:LANGUAGE_SLOTS]):
            self.initial.update({f"language_{i}": lang.language, f"language_{i}_level": lang.level})

    def _concept(self, model: type[Occupation] | type[Skill], name: str) -> Any:
        label = (self.cleaned_data.get(name) or "").strip()
        uri = (self.data.get(f"{name}_value") or "").strip()
        if not label:
            return None
        found = (model.objects.filter(uri=uri).first() if uri else None) or model.objects.filter(
            label__iexact=label
        ).first()
        if found is None:
            self.add_error(name, _("Choose “%(label)s” from the suggestions.") % {"label": label})
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["occupation_obj"] = self._concept(Occupation, "occupation")
        skills: dict[int, tuple[Any, str, int | None]] = {}
        for i in range(SKILL_SLOTS):
            skill = self._concept(Skill, f"skill_{i}")
            if skill is not None:
                skills[skill.pk] = (
                    skill,
                    data.get(f"skill_{i}_level") or "",
                    data.get(f"skill_{i}_years"),
                )
        data["skills"] = list(skills.values())
        languages: dict[str, Any] = {}
        for i in range(LANGUAGE_SLOTS):
            code, level = data.get(f"language_{i}"), data.get(f"language_{i}_level")
            if code and not level:
                self.add_error(f"language_{i}_level", _("Give your level in this language."))
            elif code:
                languages[code] = level
        data["languages"] = languages
        return data

    @transaction.atomic
    def save(self) -> None:
        m, d = self.member, self.cleaned_data
        m.education_level = d.get("education_level") or ""
        m.occupation = d["occupation_obj"]
        m.isco_group = m.occupation.isco_group if m.occupation else m.isco_group
        m.save()
        m.skills.all().delete()
        MemberSkill.objects.bulk_create(
            MemberSkill(member=m, skill=s, level=lv, years=y) for s, lv, y in d["skills"]
        )
        m.languages.all().delete()
        MemberLanguage.objects.bulk_create(
            MemberLanguage(member=m, language=c, level=lv) for c, lv in d["languages"].items()
        )


class EngagementForm(forms.Form):
    """How the member could contribute, each way with its own period, and what interests them.

    Fields per modality: ``<modality>`` (a checkbox), ``<modality>_from`` and
    ``<modality>_until`` (optional dates; empty means "from now" and "open-ended")."""

    interests = forms.MultipleChoiceField(
        label=_("I am interested in"),
        choices=Interest.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        for value, label in reversed(Modality.choices):
            dates = {
                f"{value}_from": forms.DateField(
                    label=_("%(way)s: from") % {"way": label},
                    required=False,
                    widget=forms.DateInput(attrs={"type": "date"}),
                ),
                f"{value}_until": forms.DateField(
                    label=_("%(way)s: until") % {"way": label},
                    required=False,
                    widget=forms.DateInput(attrs={"type": "date"}),
                ),
            }
            box = forms.BooleanField(
                label=_("I could contribute: %(way)s") % {"way": label},
                required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.fields = {value: box, **dates, **self.fields}
        style_widgets(self)
        if not self.is_bound:
            self.initial = {"interests": [i.interest for i in member.interests.all()]}
            for period in member.availability.all():
                self.initial[period.modality] = True
                self.initial[f"{period.modality}_from"] = period.starts
                self.initial[f"{period.modality}_until"] = period.ends

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for value in Modality.values:
            start, end = data.get(f"{value}_from"), data.get(f"{value}_until")
            if start and end and end < start:
                self.add_error(f"{value}_until", _("The end comes before the start."))
            elif (start or end) and not data.get(value):
                self.add_error(value, _("Tick this way of contributing, or clear its dates."))
        return data

    @transaction.atomic
    def save(self) -> None:
        m, d = self.member, self.cleaned_data
        m.availability.all().delete()
        Availability.objects.bulk_create(
            Availability(member=m, modality=x, starts=d[f"{x}_from"], ends=d[f"{x}_until"])
            for x in Modality.values
            if d[x]
        )
        m.interests.all().delete()
        MemberInterest.objects.bulk_create(
            MemberInterest(member=m, interest=x) for x in d["interests"]
        )


@dataclass(frozen=True)
class Completeness:
    percent: int
    missing: list[Promise]


def completeness(member: Member | None) -> Completeness:
    if member is None:
        return Completeness(0, [_("your profile")])
    checks: list[tuple[Promise, bool]] = [
        (_("your name"), bool(member.given_name and member.family_name)),
        (_("sex"), bool(member.sex)),
        (_("date of birth"), member.birth_date is not None),
        (_("nationality"), bool(member.nationalities)),
        (_("city of residence"), bool(member.city)),
        (_("phone"), bool(member.phone)),
        (_("education"), bool(member.education_level) or member.education.exists()),
        (_("work history"), member.work_history.exists()),
        (_("occupation"), member.occupation_id is not None),
        (_("skills"), member.skills.exists()),
        (_("languages"), member.languages.exists()),
        (_("availability"), member.availability.exists()),
        (_("interests"), member.interests.exists()),
        (_("consents"), member.consents.exists()),
    ]
    done = sum(ok for _label, ok in checks)
    return Completeness(round(100 * done / len(checks)), [label for label, ok in checks if not ok])


def profile_for(user: Any) -> Member | None:
    return Member.objects.filter(user__pk=user.pk or 0).first()


def start_profile(user: Any, about: AboutForm) -> Member:
    member: Member = about.save(commit=False)
    member.user = user
    member.email = user.email
    member.email_verified = EmailAddress.objects.filter(
        user=user, email__iexact=user.email, verified=True
    ).exists()
    member.save()
    about.save_m2m()
    return member


EDUCATION_SLOTS = 2
WORK_SLOTS = 3


class HistoryForm(forms.Form):
    """Education entries and work history, a few rows each."""

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        this_year = timezone.localdate().year
        fields_of_study = [("", "—")] + [
            (str(g.pk), f"{g.code} {g.label}")
            for g in SkillGroup.objects.filter(uri__contains="/isced-f/").order_by("code")
        ]
        country_choices = [("", "—"), *countries]
        for i in range(EDUCATION_SLOTS):
            n = {"n": i + 1}
            self.fields[f"edu_{i}_level"] = forms.ChoiceField(
                label=_("Education %(n)s: level") % n,
                required=False,
                choices=[("", "—"), *IscedLevel.choices],
            )
            self.fields[f"edu_{i}_field"] = forms.ChoiceField(
                label=_("Field of study"), required=False, choices=fields_of_study
            )
            self.fields[f"edu_{i}_field_text"] = forms.CharField(
                label=_("Field of study, in your words"),
                required=False,
                max_length=200,
                validators=[no_markup],
            )
            self.fields[f"edu_{i}_institution"] = forms.CharField(
                label=_("Institution"), required=False, max_length=200, validators=[no_markup]
            )
            self.fields[f"edu_{i}_country"] = forms.ChoiceField(
                label=_("Country"), required=False, choices=country_choices
            )
            self.fields[f"edu_{i}_year"] = forms.IntegerField(
                label=_("Year completed"), required=False, min_value=1940, max_value=this_year + 6
            )
        for i in range(WORK_SLOTS):
            n = {"n": i + 1}
            self.fields[f"work_{i}_title"] = forms.CharField(
                label=_("Job %(n)s: title") % n,
                required=False,
                max_length=200,
                validators=[no_markup],
            )
            self.fields[f"work_{i}_employer"] = forms.CharField(
                label=_("Employer"), required=False, max_length=200, validators=[no_markup]
            )
            self.fields[f"work_{i}_country"] = forms.ChoiceField(
                label=_("Country"), required=False, choices=country_choices
            )
            self.fields[f"work_{i}_start"] = forms.IntegerField(
                label=_("From (year)"), required=False, min_value=1940, max_value=this_year
            )
            self.fields[f"work_{i}_end"] = forms.IntegerField(
                label=_("Until (year), empty if it lasts"),
                required=False,
                min_value=1940,
                max_value=this_year,
            )
        style_widgets(self)
        if not self.is_bound:
            for i, e in enumerate(member.education.all()[:EDUCATION_SLOTS]):
                self.initial.update(
                    {
                        f"edu_{i}_level": e.level,
                        f"edu_{i}_field": e.field_id or "",
                        f"edu_{i}_field_text": e.field_text,
                        f"edu_{i}_institution": e.institution,
                        f"edu_{i}_country": e.country.code if e.country else "",
                        f"edu_{i}_year": e.year,
                    }
                )
            for i, w in enumerate(member.work_history.all()[:WORK_SLOTS]):
                self.initial.update(
                    {
                        f"work_{i}_title": w.title,
                        f"work_{i}_employer": w.employer,
                        f"work_{i}_country": w.country.code if w.country else "",
                        f"work_{i}_start": w.start_year,
                        f"work_{i}_end": w.end_year,
                    }
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(EDUCATION_SLOTS):
            details = [
                data.get(f"edu_{i}_{k}")
                for k in ("field", "field_text", "institution", "country", "year")
            ]
            if any(details) and not data.get(f"edu_{i}_level"):
                self.add_error(f"edu_{i}_level", _("Give the level of this education."))
        for i in range(WORK_SLOTS):
            start, end = data.get(f"work_{i}_start"), data.get(f"work_{i}_end")
            details = [data.get(f"work_{i}_{k}") for k in ("employer", "country")] + [start, end]
            if any(d for d in details) and not data.get(f"work_{i}_title"):
                self.add_error(f"work_{i}_title", _("Give the title of this job."))
            if start and end and end < start:
                self.add_error(f"work_{i}_end", _("The end comes before the start."))
        return data

    @transaction.atomic
    def save(self) -> None:
        m, d = self.member, self.cleaned_data
        m.education.all().delete()
        Education.objects.bulk_create(
            Education(
                member=m,
                level=d[f"edu_{i}_level"],
                field_id=d[f"edu_{i}_field"] or None,
                field_text=d[f"edu_{i}_field_text"],
                institution=d[f"edu_{i}_institution"],
                country=d[f"edu_{i}_country"],
                year=d[f"edu_{i}_year"],
            )
            for i in range(EDUCATION_SLOTS)
            if d.get(f"edu_{i}_level")
        )
        m.work_history.all().delete()
        WorkExperience.objects.bulk_create(
            WorkExperience(
                member=m,
                title=d[f"work_{i}_title"],
                employer=d[f"work_{i}_employer"],
                country=d[f"work_{i}_country"],
                start_year=d[f"work_{i}_start"],
                end_year=d[f"work_{i}_end"],
            )
            for i in range(WORK_SLOTS)
            if d.get(f"work_{i}_title")
        )
