from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>|javascript:", re.IGNORECASE)


def no_markup(value: str) -> None:
    """Plain-text fields refuse HTML tags and script URLs (they would be shown as text anyway,
    but such input is a mistake or an attack, and saying so is clearer than storing it)."""
    if value and _MARKUP.search(value):
        raise ValidationError(
            _("Use plain text here: HTML tags and script links are not accepted."),
            code="markup",
        )
