"""Questionnaires ready to use, written by the Liaison team as XLSForms in Markdown tables
(``questionnaires/*.md``, the plain-text form of XLSForm that pyxform reads), so that they can be
reviewed line by line. Officers download them as .xlsx workbooks to adapt in Excel or
KoboToolbox, or add them to Liaison as they are."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from pyxform.xls2json_backends import md_table_to_workbook

FOLDER = Path(__file__).resolve().parent / "questionnaires"


@dataclass(frozen=True)
class Ready:
    slug: str
    title: Promise
    purpose: Promise

    @property
    def path(self) -> Path:
        return FOLDER / f"{self.slug}.md"

    def workbook(self) -> bytes:
        """The questionnaire as an .xlsx workbook."""
        book = md_table_to_workbook(self.path.read_text(encoding="utf-8"))
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


READY = [
    Ready(
        "diaspora_mapping",
        _("Diaspora mapping survey"),
        _(
            "Who lives where, with which education, occupation, skills and languages, and how "
            "they would like to contribute."
        ),
    ),
    Ready(
        "remittance_behaviour",
        _("Remittance behaviour survey"),
        _("How much is sent home, how often, through which channels, at what cost, and for what."),
    ),
    Ready(
        "labour_migration_module",
        _("Labour migration module for household surveys"),
        _("Household members abroad, where they work, how they left, and what they send."),
    ),
    Ready(
        "returnee_follow_up",
        _("Returnee follow-up survey"),
        _("How a returnee is doing months after coming back: work, income, skills used, plans."),
    ),
    Ready(
        "host_evaluation_of_expert",
        _("Host institution's evaluation of an expert"),
        _(
            "The host institution's view of an expert's assignment: objectives met, skills "
            "transferred, what to change."
        ),
    ),
]
BY_SLUG = {r.slug: r for r in READY}
