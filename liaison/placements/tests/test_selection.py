"""Selection: shortlists sent to a host's focal point or a committee, conflicts of interest,
independent scores, the decision and the candidates' emails."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from liaison.accounts.roles import Role, ScopeKind
from liaison.opportunities.models import Application
from liaison.placements import selection, services
from liaison.placements.models import Placement, Review, Reviewer, Shortlist, State
from liaison.registry.services import record_consent
from tests.factories import (
    ApplicationFactory,
    MemberFactory,
    OpportunityFactory,
    user_with_role,
)


@pytest.fixture
def opportunity(db):
    return OpportunityFactory(published=True, positions=1)


@pytest.fixture
def officer(opportunity):
    return user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "FR")


@pytest.fixture
def committee(db):
    return [
        user_with_role(Role.REVIEWER, full_name="Ama Mensah"),
        user_with_role(Role.REVIEWER, full_name="Kofi Boateng"),
    ]


def _apply(opportunity, sex="female", **member):
    user = user_with_role(Role.MEMBER)
    person = MemberFactory(user=user, email=user.email, sex=sex, **member)
    record_consent(user, person, "matching", True)
    return ApplicationFactory(
        opportunity=opportunity, member=person, accepted_at="2026-01-06T10:00Z"
    )


@pytest.fixture
def applications(opportunity):
    return [_apply(opportunity), _apply(opportunity, sex="male"), _apply(opportunity)]


def _send(officer, opportunity, applications, committee, **kwargs):
    return selection.send_shortlist(
        officer,
        opportunity,
        applications,
        panel=kwargs.pop("panel", "committee"),
        reviewers=committee,
        **kwargs,
    )


def _review_all(shortlist, scores_by_user):
    """Each reviewer declares no conflict and scores as given (placement -> score)."""
    for user, scores in scores_by_user.items():
        selection.declare_conflicts(user, shortlist, {})
        selection.score(user, shortlist, {p.pk: (s, "") for p, s in scores.items()})


def test_a_shortlist_goes_to_the_committee_who_are_emailed_a_link(
    officer, opportunity, applications, committee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        shortlist = _send(officer, opportunity, applications, committee)
    placements = list(shortlist.candidates.order_by("pk"))
    assert [p.state for p in placements] == [State.SHORTLISTED] * 3
    assert [p.application for p in placements] == applications
    assert all(p.transitions.get().name == "shortlist" for p in placements)
    assert Review.objects.filter(reviewer__shortlist=shortlist).count() == 6
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in committee)
    link = f"https://liaison.example.org/placements/shortlists/{shortlist.pk}/review/"
    assert all(link in m.body and "3 candidates" in m.body for m in mail.outbox)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ("one_reviewer", "reviewers", "two members or more"),
        ("candidate_reviews", "reviewers", "is a candidate on this shortlist"),
        ("officer_reviews", "reviewers", "no reviewer role covering this programme"),
        ("not_accepted", "applications", "has not accepted the invitation"),
        ("other_opportunity", "applications", "applied to another opportunity"),
        ("no_candidates", "applications", "at least one candidate"),
        ("host_panel_stranger", "reviewers", "not a focal point of"),
    ],
)
def test_a_shortlist_with_bad_input_is_refused_and_nothing_is_stored(
    officer, opportunity, applications, committee, change, field, words
):
    reviewers = list(committee)
    chosen = list(applications)
    panel = "committee"
    if change == "one_reviewer":
        reviewers = reviewers[:1]
    elif change == "candidate_reviews":
        reviewers.append(applications[0].member.user)
    elif change == "officer_reviews":
        reviewers.append(officer)
    elif change == "not_accepted":
        Application.objects.filter(pk=chosen[0].pk).update(accepted_at=None)
        chosen[0].refresh_from_db()
    elif change == "other_opportunity":
        chosen.append(ApplicationFactory(accepted_at="2026-01-06T10:00Z"))
    elif change == "no_candidates":
        chosen = []
    elif change == "host_panel_stranger":
        panel = "host"
        reviewers = [user_with_role(Role.HOST_FOCAL_POINT, ScopeKind.INSTITUTION, "424242")]
    with pytest.raises(ValidationError) as err:
        _send(officer, opportunity, chosen, reviewers, panel=panel)
    assert any(words in m for m in err.value.message_dict[field]), err.value.message_dict
    assert not Shortlist.objects.exists()
    assert not Placement.objects.exists()


def test_the_hosts_focal_point_may_review_alone(officer, opportunity, applications):
    focal = user_with_role(Role.HOST_FOCAL_POINT, ScopeKind.INSTITUTION, str(opportunity.host_id))
    shortlist = _send(officer, opportunity, applications, [focal], panel="host")
    assert list(shortlist.reviewers.values_list("user", flat=True)) == [focal.pk]


def test_fewer_women_than_the_programmes_target_needs_a_reason(
    officer, opportunity, applications, committee
):
    opportunity.programme.min_share_women = 70
    opportunity.programme.save()
    with pytest.raises(ValidationError) as err:
        _send(officer, opportunity, applications, committee)
    assert (
        "2 of 3 candidates are women (67%), below the programme's target of 70%"
        in (err.value.message_dict["shortfall_reason"][0])
    )
    shortlist = _send(
        officer, opportunity, applications, committee, shortfall_reason="Only three applied."
    )
    assert shortlist.shortfall_reason == "Only three applied."


def test_only_officers_in_scope_send_shortlists(opportunity, applications, committee):
    elsewhere = user_with_role(Role.PROGRAMME_OFFICER, ScopeKind.COUNTRY, "DE")
    focal = user_with_role(Role.HOST_FOCAL_POINT, ScopeKind.INSTITUTION, str(opportunity.host_id))
    for outsider in (elsewhere, focal, committee[0]):
        with pytest.raises(PermissionDenied):
            _send(outsider, opportunity, applications, committee)
    assert not Shortlist.objects.exists()


def test_reviewers_declare_conflicts_before_scoring_and_cannot_score_those_candidates(
    officer, opportunity, applications, committee
):
    shortlist = _send(officer, opportunity, applications, committee)
    first, second, third = shortlist.candidates.order_by("pk")
    ama = committee[0]
    with pytest.raises(ValidationError, match="Declare your conflicts of interest before"):
        selection.score(ama, shortlist, {first.pk: (8, "")})
    with pytest.raises(ValidationError) as err:
        selection.declare_conflicts(ama, shortlist, {second.pk: "  "})
    assert f"Say what the conflict of interest with {second.reference} is." in err.value.messages
    selection.declare_conflicts(ama, shortlist, {second.pk: "My cousin"})
    reviewer = Reviewer.objects.get(shortlist=shortlist, user=ama)
    assert reviewer.declared_at is not None
    assert dict(reviewer.reviews.values_list("placement", "conflict")) == {
        first.pk: False,
        second.pk: True,
        third.pk: False,
    }
    with pytest.raises(ValidationError) as err:
        selection.score(ama, shortlist, {second.pk: (9, ""), first.pk: (8, "")})
    assert f"declared a conflict of interest with {second.reference}" in err.value.messages[0]
    assert not Review.objects.filter(score__isnull=False).exists()  # all or nothing
    with pytest.raises(ValidationError, match="cannot be taken back"):
        selection.declare_conflicts(ama, shortlist, {})
    bad_scores: tuple[object, ...] = (0, 11, "7", True)
    for bad in bad_scores:
        with pytest.raises(ValidationError, match="whole number from 1 to 10"):
            selection.score(ama, shortlist, {first.pk: (bad, "")})  # type: ignore[dict-item]
    selection.score(ama, shortlist, {first.pk: (8, "Strong trainer"), third.pk: (6, "")})
    assert Review.objects.get(reviewer=reviewer, placement=first).score == 8


def test_people_off_the_panel_cannot_declare_or_score(
    officer, opportunity, applications, committee
):
    shortlist = _send(officer, opportunity, applications, committee)
    outsider = user_with_role(Role.REVIEWER)
    with pytest.raises(PermissionDenied):
        selection.declare_conflicts(outsider, shortlist, {})
    with pytest.raises(PermissionDenied):
        selection.declare_conflicts(officer, shortlist, {})


def test_a_reviewer_sees_only_their_own_scores_and_officers_see_all(
    officer, opportunity, applications, committee
):
    shortlist = _send(officer, opportunity, applications, committee)
    first, second, third = shortlist.candidates.order_by("pk")
    _review_all(
        shortlist,
        {committee[0]: {first: 9, second: 5, third: 4}, committee[1]: {first: 3, second: 6}},
    )
    mine = selection.visible_reviews(committee[1], shortlist)
    assert {r.reviewer.user for r in mine} == {committee[1]}
    assert selection.visible_reviews(officer, shortlist).count() == 6


def test_the_decision_waits_for_every_declaration_and_score_and_names_who_is_missing(
    officer, opportunity, applications, committee
):
    shortlist = _send(officer, opportunity, applications, committee)
    first, second, third = shortlist.candidates.order_by("pk")
    _review_all(shortlist, {committee[0]: {first: 9, second: 5, third: 4}})
    with pytest.raises(ValidationError) as err:
        selection.decide(officer, shortlist, [first])
    assert err.value.message_dict["reviews"] == [
        "Conflicts of interest not yet declared by: Kofi Boateng."
    ]
    selection.declare_conflicts(committee[1], shortlist, {third.pk: "Former colleague"})
    selection.score(committee[1], shortlist, {first.pk: (7, "")})
    with pytest.raises(ValidationError) as err:
        selection.decide(officer, shortlist, [first])
    assert err.value.message_dict["reviews"] == [f"Kofi Boateng has not scored {second.reference}."]
    assert set(shortlist.candidates.values_list("state", flat=True)) == {State.SHORTLISTED}


def test_a_candidate_everyone_is_conflicted_with_needs_another_reviewer(
    officer, opportunity, applications, committee, django_capture_on_commit_callbacks
):
    shortlist = _send(officer, opportunity, applications[:2], committee)
    first, second = shortlist.candidates.order_by("pk")
    for user in committee:
        selection.declare_conflicts(user, shortlist, {second.pk: "Shareholder of her firm"})
        selection.score(user, shortlist, {first.pk: (7, "")})
    with pytest.raises(ValidationError) as err:
        selection.decide(officer, shortlist, [first])
    assert (
        f"Every reviewer declared a conflict with {second.reference}"
        in (err.value.message_dict["reviews"][0])
    )
    third = user_with_role(Role.REVIEWER)
    with django_capture_on_commit_callbacks(execute=True):
        selection.add_reviewer(officer, shortlist, third)
    assert [m.to for m in mail.outbox] == [[third.email]]
    selection.declare_conflicts(third, shortlist, {})
    selection.score(third, shortlist, {first.pk: (6, ""), second.pk: (5, "")})
    selection.decide(officer, shortlist, [first])
    first.refresh_from_db()
    assert first.state == State.SELECTED


def test_the_decision_selects_and_refuses_candidates_and_emails_each_of_them(
    officer, opportunity, applications, committee, django_capture_on_commit_callbacks
):
    opportunity.positions = 2
    opportunity.save()
    shortlist = _send(officer, opportunity, applications, committee)
    first, second, third = shortlist.candidates.order_by("pk")
    _review_all(
        shortlist,
        {
            committee[0]: {first: 9, second: 8, third: 4},
            committee[1]: {first: 8, second: 7, third: 5},
        },
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decided = selection.decide(officer, shortlist, [first, second])
    assert decided.status == Shortlist.Status.DECIDED and decided.decided_by == officer
    states = dict(shortlist.candidates.values_list("pk", "state"))
    assert states == {
        first.pk: State.SELECTED,
        second.pk: State.SELECTED,
        third.pk: State.NOT_SELECTED,
    }
    by_address = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == 3
    assert "You were selected" in by_address[first.member.email].subject
    assert "You were selected" in by_address[second.member.email].subject
    assert "another candidate was selected" in by_address[third.member.email].body
    assert third.reference in by_address[third.member.email].body
    with pytest.raises(ValidationError, match="already decided"):
        selection.decide(officer, shortlist, [third])


def test_no_more_candidates_are_selected_than_positions_left(
    officer, opportunity, applications, committee
):
    shortlist = _send(officer, opportunity, applications[:2], committee)
    first, second = shortlist.candidates.order_by("pk")
    _review_all(shortlist, {u: {first: 7, second: 7} for u in committee})
    with pytest.raises(ValidationError) as err:
        selection.decide(officer, shortlist, [first, second])
    assert "has 1 of 1 positions left; 2 selected" in err.value.message_dict["selected"][0]


def test_a_decision_against_the_scores_must_give_its_reasons(
    officer, opportunity, applications, committee
):
    shortlist = _send(officer, opportunity, applications[:2], committee)
    first, second = shortlist.candidates.order_by("pk")
    _review_all(shortlist, {u: {first: 9, second: 6} for u in committee})
    with pytest.raises(ValidationError) as err:
        selection.decide(officer, shortlist, [second])
    assert "scored higher (9.0) than one selected (6.0)" in err.value.message_dict["note"][0]
    selection.decide(officer, shortlist, [second], note="The first declined the dates.")
    second.refresh_from_db()
    assert second.state == State.SELECTED
    assert second.transitions.latest("pk").reason == "The first declined the dates."


def test_a_candidate_who_withdrew_during_review_is_left_out_of_the_decision(
    officer, opportunity, applications, committee
):
    shortlist = _send(officer, opportunity, applications[:2], committee)
    first, second = shortlist.candidates.order_by("pk")
    services.transition(second.member.user, second, "withdraw", reason="Took another job")
    _review_all(shortlist, {u: {first: 7} for u in committee})
    selection.decide(officer, shortlist, [first])
    second.refresh_from_db()
    assert second.state == State.WITHDRAWN
    with pytest.raises(ValidationError, match="already decided"):
        selection.decide(officer, shortlist, [second])


def test_only_officers_decide(officer, opportunity, applications, committee):
    shortlist = _send(officer, opportunity, applications[:1], committee)
    (first,) = shortlist.candidates.all()
    _review_all(shortlist, {u: {first: 7} for u in committee})
    for someone in (committee[0], first.member.user):
        with pytest.raises(PermissionDenied):
            selection.decide(someone, shortlist, [first])
    first.refresh_from_db()
    assert first.state == State.SHORTLISTED
