"""Placements: a member's way from an application to an assignment and back.

A *placement* follows one application (``opportunities.Application``) through selection and,
for those selected, through the assignment itself. A host institution's need is run as a
**mission** (contracted, on assignment, completed, evaluated); an employer's job order under a
labour agreement as a **labour** placement (the pre-departure checklist, departure, return).
The two workflows are tables in ``workflows.py``; ``services.transition`` is the one function
that moves a placement, writing a ``PlacementTransition`` row for every step.

Selection goes through a ``Shortlist`` sent to the host institution's focal point or to a
selection committee: each ``Reviewer`` declares conflicts of interest, then scores the
candidates (``Review``) without seeing the others' scores, and an officer records the decision.

A placement keeps, for the programme's statistics, the few facts about the expert that the
dashboard counts (sex and country of residence when they were placed), so that the figures
stay right after the person's record is erased (the placement then names nobody).
"""

from __future__ import annotations

from collections.abc import Collection

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from liaison.core.validators import no_markup
from liaison.opportunities.models import Application, Opportunity, PackageItem, currency_code
from liaison.registry.models import Member, Sex
from liaison.surveys.models import Wave


class Track(models.TextChoices):
    """Which workflow a placement follows (from its opportunity's kind)."""

    MISSION = "mission", _("Mission at a host institution")
    LABOUR = "labour", _("Job abroad under a labour agreement")


class State(models.TextChoices):
    APPLIED = "applied", _("Applied")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    SELECTED = "selected", _("Selected")
    NOT_SELECTED = "not_selected", _("Not selected")
    # missions
    CONTRACTED = "contracted", _("Contracted")
    ON_ASSIGNMENT = "on_assignment", _("On assignment")
    COMPLETED = "completed", _("Completed")
    EVALUATED = "evaluated", _("Evaluated")
    # labour
    PRE_DEPARTURE = "pre_departure", _("Preparing departure")
    DEPARTED = "departed", _("Departed, working abroad")
    RETURNED = "returned", _("Returned")
    # either
    WITHDRAWN = "withdrawn", _("Withdrawn by the candidate")
    CANCELLED = "cancelled", _("Cancelled")


class Shortlist(models.Model):
    """Candidates of one opportunity sent for review to its host's focal point or to a
    selection committee; the decision is recorded here once the reviews are in."""

    permission_scope_fields = {
        "country": "opportunity__country",
        "programme": "opportunity__programme__code",
        "institution": "opportunity__host_id",
    }

    class Panel(models.TextChoices):
        HOST = "host", _("The host institution's focal point")
        COMMITTEE = "committee", _("A selection committee")

    class Status(models.TextChoices):
        IN_REVIEW = "in_review", _("In review")
        DECIDED = "decided", _("Decided")

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.PROTECT, related_name="shortlists"
    )
    panel = models.CharField(_("reviewed by"), max_length=10, choices=Panel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.IN_REVIEW
    )
    instructions = models.TextField(
        _("instructions to reviewers"), blank=True, validators=[no_markup]
    )
    shortfall_reason = models.TextField(
        _("why fewer women than the programme's target"), blank=True, validators=[no_markup]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(
        _("reasons for the decision"), blank=True, validators=[no_markup]
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("shortlist")
        verbose_name_plural = _("shortlists")

    def __str__(self) -> str:
        return f"{self.opportunity} · {self.get_panel_display()} #{self.pk}"

    def missing_reviews(self, placements: Collection[Placement]) -> list[str]:
        """What keeps the reviews of ``placements`` from being complete, as sentences naming
        reviewers and candidates: undeclared conflicts of interest, missing scores, and
        candidates whom every reviewer declared a conflict with. Empty: complete."""
        problems: list[str] = []
        undeclared = [
            str(r.user) for r in self.reviewers.select_related("user") if not r.declared_at
        ]
        if undeclared:
            problems.append(
                gettext("Conflicts of interest not yet declared by: %(names)s.")
                % {"names": ", ".join(undeclared)}
            )
        by_pk = {p.pk: p for p in placements}
        reviews = Review.objects.filter(
            reviewer__shortlist=self, placement_id__in=list(by_pk)
        ).select_related("reviewer__user")
        unscored: dict[str, list[str]] = {}
        scored = dict.fromkeys(by_pk, 0)
        for review in reviews:
            if review.conflict:
                continue
            if review.score is not None:
                scored[review.placement_id] += 1
            elif review.reviewer.declared_at is not None:
                unscored.setdefault(str(review.reviewer.user), []).append(
                    by_pk[review.placement_id].reference
                )
        for name, references in unscored.items():
            problems.append(
                gettext("%(name)s has not scored %(candidates)s.")
                % {"name": name, "candidates": ", ".join(references)}
            )
        nobody = [by_pk[pk].reference for pk, n in scored.items() if n == 0]
        if nobody and not undeclared:
            problems.append(
                gettext(
                    "Every reviewer declared a conflict with %(candidates)s: add a reviewer "
                    "without one."
                )
                % {"candidates": ", ".join(nobody)}
            )
        return problems


class PlacementQuerySet(models.QuerySet["Placement"]):
    def assignments(self) -> PlacementQuerySet:
        """Placements that became assignments: selected, and on from there (not withdrawn or
        cancelled before starting)."""
        return self.filter(state__in=ASSIGNED_STATES)


class Placement(models.Model):
    """One candidate's way through selection and, once selected, their assignment."""

    permission_scope_fields = {
        "country": "opportunity__country",
        "programme": "opportunity__programme__code",
        "institution": "opportunity__host_id",
    }
    # About a person: the audit log names the fields that changed, not their values
    # (transitions are logged with their states by ``services.transition``).
    audit_values = False

    Track = Track
    State = State

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.PROTECT, related_name="placements"
    )
    application = models.OneToOneField(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="placement"
    )
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="placements"
    )
    track = models.CharField(_("workflow"), max_length=8, choices=Track.choices)
    state = models.CharField(
        _("state"), max_length=14, choices=State.choices, default=State.APPLIED
    )
    shortlist = models.ForeignKey(
        Shortlist, null=True, blank=True, on_delete=models.SET_NULL, related_name="candidates"
    )
    # For statistics, as they were when the placement was opened.
    sex = models.CharField(_("sex"), max_length=12, choices=Sex.choices, blank=True)
    expert_country = CountryField(_("country where the expert lived"), blank=True)
    # The contract.
    starts = models.DateField(_("contract starts"), null=True, blank=True)
    ends = models.DateField(_("contract ends"), null=True, blank=True)
    contract_days = models.PositiveIntegerField(
        _("days of work contracted"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    # What happened.
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    days_worked = models.PositiveIntegerField(
        _("days worked"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    departed_on = models.DateField(_("departed on"), null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    state_changed_at = models.DateTimeField(_("state since"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        indexes = [
            models.Index(fields=["state", "track"], name="placement_state_idx"),
            models.Index(fields=["opportunity", "state"], name="placement_opportunity_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__isnull=True)
                | models.Q(starts__isnull=True)
                | models.Q(ends__gte=models.F("starts")),
                name="placement_contract_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(started_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="placement_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(returned_on__isnull=True)
                | models.Q(departed_on__isnull=True)
                | models.Q(returned_on__gte=models.F("departed_on")),
                name="placement_returns_after_departure",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """The case number used in letters and surveys instead of the person's name."""
        return f"P-{self.pk:06d}" if self.pk else "P-new"

    @property
    def audit_label(self) -> str:
        return f"placement {self.reference}"

    @property
    def is_open(self) -> bool:
        return self.state not in FINAL_STATES


ASSIGNED_STATES = (
    State.SELECTED,
    State.CONTRACTED,
    State.ON_ASSIGNMENT,
    State.COMPLETED,
    State.EVALUATED,
    State.PRE_DEPARTURE,
    State.DEPARTED,
    State.RETURNED,
)
FINAL_STATES = frozenset(
    {State.NOT_SELECTED, State.EVALUATED, State.RETURNED, State.WITHDRAWN, State.CANCELLED}
)


class PlacementTransition(models.Model):
    """One step of a placement's workflow: who moved it from which state to which, when, why."""

    # Itself a log: ``services.transition`` writes the audit event naming actor and reason.
    audit_skip = True

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="transitions")
    name = models.CharField(_("step"), max_length=16)
    from_state = models.CharField(_("from"), max_length=14, choices=State.choices)
    to_state = models.CharField(_("to"), max_length=14, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("placement transition")
        verbose_name_plural = _("placement transitions")

    def __str__(self) -> str:
        return f"{self.placement_id}: {self.from_state} → {self.to_state}"


class Reviewer(models.Model):
    """A person asked to review a shortlist: the host's focal point or a committee member."""

    shortlist = models.ForeignKey(Shortlist, on_delete=models.CASCADE, related_name="reviewers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    declared_at = models.DateTimeField(
        _("conflicts of interest declared at"), null=True, blank=True
    )

    class Meta:
        ordering = ["shortlist", "pk"]
        verbose_name = _("reviewer")
        verbose_name_plural = _("reviewers")
        constraints = [
            models.UniqueConstraint(fields=["shortlist", "user"], name="unique_shortlist_reviewer")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.shortlist_id}"


class Review(models.Model):
    """One reviewer's view of one candidate: a declared conflict of interest, or a score."""

    audit_values = False  # a judgement about a person

    reviewer = models.ForeignKey(Reviewer, on_delete=models.CASCADE, related_name="reviews")
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="reviews")
    conflict = models.BooleanField(_("conflict of interest"), null=True, blank=True)
    conflict_note = models.CharField(
        _("nature of the conflict"), max_length=300, blank=True, validators=[no_markup]
    )
    score = models.PositiveSmallIntegerField(
        _("score (1 to 10)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    comment = models.TextField(_("comment"), blank=True, validators=[no_markup])
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)

    class Meta:
        ordering = ["reviewer", "placement"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "placement"], name="unique_review"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True)
                | models.Q(score__gte=1, score__lte=10, conflict=False),
                name="review_score_without_conflict_1_to_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id} → {self.placement_id}"


class CompensationItem(models.Model):
    """One item of what the programme pays for a placement (travel, per diem, salary subsidy
    ...): the amount budgeted, in an ISO 4217 currency; its payments say what was paid."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="compensation")
    kind = models.CharField(_("item"), max_length=16, choices=PackageItem.Kind.choices)
    description = models.CharField(
        _("description"), max_length=200, blank=True, validators=[no_markup]
    )
    budget = models.DecimalField(
        _("budgeted"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency (ISO 4217)"), max_length=3, validators=[currency_code])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["placement", "pk"]
        verbose_name = _("compensation item")
        verbose_name_plural = _("compensation")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget__gte=0), name="compensation_budget_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.budget} {self.currency}"


class Payment(models.Model):
    """Money actually paid against a compensation item, in the item's currency."""

    item = models.ForeignKey(CompensationItem, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(
        _("amount paid"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency (ISO 4217)"), max_length=3, validators=[currency_code])
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(
        _("payment reference"), max_length=100, blank=True, validators=[no_markup]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "paid_on", "pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} on {self.paid_on}"


class MissionReport(models.Model):
    """The expert's report on a mission: what was done, what came of it, what should follow."""

    audit_values = False

    placement = models.OneToOneField(
        Placement, on_delete=models.CASCADE, related_name="mission_report"
    )
    activities = models.TextField(_("activities carried out"), validators=[no_markup])
    results = models.TextField(_("results and skills transferred"), validators=[no_markup])
    recommendations = models.TextField(
        _("recommendations and follow-up"), blank=True, validators=[no_markup]
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now=True)

    class Meta:
        verbose_name = _("mission report")
        verbose_name_plural = _("mission reports")

    def __str__(self) -> str:
        return f"report of {self.placement}"


class ChecklistItem(models.Model):
    """One step a worker must clear before departure under a labour agreement."""

    class Item(models.TextChoices):
        CONTRACT = "contract", _("Employment contract signed")
        VISA = "visa", _("Visa and work permit issued")
        MEDICAL = "medical", _("Medical examination passed")
        ORIENTATION = "orientation", _("Pre-departure orientation attended")
        TRAVEL = "travel", _("Travel booked")

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="checklist")
    item = models.CharField(_("step"), max_length=12, choices=Item.choices)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.CharField(
        _("reference or note"), max_length=200, blank=True, validators=[no_markup]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["placement", "pk"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("pre-departure checklist")
        constraints = [
            models.UniqueConstraint(fields=["placement", "item"], name="unique_checklist_item")
        ]

    def __str__(self) -> str:
        return self.get_item_display()


class PlacementSurvey(models.Model):
    """A survey wave opened for one placement: the host's evaluation of the expert, or the
    follow-up of the expert or worker 3, 6 or 12 months after the end. One wave per placement
    and survey, so that its answers belong to this placement and nobody else's."""

    class Kind(models.TextChoices):
        HOST_EVALUATION = "host_evaluation", _("Host institution's evaluation")
        FOLLOW_UP_3 = "follow_up_3", _("Follow-up after 3 months")
        FOLLOW_UP_6 = "follow_up_6", _("Follow-up after 6 months")
        FOLLOW_UP_12 = "follow_up_12", _("Follow-up after 12 months")

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="surveys")
    kind = models.CharField(_("survey"), max_length=16, choices=Kind.choices)
    wave = models.OneToOneField(Wave, on_delete=models.PROTECT, related_name="placement_survey")
    due_on = models.DateField(_("due on"))
    sent_at = models.DateTimeField(_("invitation sent at"), null=True, blank=True)
    sent_to = models.PositiveSmallIntegerField(_("invitations sent"), default=0)

    class Meta:
        ordering = ["placement", "due_on", "pk"]
        verbose_name = _("placement survey")
        verbose_name_plural = _("placement surveys")
        constraints = [
            models.UniqueConstraint(fields=["placement", "kind"], name="unique_placement_survey")
        ]

    def __str__(self) -> str:
        return f"{self.placement} · {self.get_kind_display()}"
