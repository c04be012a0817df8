"""Selection: a shortlist of candidates sent to the host institution's focal point or to a
selection committee, whose members first declare their conflicts of interest, then score the
other candidates independently (no reviewer sees another's scores); an officer records the
decision, which moves every candidate (select or not_select, through ``services.transition``)
and emails them once it is stored."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.accounts.models import User
from liaison.accounts.permissions import check, grants_of, raise_errors, require
from liaison.accounts.roles import Role, ScopeKind
from liaison.opportunities.models import Application, Opportunity
from liaison.placements import mail
from liaison.placements.models import (
    ASSIGNED_STATES,
    Placement,
    Review,
    Reviewer,
    Shortlist,
    State,
)
from liaison.placements.services import (
    SELECTING,
    open_placement,
    transition,
    user_or_none,
)


def may_review(user: Any, opportunity: Opportunity, panel: str) -> bool:
    """Whether ``user`` may sit on a ``panel`` reviewing candidates of ``opportunity``: the
    host's focal point for the host panel; for a committee, a reviewer or focal point whose
    grant covers the opportunity (a programme, or everywhere)."""
    if not check(user, "placements.review", opportunity):
        return False
    if panel == Shortlist.Panel.HOST:
        return any(
            g.role == Role.HOST_FOCAL_POINT
            and g.scope_kind in (ScopeKind.INSTITUTION, ScopeKind.GLOBAL)
            and g.scope_value in (str(opportunity.host_id), "")
            for g in grants_of(user)
        )
    return True


@transaction.atomic
def send_shortlist(
    actor: Any,
    opportunity: Opportunity,
    applications: Sequence[Application],
    *,
    panel: str,
    reviewers: Sequence[User],
    instructions: str = "",
    shortfall_reason: str = "",
) -> Shortlist:
    """Shortlist candidates of ``opportunity`` and send them to the host's focal point or to a
    selection committee (two people or more), who are emailed a link to review them."""
    require(actor, "placements.manage", opportunity)
    locked = (
        Opportunity.objects.select_for_update(of=("self",))
        .select_related("programme")
        .get(pk=opportunity.pk)
    )
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if locked.status not in SELECTING:
        add(
            "opportunity",
            _(
                "Candidates are selected for validated or published opportunities; "
                "this one is %(s)s."
            )
            % {"s": locked.get_status_display().lower()},
        )
    if panel not in Shortlist.Panel.values:
        add("panel", _("Choose who reviews the shortlist."))
    chosen = list({a.pk: a for a in applications}.values())
    if not chosen:
        add("applications", _("Choose at least one candidate."))
    members_users = set()
    for application in chosen:
        name = application.member.display_name
        if application.opportunity_id != locked.pk:
            add("applications", _("%(name)s applied to another opportunity.") % {"name": name})
            continue
        if application.accepted_at is None:
            add(
                "applications",
                _("%(name)s has not accepted the invitation to apply.") % {"name": name},
            )
        placement = Placement.objects.filter(application=application).first()
        if placement is not None and placement.state != State.APPLIED:
            add(
                "applications",
                _("%(name)s is already “%(state)s”.")
                % {"name": name, "state": placement.get_state_display()},
            )
        if application.member.user_id:
            members_users.add(application.member.user_id)
    people = list({u.pk: u for u in reviewers}.values())
    if panel == Shortlist.Panel.COMMITTEE and len(people) < 2:
        add("reviewers", _("A selection committee has two members or more."))
    if panel == Shortlist.Panel.HOST and not people:
        add("reviewers", _("Choose the host institution's focal point."))
    for person in people:
        if person.pk in members_users:
            add(
                "reviewers",
                _("%(name)s is a candidate on this shortlist and cannot review it.")
                % {"name": person},
            )
        elif panel in Shortlist.Panel.values and not may_review(person, locked, panel):
            add(
                "reviewers",
                _("%(name)s may not review this shortlist (%(why)s).")
                % {
                    "name": person,
                    "why": _("not a focal point of %(host)s") % {"host": locked.host}
                    if panel == Shortlist.Panel.HOST
                    else _("no reviewer role covering this programme"),
                },
            )
    target = locked.programme.min_share_women
    if chosen and target:
        women = sum(1 for a in chosen if a.member.sex == "female")
        share = 100 * women / len(chosen)
        if share < target and not shortfall_reason.strip():
            add(
                "shortfall_reason",
                _(
                    "%(women)s of %(total)s candidates are women (%(share).0f%%), below the "
                    "programme's target of %(target)s%%: add candidates or say why."
                )
                % {"women": women, "total": len(chosen), "share": share, "target": target},
            )
    raise_errors(errors)
    shortlist = Shortlist(
        opportunity=locked,
        panel=panel,
        instructions=instructions.strip(),
        shortfall_reason=shortfall_reason.strip(),
        created_by=user_or_none(actor),
    )
    shortlist.full_clean()
    shortlist.save()
    placements = []
    for application in chosen:
        placement = open_placement(actor, application)
        Placement.objects.filter(pk=placement.pk).update(shortlist=shortlist)
        placement.shortlist = shortlist
        placements.append(transition(actor, placement, "shortlist", expected_state=State.APPLIED))
    for person in people:
        reviewer = Reviewer.objects.create(shortlist=shortlist, user=person)
        Review.objects.bulk_create(Review(reviewer=reviewer, placement=p) for p in placements)
    transaction.on_commit(partial(mail.ask_reviewers, shortlist.pk), robust=True)
    return shortlist


@transaction.atomic
def add_reviewer(actor: Any, shortlist: Shortlist, user: User) -> Reviewer:
    """Add someone to the panel of a shortlist in review (when reviewers declared conflicts
    with a candidate, or one cannot take part); they are emailed the link."""
    require(actor, "placements.manage", shortlist)
    locked = (
        Shortlist.objects.select_for_update(of=("self",))
        .select_related("opportunity")
        .get(pk=shortlist.pk)
    )
    if locked.status != Shortlist.Status.IN_REVIEW:
        raise ValidationError(_("This shortlist is decided; its panel cannot change."))
    candidates = list(locked.candidates.all())
    if Reviewer.objects.filter(shortlist=locked, user=user).exists():
        raise ValidationError({"reviewer": [_("%(name)s is already a reviewer.") % {"name": user}]})
    if any(p.member is not None and p.member.user_id == user.pk for p in candidates):
        raise ValidationError(
            {
                "reviewer": [
                    _("%(name)s is a candidate on this shortlist and cannot review it.")
                    % {"name": user}
                ]
            }
        )
    if not may_review(user, locked.opportunity, locked.panel):
        raise ValidationError(
            {"reviewer": [_("%(name)s may not review this shortlist.") % {"name": user}]}
        )
    reviewer = Reviewer.objects.create(shortlist=locked, user=user)
    Review.objects.bulk_create(Review(reviewer=reviewer, placement=p) for p in candidates)
    transaction.on_commit(partial(mail.ask_reviewers, locked.pk, [user.pk]), robust=True)
    return reviewer


def reviewer_of(actor: Any, shortlist: Shortlist) -> Reviewer:
    """The actor's seat on the shortlist's panel; PermissionDenied when they have none."""
    reviewer = Reviewer.objects.filter(
        shortlist=shortlist, user_id=int(getattr(actor, "pk", 0) or 0)
    )
    found = reviewer.first()
    if found is None or not check(actor, "placements.review"):
        raise PermissionDenied(_("You are not a reviewer of this shortlist."))
    return found


@transaction.atomic
def declare_conflicts(actor: Any, shortlist: Shortlist, conflicts: Mapping[int, str]) -> Reviewer:
    """The reviewer declares their conflicts of interest (placement id -> its nature; empty:
    none) before scoring. A conflict can be added later (its score is then dropped), never
    taken back."""
    locked = Shortlist.objects.select_for_update().get(pk=shortlist.pk)
    reviewer = reviewer_of(actor, locked)
    if locked.status != Shortlist.Status.IN_REVIEW:
        raise ValidationError(_("This shortlist is decided; nothing can be declared any more."))
    reviews = {r.placement_id: r for r in reviewer.reviews.select_related("placement")}
    errors: list[str] = []
    for placement_id, note in conflicts.items():
        if placement_id not in reviews:
            errors.append(_("Candidate #%(id)s is not on this shortlist.") % {"id": placement_id})
        elif not note.strip():
            errors.append(
                _("Say what the conflict of interest with %(ref)s is.")
                % {"ref": reviews[placement_id].placement.reference}
            )
    for placement_id, review in reviews.items():
        if review.conflict and placement_id not in conflicts:
            errors.append(
                _("The conflict declared with %(ref)s cannot be taken back.")
                % {"ref": review.placement.reference}
            )
    if errors:
        raise ValidationError({"conflicts": errors})
    now = timezone.now()
    for placement_id, review in reviews.items():
        conflict = placement_id in conflicts
        review.conflict = conflict
        review.conflict_note = conflicts.get(placement_id, "").strip()[:300]
        if conflict:
            review.score = None
            review.comment = ""
            review.scored_at = None
        review.full_clean(validate_constraints=False)
        review.save()
    reviewer.declared_at = reviewer.declared_at or now
    reviewer.save(update_fields=["declared_at"])
    return reviewer


@transaction.atomic
def score(actor: Any, shortlist: Shortlist, scores: Mapping[int, tuple[int, str]]) -> list[Review]:
    """The reviewer scores candidates (placement id -> (score 1 to 10, comment)); they may
    change their scores until the decision."""
    locked = Shortlist.objects.select_for_update().get(pk=shortlist.pk)
    reviewer = reviewer_of(actor, locked)
    if locked.status != Shortlist.Status.IN_REVIEW:
        raise ValidationError(_("This shortlist is decided; scores cannot change any more."))
    if reviewer.declared_at is None:
        raise ValidationError(_("Declare your conflicts of interest before scoring."))
    reviews = {r.placement_id: r for r in reviewer.reviews.select_related("placement")}
    errors: list[str] = []
    for placement_id, (value, _comment) in scores.items():
        review = reviews.get(placement_id)
        if review is None:
            errors.append(_("Candidate #%(id)s is not on this shortlist.") % {"id": placement_id})
        elif review.conflict:
            errors.append(
                _("You declared a conflict of interest with %(ref)s: you cannot score them.")
                % {"ref": review.placement.reference}
            )
        elif isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10:
            errors.append(
                _("The score of %(ref)s must be a whole number from 1 to 10 (not “%(v)s”).")
                % {"ref": review.placement.reference, "v": value}
            )
    if errors:
        raise ValidationError({"scores": errors})
    now = timezone.now()
    saved = []
    for placement_id, (value, comment) in scores.items():
        review = reviews[placement_id]
        review.score = value
        review.comment = comment.strip()
        review.scored_at = now
        review.full_clean(validate_constraints=False)
        review.save()
        saved.append(review)
    return saved


def scoreboard(shortlist: Shortlist) -> list[dict[str, Any]]:
    """Each candidate still on the shortlist (or decided on it) with the mean of their scores,
    how many scored them and how many declared a conflict, best first."""
    rows: list[dict[str, Any]] = []
    candidates = shortlist.candidates.select_related("member").prefetch_related(
        Prefetch("reviews", queryset=Review.objects.filter(reviewer__shortlist=shortlist))
    )
    for placement in candidates:
        reviews = list(placement.reviews.all())
        scores = [r.score for r in reviews if r.score is not None]
        rows.append(
            {
                "placement": placement,
                "mean": round(sum(scores) / len(scores), 2) if scores else None,
                "scores": len(scores),
                "conflicts": sum(1 for r in reviews if r.conflict),
            }
        )
    rows.sort(key=lambda r: (r["mean"] is None, -(r["mean"] or 0), r["placement"].pk))
    return rows


@transaction.atomic
def decide(
    actor: Any, shortlist: Shortlist, selected: Collection[Placement], *, note: str = ""
) -> Shortlist:
    """Record the decision on a shortlist whose reviews are complete: the ``selected``
    candidates are selected, the others not; each is emailed once it is stored. A decision
    that departs from the scores' order must say why (``note``)."""
    require(actor, "placements.decide", shortlist)
    locked = (
        Shortlist.objects.select_for_update(of=("self",))
        .select_related("opportunity")
        .get(pk=shortlist.pk)
    )
    if locked.status != Shortlist.Status.IN_REVIEW:
        raise ValidationError(_("This shortlist was already decided."))
    candidates = list(locked.candidates.filter(state=State.SHORTLISTED).order_by("pk"))
    by_pk = {p.pk: p for p in candidates}
    chosen = {p.pk for p in selected}
    errors: dict[str, list[str]] = {}
    strangers = chosen - set(by_pk)
    if strangers:
        errors["selected"] = [
            _("%(ref)s is not a candidate of this shortlist still in review.")
            % {"ref": Placement(pk=pk).reference}
            for pk in sorted(strangers)
        ]
    problems = locked.missing_reviews(candidates)
    if problems:
        errors["reviews"] = problems
    opportunity = Opportunity.objects.select_for_update().get(pk=locked.opportunity_id)
    taken = opportunity.placements.filter(state__in=ASSIGNED_STATES).count()
    free = opportunity.positions - taken
    if len(chosen) > free:
        errors.setdefault("selected", []).append(
            _("The opportunity has %(free)s of %(total)s positions left; %(n)s selected.")
            % {"free": max(free, 0), "total": opportunity.positions, "n": len(chosen)}
        )
    if not errors and not note.strip():
        board = {row["placement"].pk: row["mean"] for row in scoreboard(locked)}
        worst_in = min((board[pk] for pk in chosen if board.get(pk) is not None), default=None)
        best_out = max(
            (board[pk] for pk in by_pk if pk not in chosen and board.get(pk) is not None),
            default=None,
        )
        if worst_in is not None and best_out is not None and worst_in < best_out:
            errors["note"] = [
                _(
                    "A candidate not selected scored higher (%(out)s) than one selected "
                    "(%(in)s): give the reasons for the decision."
                )
                % {"out": best_out, "in": worst_in}
            ]
    raise_errors(errors)
    for placement in candidates:
        name = "select" if placement.pk in chosen else "not_select"
        transition(actor, placement, name, expected_state=State.SHORTLISTED, reason=note)
    locked.status = Shortlist.Status.DECIDED
    locked.decided_by = user_or_none(actor)
    locked.decided_at = timezone.now()
    locked.decision_note = note.strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return locked


def shortlists_to_review(actor: Any) -> QuerySet[Shortlist]:
    """The shortlists ``actor`` sits on the panel of."""
    return Shortlist.objects.filter(reviewers__user_id=getattr(actor, "pk", 0)).select_related(
        "opportunity__host"
    )


def visible_reviews(actor: Any, shortlist: Shortlist) -> QuerySet[Review]:
    """Reviews as ``actor`` may read them: officers all of them; a reviewer only their own
    (scores are independent: nobody on the panel sees another's)."""
    reviews = Review.objects.filter(reviewer__shortlist=shortlist).select_related(
        "reviewer__user", "placement"
    )
    if check(actor, "placements.decide", shortlist):
        return reviews
    return reviews.filter(reviewer__user_id=getattr(actor, "pk", 0))
