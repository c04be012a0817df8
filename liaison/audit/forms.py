from __future__ import annotations

import datetime

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from liaison.audit.models import AuditEvent
from liaison.core.forms import style_widgets


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Who (email contains)"), required=False, max_length=254)
    action = forms.ChoiceField(
        label=_("What"), required=False, choices=[("", _("Any")), *AuditEvent.Action.choices]
    )
    record_type = forms.ModelChoiceField(
        label=_("Record type"),
        required=False,
        queryset=ContentType.objects.filter(
            app_label__in=["accounts", "registry", "taxonomy", "mfa", "account"]
        ).order_by("app_label", "model"),
        empty_label=_("Any"),
    )
    object_id = forms.CharField(label=_("Record id"), required=False, max_length=64)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        style_widgets(self)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if isinstance(since, datetime.date) and isinstance(until, datetime.date) and since > until:
            raise forms.ValidationError(_("“From” must not be after “Until”."))
        return data

    def filter(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        if not self.is_valid():
            return events.none()
        data = self.cleaned_data
        if data["actor"]:
            events = events.filter(actor_label__icontains=data["actor"])
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["record_type"]:
            events = events.filter(content_type=data["record_type"])
        if data["object_id"]:
            events = events.filter(object_id=data["object_id"])
        if data["since"]:
            events = events.filter(at__date__gte=data["since"])
        if data["until"]:
            events = events.filter(at__date__lte=data["until"])
        return events
