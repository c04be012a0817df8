"""Forms of the opportunity pages. They check shape; the rules are in ``services``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from liaison.accounts.permissions import grants_of
from liaison.accounts.roles import Role, ScopeKind
from liaison.core.forms import style_widgets
from liaison.opportunities.models import (
    LabourAgreement,
    Modality,
    Opportunity,
    PackageItem,
    Programme,
    Quota,
    Sector,
)
from liaison.opportunities.services import LanguageNeed, PackageLine, SkillNeed, backwards
from liaison.registry.models import Organisation
from liaison.taxonomy.models import IscoGroup, Occupation, Skill
from liaison.taxonomy.reference import CefrLevel, currency_list, language_list
from liaison.taxonomy.widgets import TaxonomyAutocomplete

SKILL_SLOTS = 8
LANGUAGE_SLOTS = 4
PACKAGE_SLOTS = 7


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _check_dates(form: forms.BaseForm, what: str, start: str, end: str) -> None:
    """Dates that run backwards, said in words on the end date's field. (A field in error is
    left out of the model's constraint checks, so the database constraint's name is never
    shown instead.)"""
    data = form.cleaned_data
    if problem := backwards(what, data.get(start), data.get(end)):
        form.add_error(end, problem)


def host_choices(user: Any) -> QuerySet[Organisation]:
    """The organisations ``user`` may post for: every host institution and employer for
    officers and administrators; their own institutions for host focal points."""
    hosts = Organisation.objects.filter(
        kind__in=[Organisation.Kind.HOST, Organisation.Kind.EMPLOYER]
    )
    grants = grants_of(user)
    if any(
        g.role in (Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR) or g.scope_kind == ScopeKind.GLOBAL
        for g in grants
    ):
        return hosts
    own = {
        int(g.scope_value)
        for g in grants
        if g.role == Role.HOST_FOCAL_POINT
        and g.scope_kind == ScopeKind.INSTITUTION
        and g.scope_value.isdigit()
    }
    return hosts.filter(pk__in=own)


class OpportunityForm(forms.ModelForm):  # type: ignore[type-arg]
    """An opportunity with numbered slots for skills, languages and package items."""

    occupation = forms.CharField(
        label=_("Occupation (ESCO)"),
        required=False,
        max_length=300,
        widget=TaxonomyAutocomplete("occupation"),
        help_text=_("Type a job title and choose from the suggestions."),
    )
    isco = forms.CharField(
        label=_("Occupation group (ISCO-08), if no occupation fits"),
        required=False,
        max_length=300,
        widget=TaxonomyAutocomplete("isco"),
    )

    class Meta:
        model = Opportunity
        fields = [
            "host",
            "programme",
            "quota",
            "title",
            "terms_of_reference",
            "education_level",
            "years_experience",
            "modality",
            "country",
            "city",
            "starts",
            "ends",
            "duration_days",
            "apply_by",
            "positions",
            "sector",
        ]
        widgets = {
            "starts": _date_input(),
            "ends": _date_input(),
            "apply_by": _date_input(),
            "terms_of_reference": forms.Textarea(attrs={"rows": 6}),
        }

    main_fields = [
        "host",
        "programme",
        "quota",
        "title",
        "terms_of_reference",
        "occupation",
        "isco",
        "education_level",
        "years_experience",
        "modality",
        "country",
        "city",
        "starts",
        "ends",
        "duration_days",
        "apply_by",
        "positions",
        "sector",
    ]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        host = self.fields["host"]
        assert isinstance(host, forms.ModelChoiceField)
        host.queryset = host_choices(user)
        programme = self.fields["programme"]
        assert isinstance(programme, forms.ModelChoiceField)
        programme.queryset = Programme.objects.filter(
            Q(active=True) | Q(pk=self.instance.programme_id or 0)
        )
        quota = self.fields["quota"]
        assert isinstance(quota, forms.ModelChoiceField)
        quota.queryset = Quota.objects.select_related("agreement")
        quota.help_text = _("Job orders of employers abroad only.")
        languages = [("", "—")] + [(e.code, e.name) for e in language_list() if len(e.code) == 2]
        currencies = [("", "—")] + [(e.code, f"{e.code} – {e.name}") for e in currency_list()]
        for i in range(SKILL_SLOTS):
            self.fields[f"skill_{i}"] = forms.CharField(
                label=_("Skill %(n)s") % {"n": i + 1},
                required=False,
                max_length=300,
                widget=TaxonomyAutocomplete("skill"),
            )
            self.fields[f"skill_{i}_essential"] = forms.BooleanField(
                label=_("Required"), required=False, initial=True
            )
        for i in range(LANGUAGE_SLOTS):
            self.fields[f"language_{i}"] = forms.ChoiceField(
                label=_("Language %(n)s") % {"n": i + 1}, required=False, choices=languages
            )
            self.fields[f"language_{i}_level"] = forms.ChoiceField(
                label=_("Minimum level"), required=False, choices=[("", "—"), *CefrLevel.choices]
            )
            self.fields[f"language_{i}_mandatory"] = forms.BooleanField(
                label=_("Mandatory"), required=False, initial=True
            )
        for i in range(PACKAGE_SLOTS):
            self.fields[f"package_{i}_kind"] = forms.ChoiceField(
                label=_("Item %(n)s") % {"n": i + 1},
                required=False,
                choices=[("", "—"), *PackageItem.Kind.choices],
            )
            self.fields[f"package_{i}_amount"] = forms.DecimalField(
                label=_("Amount"), required=False, max_digits=12, decimal_places=2
            )
            self.fields[f"package_{i}_currency"] = forms.ChoiceField(
                label=_("Currency"), required=False, choices=currencies
            )
            self.fields[f"package_{i}_period"] = forms.ChoiceField(
                label=_("Paid"), required=False, choices=PackageItem.Period.choices
            )
        style_widgets(self)
        if not self.is_bound and self.instance.pk:
            self._fill_initial()

    def _fill_initial(self) -> None:
        o = self.instance
        self.initial["occupation"] = o.occupation.label if o.occupation else ""
        self.initial["isco"] = str(o.isco_group) if o.isco_group and not o.occupation else ""
        for i, s in enumerate(o.skills.select_related("skill")[:SKILL_SLOTS]):
            self.initial[f"skill_{i}"] = s.skill.label
            self.initial[f"skill_{i}_essential"] = s.essential
        for i, lang in enumerate(o.languages.all()[:LANGUAGE_SLOTS]):
            self.initial[f"language_{i}"] = lang.language
            self.initial[f"language_{i}_level"] = lang.min_level
            self.initial[f"language_{i}_mandatory"] = lang.mandatory
        for i, item in enumerate(o.package.all()[:PACKAGE_SLOTS]):
            self.initial[f"package_{i}_kind"] = item.kind
            self.initial[f"package_{i}_amount"] = item.amount
            self.initial[f"package_{i}_currency"] = item.currency
            self.initial[f"package_{i}_period"] = item.period

    # The template lays the slots out as table rows.
    def skill_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"skill_{i}"], self[f"skill_{i}_essential"]) for i in range(SKILL_SLOTS)]

    def language_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"language_{i}"], self[f"language_{i}_level"], self[f"language_{i}_mandatory"])
            for i in range(LANGUAGE_SLOTS)
        ]

    def package_rows(self) -> list[tuple[Any, Any, Any, Any]]:
        return [
            (
                self[f"package_{i}_kind"],
                self[f"package_{i}_amount"],
                self[f"package_{i}_currency"],
                self[f"package_{i}_period"],
            )
            for i in range(PACKAGE_SLOTS)
        ]

    def main(self) -> list[Any]:
        return [self[name] for name in self.main_fields]

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

    def _group(self) -> IscoGroup | None:
        text = (self.cleaned_data.get("isco") or "").strip()
        code = (self.data.get("isco_value") or "").strip() or text.split(" ")[0]
        if not text:
            return None
        group = IscoGroup.objects.filter(code=code).first()
        if group is None:
            self.add_error("isco", _("Choose “%(label)s” from the suggestions.") % {"label": text})
        return group

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_dates(self, "opportunity", "starts", "ends")
        data["occupation_obj"] = self._concept(Occupation, "occupation")
        data["isco_obj"] = self._group()
        skills: dict[int, SkillNeed] = {}
        for i in range(SKILL_SLOTS):
            skill = self._concept(Skill, f"skill_{i}")
            if skill is not None:
                skills[skill.pk] = SkillNeed(skill, bool(data.get(f"skill_{i}_essential")))
        data["skills"] = list(skills.values())
        languages: list[LanguageNeed] = []
        for i in range(LANGUAGE_SLOTS):
            code = data.get(f"language_{i}") or ""
            level = data.get(f"language_{i}_level") or ""
            if code and not level:
                self.add_error(f"language_{i}_level", _("Give the minimum level."))
            elif code:
                languages.append(
                    LanguageNeed(code, level, bool(data.get(f"language_{i}_mandatory")))
                )
        data["languages"] = languages
        package: list[PackageLine] = []
        for i in range(PACKAGE_SLOTS):
            kind = data.get(f"package_{i}_kind")
            amount: Decimal | None = data.get(f"package_{i}_amount")
            currency = data.get(f"package_{i}_currency")
            if not kind:
                if amount is not None or currency:
                    self.add_error(f"package_{i}_kind", _("Say what this amount is for."))
                continue
            if amount is None:
                self.add_error(f"package_{i}_amount", _("Give the amount (0 if none)."))
            if not currency:
                self.add_error(f"package_{i}_currency", _("Choose the currency."))
            if amount is not None and currency:
                package.append(
                    PackageLine(kind, amount, currency, data.get(f"package_{i}_period") or "once")
                )
        data["package"] = package
        return data

    def validate_unique(self) -> None:
        """The model's constraints are checked by ``services.save_opportunity``, which words
        each problem for the person (a database constraint's name is not a message)."""

    def apply_to_instance(self) -> Opportunity:
        instance: Opportunity = self.instance
        instance.occupation = self.cleaned_data["occupation_obj"]
        instance.isco_group = (
            self.cleaned_data["isco_obj"]
            if instance.occupation is None
            else instance.occupation.isco_group
        )
        return instance


class ProgrammeForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Programme
        fields = [
            "name",
            "code",
            "kind",
            "description",
            "min_years_abroad",
            "min_share_women",
            "active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


class AgreementForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = LabourAgreement
        fields = ["name", "origin_country", "destination_country", "valid_from", "valid_until"]
        widgets = {"valid_from": _date_input(), "valid_until": _date_input()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_dates(self, "agreement", "valid_from", "valid_until")
        return data

    def validate_unique(self) -> None:
        """Checked, in words, by ``services.save_agreement``."""


class QuotaForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Quota
        fields = ["sector", "starts", "ends", "positions"]
        widgets = {"starts": _date_input(), "ends": _date_input()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_dates(self, "quota", "starts", "ends")
        return data

    def validate_unique(self) -> None:
        """Checked, in words, by ``services.save_quota``."""


class ApplyForm(forms.Form):
    message = forms.CharField(
        label=_("A few words to the programme (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )


class InviteForm(forms.Form):
    member = forms.IntegerField(
        label=_("Member number"),
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


class StepForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class PublicSearchForm(forms.Form):
    """The portal's search: text in the title or occupation, and filters."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    country = forms.ChoiceField(label=_("Country"), required=False)
    modality = forms.ChoiceField(
        label=_("Modality"), required=False, choices=[("", _("Any")), *Modality.choices]
    )
    sector = forms.ChoiceField(
        label=_("Sector"), required=False, choices=[("", _("Any")), *Sector.choices]
    )
    programme = forms.ChoiceField(label=_("Programme"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        published = Opportunity.objects.published()
        codes = set(published.values_list("country", flat=True).distinct())
        country = self.fields["country"]
        assert isinstance(country, forms.ChoiceField)
        country.choices = [("", _("Any"))] + [(c, n) for c, n in countries if c in codes]
        programme = self.fields["programme"]
        assert isinstance(programme, forms.ChoiceField)
        programmes = (
            Programme.objects.filter(opportunities__in=published)
            .distinct()
            .order_by("name")
            .values_list("code", "name")
        )
        programme.choices = [("", _("Any")), *programmes]
        style_widgets(self)

    def apply(self, qs: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        qs = qs.search(data.get("q") or "")  # type: ignore[attr-defined]
        if data.get("country"):
            qs = qs.filter(country=data["country"])
        if data.get("modality"):
            qs = qs.filter(modality=data["modality"])
        if data.get("sector"):
            qs = qs.filter(sector=data["sector"])
        if data.get("programme"):
            qs = qs.filter(programme__code=data["programme"])
        return qs


class BackofficeFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any")), *Opportunity.Status.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)
