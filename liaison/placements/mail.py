"""The emails of placements, sent once the transaction that causes them has committed: to
reviewers when a shortlist is sent, to candidates when it is decided, and the invitations to
a placement's surveys when they are due (``send_due_surveys``, also run daily by the command
``send_placement_surveys``). Links point to ``settings.LIAISON_BASE_URL``."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.accounts.models import RoleGrant
from liaison.accounts.roles import Role, ScopeKind
from liaison.opportunities.models import Opportunity
from liaison.opportunities.services import short_date
from liaison.placements import followup
from liaison.placements.models import Placement, PlacementSurvey, Shortlist


def link(path: str) -> str:
    return f"{settings.LIAISON_BASE_URL}{path}"


def _send(subject: str, body: str, recipients: list[str]) -> None:
    send_mail(f"[{settings.SITE_NAME}] {subject}", body, None, recipients)


def candidate_decision(placement_id: int, selected: bool) -> None:
    """Tell a candidate whether they were selected."""
    placement = (
        Placement.objects.select_related("member", "opportunity__host")
        .filter(pk=placement_id)
        .first()
    )
    if placement is None or placement.member is None or not placement.member.email:
        return
    opportunity = placement.opportunity
    values = {
        "name": placement.member.display_name,
        "title": opportunity.title,
        "host": opportunity.host,
        "ref": placement.reference,
    }
    if selected:
        subject = _("You were selected: %(title)s") % values
        body = _(
            "Dear %(name)s,\n\nYou were selected for “%(title)s” at %(host)s (case %(ref)s). "
            "The programme's officer will contact you about the contract and the next steps."
        )
    else:
        subject = _("Your application: %(title)s") % values
        body = _(
            "Dear %(name)s,\n\nThank you for applying to “%(title)s” at %(host)s (case "
            "%(ref)s). After review of the shortlist, another candidate was selected. Your "
            "profile stays in the registry for other opportunities."
        )
    _send(subject, body % values, [placement.member.email])


def candidate_selected(placement_id: int) -> None:
    candidate_decision(placement_id, selected=True)


def candidate_not_selected(placement_id: int) -> None:
    candidate_decision(placement_id, selected=False)


def ask_reviewers(shortlist_id: int, user_ids: list[int] | None = None) -> None:
    """Send each reviewer of a shortlist (or those of ``user_ids``) the link to their page."""
    shortlist = Shortlist.objects.select_related("opportunity__host").get(pk=shortlist_id)
    values = {
        "count": shortlist.candidates.count(),
        "title": shortlist.opportunity.title,
        "host": shortlist.opportunity.host,
        "link": link(reverse("placements:shortlist-review", args=[shortlist.pk])),
    }
    reviewers = shortlist.reviewers.select_related("user")
    if user_ids is not None:
        reviewers = reviewers.filter(user_id__in=user_ids)
    for reviewer in reviewers:
        if not reviewer.user.email:
            continue
        _send(
            _("Shortlist to review: %(title)s") % values,
            _(
                "Hello,\n\nYou are asked to review %(count)s candidates for “%(title)s” at "
                "%(host)s. First declare any conflict of interest with a candidate, then score "
                "the others from 1 to 10; the other reviewers do not see your scores.\n\n%(link)s"
            )
            % values,
            [reviewer.user.email],
        )


def host_contacts(opportunity: Opportunity) -> list[str]:
    """Where a host institution is written to: its focal points' and its own addresses."""
    grants = RoleGrant.objects.active().filter(
        role=Role.HOST_FOCAL_POINT,
        scope_kind=ScopeKind.INSTITUTION,
        scope_value=str(opportunity.host_id),
        user__is_active=True,
    )
    emails = sorted({g.user.email for g in grants.select_related("user") if g.user.email})
    if opportunity.host.email and opportunity.host.email not in emails:
        emails.append(opportunity.host.email)
    return emails


def send_due_surveys(placement_id: int | None = None, today: datetime.date | None = None) -> int:
    """Email the link of every placement survey that is due and not yet sent (of one
    placement, or all); returns how many surveys were sent. One with nobody to write to stays
    unsent: the placement's page shows its link, to pass on by hand."""
    today = today or timezone.localdate()
    due = PlacementSurvey.objects.filter(sent_at__isnull=True, due_on__lte=today).select_related(
        "wave", "placement__member", "placement__opportunity__host"
    )
    if placement_id is not None:
        due = due.filter(placement_id=placement_id)
    sent = 0
    for survey in due:
        placement = survey.placement
        opportunity = placement.opportunity
        closes = survey.wave.closes_at
        values = {
            "title": opportunity.title,
            "ref": placement.reference,
            "host": opportunity.host,
            "link": link(followup.form_path(survey)),
            "until": short_date(timezone.localdate(closes)) if closes else "—",
        }
        if survey.kind == PlacementSurvey.Kind.HOST_EVALUATION:
            recipients = host_contacts(opportunity)
            subject = _("Please evaluate the mission %(ref)s") % values
            body = _(
                "Hello,\n\nThe mission “%(title)s” (case %(ref)s) at %(host)s has ended. Please "
                "tell the programme how it went, in the host institution's evaluation "
                "questionnaire:\n\n%(link)s\n\nThe questionnaire is open until %(until)s. Write "
                "the case number %(ref)s as the mission reference."
            )
        else:
            member = placement.member
            recipients = [member.email] if member is not None and member.email else []
            subject = _("How are you doing? Follow-up of case %(ref)s") % values
            body = _(
                "Hello,\n\nSome months have passed since the end of your assignment “%(title)s” "
                "(case %(ref)s). The programme would like to know how you are doing; the "
                "questionnaire takes about ten minutes:\n\n%(link)s\n\nIt is open until "
                "%(until)s. Give the case number %(ref)s, not your name."
            )
        if not recipients:
            continue
        _send(subject, body % values, recipients)
        PlacementSurvey.objects.filter(pk=survey.pk).update(
            sent_at=timezone.now(), sent_to=len(recipients)
        )
        sent += 1
    return sent


def surveys_due_for(placement_id: int) -> None:
    send_due_surveys(placement_id)
