from __future__ import annotations

import re
from typing import Any

from django.conf import settings
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


def within_upload_limit(upload: Any) -> None:
    """Refuse an uploaded file above ``LIAISON_MAX_UPLOAD_BYTES``, before it is read."""
    limit = settings.LIAISON_MAX_UPLOAD_BYTES
    size = getattr(upload, "size", 0) or 0
    if size > limit:
        raise ValidationError(
            _(
                "The file is %(size).1f MB; the limit is %(limit).0f MB. Split it and upload "
                "the parts one after the other."
            ),
            params={"size": size / 1e6, "limit": limit / 1e6},
            code="too_big",
        )
