"""The opportunity workflow as data: which step leads from which states to which, who may take it
and what it asks for. ``services.transition`` is the one function that performs a step.

    draft ──submit──► submitted ──validate──► validated ──publish──► published ──close──► closed
      ▲                  │                        │
      └─────return───────┴────────────────────────┘          cancel: from any open state
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from liaison.opportunities.models import Status


@dataclass(frozen=True)
class Step:
    name: str
    label: str | Promise
    sources: frozenset[str]
    target: str
    action: str  # the permission action (RULES) the actor needs on the opportunity
    needs_reason: bool = False


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step(
            "submit",
            _("Submit for validation"),
            frozenset({Status.DRAFT}),
            Status.SUBMITTED,
            "opportunities.edit",
        ),
        Step(
            "return",
            _("Return for changes"),
            frozenset({Status.SUBMITTED, Status.VALIDATED}),
            Status.DRAFT,
            "opportunities.manage",
            needs_reason=True,
        ),
        Step(
            "validate",
            _("Validate"),
            frozenset({Status.SUBMITTED}),
            Status.VALIDATED,
            "opportunities.manage",
        ),
        Step(
            "publish",
            _("Publish"),
            frozenset({Status.VALIDATED}),
            Status.PUBLISHED,
            "opportunities.publish",
        ),
        Step(
            "close",
            _("Close"),
            frozenset({Status.PUBLISHED}),
            Status.CLOSED,
            "opportunities.manage",
        ),
        Step(
            "cancel",
            _("Cancel"),
            frozenset({Status.DRAFT, Status.SUBMITTED, Status.VALIDATED, Status.PUBLISHED}),
            Status.CANCELLED,
            "opportunities.manage",
            needs_reason=True,
        ),
    )
}

# States in which the opportunity's content may still be changed (by whoever may edit it).
EDITABLE = frozenset({Status.DRAFT, Status.SUBMITTED})


def steps_from(status: str) -> list[Step]:
    return [step for step in STEPS.values() if status in step.sources]
