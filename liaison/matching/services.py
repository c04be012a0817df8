"""Rankings as people may see them: permission checks, the audit trail, invitations.

Services take an actor and domain objects, never a request. Showing a ranked member to staff is
a read of their record: each one shown is logged (``audit.services.record_view``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from liaison.accounts.permissions import check, require
from liaison.audit.services import record_view
from liaison.matching import engine, facts
from liaison.opportunities import services as opportunity_services
from liaison.opportunities.models import Application, Opportunity, Status
from liaison.registry.models import Member

ACTION = "matching.view"
MAX_LIMIT = 100
INVITABLE = (Status.VALIDATED, Status.PUBLISHED)


def check_options(limit: int, women_share: int | None) -> None:
    errors = {}
    if not 1 <= limit <= MAX_LIMIT:
        errors["limit"] = _("List between 1 and %(n)s people.") % {"n": MAX_LIMIT}
    if women_share is not None and not 0 <= women_share <= 100:
        errors["women_share"] = _("The share of women is a percentage, from 0 to 100.")
    if errors:
        raise ValidationError(errors)


@dataclass(frozen=True)
class Listed:
    """A ranked candidate with what the viewer may do about them."""

    candidate: engine.Candidate
    member: Member
    application: str  # "", "applied" or "invited"
    may_open: bool  # the viewer may open the member's record
    may_invite: bool


@dataclass(frozen=True)
class CandidateList:
    opportunity: Opportunity
    ranking: engine.Ranking
    listed: list[Listed]
    limit: int
    # Qualified members the viewer may not see (for a host institution's focal point, everyone
    # who has not applied to the opportunity): counted, never named.
    withheld: int = 0


def candidates_for(
    actor: Any, opportunity: Opportunity, *, limit: int = 50, women_share: int | None = None
) -> CandidateList:
    """The best ``limit`` qualified members for the opportunity, with explanations, for an
    officer or the host institution's focal point; at least ``women_share`` per cent women
    when enough qualify (``None``: no such guarantee)."""
    require(actor, ACTION, opportunity)
    if opportunity.status not in INVITABLE:
        # A draft could be written to look anyone up: candidates once it is validated.
        raise PermissionDenied(_("Candidates are ranked once the opportunity is validated."))
    check_options(limit, women_share)
    need = facts.load_need(opportunity)
    ranking = engine.rank_members(need, limit=limit, women_share=women_share)
    ids = [c.member_id for c in ranking.candidates]
    members = Member.objects.in_bulk(ids)
    applications = dict(
        Application.objects.filter(opportunity=opportunity, member_id__in=ids).values_list(
            "member_id", "origin"
        )
    )
    invites = bool(check(actor, "opportunities.invite", opportunity))
    # Officers (who may read members' records somewhere) see every qualified member, with the
    # record and the invitation only within their scope; a host institution's focal point
    # sees only the members who applied to this opportunity (they chose to show themselves to
    # its host), and how many others qualify.
    officer = bool(check(actor, "registry.view_member"))
    listed = []
    withheld = 0
    for candidate in ranking.candidates:
        member = members.get(candidate.member_id)
        if member is None:  # erased since it was ranked
            continue
        may_open = officer and bool(check(actor, "registry.view_member", member))
        if not officer and applications.get(member.pk) != Application.Origin.APPLIED:
            withheld += 1
            continue
        record_view(actor, member, reason=f"ranked for opportunity #{opportunity.pk}")
        listed.append(
            Listed(
                candidate,
                member,
                applications.get(member.pk, ""),
                may_open,
                invites and may_open and member.pk not in applications,
            )
        )
    return CandidateList(opportunity, ranking, listed, limit, withheld)


def opportunities_for_member(
    actor: Any, member: Member, *, limit: int = 20
) -> list[engine.Suggestion]:
    """Open opportunities the member qualifies for, best first, for an officer whose scope
    covers the member (a member who has not agreed to be matched gets none)."""
    require(actor, ACTION)
    require(actor, "registry.view_member")
    if not check(actor, "registry.view_member", member):
        raise Http404(_("No such record."))
    check_options(limit, None)
    profile = facts.load_profiles([member.pk])[member.pk]
    record_view(actor, member, reason="opportunities matched to the member")
    return engine.rank_opportunities(profile, limit=limit)


def my_opportunities(member: Member, *, limit: int = 20) -> list[engine.Suggestion]:
    """A member's own suggestions: shown before they agree to be matched, so that they can
    see what agreeing would bring (officers find them only once they agree)."""
    check_options(limit, None)
    profile = facts.load_profiles([member.pk])[member.pk]
    return engine.rank_opportunities(profile, limit=limit, require_consent=False)


def invite(actor: Any, opportunity: Opportunity, member: Member, *, message: str = "") -> Any:
    """Invite a ranked member to apply (``opportunities.services.invite`` checks the rest)."""
    return opportunity_services.invite(actor, opportunity, member, message=message)
