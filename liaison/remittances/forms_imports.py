"""The upload form of RPW workbooks."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.core.validators import within_upload_limit


class RpwUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Remittance Prices Worldwide workbook (.xlsx)"),
        help_text=_("The workbook as the World Bank publishes it, or in its layout."),
        validators=[within_upload_limit],
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx"}),
    )
