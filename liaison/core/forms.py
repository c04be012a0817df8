"""Form helpers shared by the apps."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form: on the named field when the form has
    it, above the form otherwise."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def style_widgets(form: forms.BaseForm) -> None:
    """The CSS framework's classes on the form's inputs, where a widget sets none itself.
    Hidden inputs need none; a list of checkboxes is drawn choice by choice."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput | forms.CheckboxSelectMultiple):
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


def mark_invalid(form: forms.BaseForm) -> None:
    """Bootstrap's is-invalid on the inputs of the fields in error (Django itself marks them
    aria-invalid and describes them by their messages); call it once the form is checked."""
    for name in form.errors:
        if name in form.fields:
            attrs = form.fields[name].widget.attrs
            attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
