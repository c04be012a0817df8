"""Forms of the placement pages. They read input; the services apply the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from liaison.accounts.models import RoleGrant, User
from liaison.accounts.roles import Role
from liaison.core.forms import style_widgets
from liaison.opportunities.models import Application, PackageItem
from liaison.placements.models import ChecklistItem, Placement, Shortlist, State
from liaison.placements.workflows import Step

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class StepForm(forms.Form):
    """One workflow step: the state the page showed, the fields the step asks for, a reason."""

    expected_state = forms.ChoiceField(choices=State.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, data: Any = None, *, step: Step, placement: Placement) -> None:
        super().__init__(data, prefix=f"step-{step.name}")
        self.workflow_step = step
        self.fields["expected_state"].initial = placement.state
        for name in step.fields:
            model_field = Placement._meta.get_field(name)
            label = getattr(model_field, "verbose_name", name)
            if name.endswith(("_days", "days_worked")):
                self.fields[name] = forms.IntegerField(label=label, min_value=1)
            else:
                self.fields[name] = forms.DateField(label=label, widget=DATE)
        self.fields["reason"].required = step.needs_reason
        self.fields["reason"].label = _("Reason") if step.needs_reason else _("Note (optional)")
        style_widgets(self)

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.workflow_step.fields}


class CompensationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Item"), choices=PackageItem.Kind.choices)
    description = forms.CharField(label=_("Description"), required=False, max_length=200)
    budget = forms.DecimalField(label=_("Budgeted"), max_digits=12, decimal_places=2)
    currency = forms.CharField(
        label=_("Currency (ISO 4217)"), max_length=3, min_length=3, initial="EUR"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


class PaymentForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    amount = forms.DecimalField(label=_("Amount paid"), max_digits=12, decimal_places=2)
    currency = forms.CharField(label=_("Currency (ISO 4217)"), max_length=3, min_length=3)
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)
    reference = forms.CharField(label=_("Payment reference"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


class ChecklistForm(forms.Form):
    item = forms.ChoiceField(choices=ChecklistItem.Item.choices, widget=forms.HiddenInput)
    done_on = forms.DateField(label=_("Done on"), required=False, widget=DATE)
    note = forms.CharField(label=_("Reference or note"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


class ReportForm(forms.Form):
    activities = forms.CharField(
        label=_("Activities carried out"), widget=forms.Textarea(attrs={"rows": 6})
    )
    results = forms.CharField(
        label=_("Results and skills transferred"), widget=forms.Textarea(attrs={"rows": 6})
    )
    recommendations = forms.CharField(
        label=_("Recommendations and follow-up"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


def possible_reviewers() -> QuerySet[User]:
    """People holding a role that may review shortlists (the service checks each one's scope
    against the opportunity)."""
    ids = (
        RoleGrant.objects.active()
        .filter(role__in=[Role.REVIEWER, Role.HOST_FOCAL_POINT])
        .values("user_id")
    )
    return User.objects.filter(pk__in=ids, is_active=True).order_by("full_name", "email")


def _candidate_label(application: Application) -> str:
    return application.member.display_name


class ShortlistForm(forms.Form):
    applications = forms.ModelMultipleChoiceField(
        label=_("Candidates"),
        queryset=Application.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    panel = forms.ChoiceField(label=_("Reviewed by"), choices=Shortlist.Panel.choices)
    reviewers = forms.ModelMultipleChoiceField(
        label=_("Reviewers"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The host's focal point, or two members of the selection committee or more."),
    )
    instructions = forms.CharField(
        label=_("Instructions to reviewers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    shortfall_reason = forms.CharField(
        label=_("If fewer women than the programme's target: why"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, applications: QuerySet[Application], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["applications"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = applications
        field.label_from_instance = _candidate_label  # type: ignore[method-assign,assignment]
        reviewers = self.fields["reviewers"]
        assert isinstance(reviewers, forms.ModelMultipleChoiceField)
        reviewers.queryset = possible_reviewers()
        style_widgets(self)


class DeclarationForm(forms.Form):
    """For each candidate: a conflict of interest, and its nature."""

    def __init__(self, *args: Any, placements: list[Placement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.placements = placements
        for p in placements:
            self.fields[f"conflict_{p.pk}"] = forms.BooleanField(
                label=_("%(ref)s: conflict of interest") % {"ref": p.reference}, required=False
            )
            self.fields[f"note_{p.pk}"] = forms.CharField(
                label=_("%(ref)s: nature of the conflict") % {"ref": p.reference},
                required=False,
                max_length=300,
            )
        style_widgets(self)

    def conflicts(self) -> dict[int, str]:
        return {
            p.pk: self.cleaned_data.get(f"note_{p.pk}", "")
            for p in self.placements
            if self.cleaned_data.get(f"conflict_{p.pk}")
        }


class ScoreForm(forms.Form):
    """A score from 1 to 10 and a comment for each candidate without a conflict."""

    def __init__(self, *args: Any, placements: list[Placement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.placements = placements
        for p in placements:
            self.fields[f"score_{p.pk}"] = forms.IntegerField(
                label=_("%(ref)s: score (1 to 10)") % {"ref": p.reference},
                min_value=1,
                max_value=10,
            )
            self.fields[f"comment_{p.pk}"] = forms.CharField(
                label=_("%(ref)s: comment") % {"ref": p.reference},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        style_widgets(self)

    def scores(self) -> dict[int, tuple[int, str]]:
        return {
            p.pk: (
                int(self.cleaned_data[f"score_{p.pk}"]),
                self.cleaned_data.get(f"comment_{p.pk}", ""),
            )
            for p in self.placements
        }


class DecisionForm(forms.Form):
    selected = forms.ModelMultipleChoiceField(
        label=_("Selected candidates"),
        queryset=Placement.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Reasons for the decision"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, candidates: QuerySet[Placement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["selected"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = candidates
        style_widgets(self)


class AddReviewerForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=_("Add a reviewer"), queryset=User.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reviewer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = possible_reviewers()
        style_widgets(self)
