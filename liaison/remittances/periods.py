"""Quarters, the periods RPW prices are collected in ("2025_3Q" in RPW workbooks, "2025Q3" in
World Bank DataBank exports, "2025 Q3" on Liaison's pages)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

_PATTERNS = (
    re.compile(r"^\s*(\d{4})\s*[_ -]?\s*([1-4])\s*Q\s*$", re.IGNORECASE),  # 2025_3Q
    re.compile(r"^\s*(\d{4})\s*[_ -]?\s*Q\s*([1-4])\s*$", re.IGNORECASE),  # 2025Q3, 2025 Q3
)
FIRST_YEAR = 2008  # RPW's first collection
LAST_YEAR = 2100


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int

    def __str__(self) -> str:
        return f"{self.year} Q{self.quarter}"

    @property
    def key(self) -> str:
        """The form used in URLs and exports: ``2025Q3``."""
        return f"{self.year}Q{self.quarter}"

    @property
    def starts(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.quarter - 2, 1)

    @classmethod
    def parse(cls, text: object) -> Period:
        """Read a quarter written any of the usual ways; ValueError says what was expected."""
        for pattern in _PATTERNS:
            found = pattern.match(str(text or ""))
            if found:
                year, quarter = int(found.group(1)), int(found.group(2))
                if FIRST_YEAR <= year <= LAST_YEAR:
                    return cls(year, quarter)
        raise ValueError(
            _("“%(text)s” is not a quarter: write it like 2025Q3 (or 2025_3Q as in RPW files).")
            % {"text": str(text)[:40]}
        )

    @classmethod
    def of(cls, day: datetime.date) -> Period:
        return cls(day.year, (day.month - 1) // 3 + 1)
