"""The placement pages: thin views over ``services`` and ``selection``.

Staff find placements through their scope (outsiders get 404); a member reaches only their own
placements (``mine``, the report, withdrawal); a reviewer only the shortlists they sit on.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison.accounts.decorators import require
from liaison.accounts.permissions import check, get_visible_or_404, visible
from liaison.audit.services import record_view
from liaison.core.forms import add_service_errors
from liaison.opportunities.models import Application, Opportunity
from liaison.placements import dashboard as programme_dashboard
from liaison.placements import followup, selection, services
from liaison.placements.forms import (
    AddReviewerForm,
    ChecklistForm,
    CompensationForm,
    DecisionForm,
    DeclarationForm,
    PaymentForm,
    ReportForm,
    ScoreForm,
    ShortlistForm,
    StepForm,
)
from liaison.placements.models import (
    CompensationItem,
    Placement,
    Shortlist,
    State,
    Track,
)
from liaison.placements.workflows import WORKFLOWS, steps_from

PLACEMENTS = Placement.objects.select_related(
    "opportunity__host", "opportunity__programme", "member"
)


def _placement_for(request: HttpRequest, pk: int) -> Placement:
    """A placement the user may see as staff (in their scope), or as its candidate."""
    if check(request.user, "placements.view"):
        return get_visible_or_404(request.user, "placements.view", PLACEMENTS, pk=pk)
    placement = PLACEMENTS.filter(pk=pk, member__user_id=int(request.user.pk or 0)).first()
    if placement is None or not check(request.user, "placements.own"):
        raise Http404(_("No such placement."))
    return placement


def _problems(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _refused(request: HttpRequest, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, PermissionDenied):
        messages.error(request, str(exc) or _("You may not do this."))
        return
    for message in _problems(exc):
        messages.error(request, message)


@require("placements.view")
def placement_list(request: HttpRequest) -> HttpResponse:
    placements = visible(request.user, "placements.view", PLACEMENTS)
    state = request.GET.get("state", "")
    track = request.GET.get("track", "")
    if state in State.values:
        placements = placements.filter(state=state)
    if track in Track.values:
        placements = placements.filter(track=track)
    if (opportunity := request.GET.get("opportunity", "")).isdigit():
        placements = placements.filter(opportunity_id=int(opportunity))
    page = Paginator(placements, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "placements/list.html",
        {
            "page": page,
            "states": State.choices,
            "tracks": Track.choices,
            "state": state,
            "track": track,
        },
    )


@require("placements.view")
def placement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    placement = get_visible_or_404(request.user, "placements.view", PLACEMENTS, pk=pk)
    record_view(request.user, placement)
    return render(request, "placements/detail.html", _detail_context(request, placement))


def _detail_context(request: HttpRequest, placement: Placement, **forms: Any) -> dict[str, Any]:
    user = request.user
    steps = [
        forms.get(f"step-{s.name}") or StepForm(step=s, placement=placement)
        for s in steps_from(placement.track, placement.state)
        if services.may_take(user, s, placement)
    ]
    manage = bool(check(user, "placements.manage", placement))
    pay = bool(check(user, "placements.pay", placement))
    surveys = [
        {"survey": row.survey, "link": request.build_absolute_uri(row.path), "answers": row.answers}
        for row in followup.surveys_of(placement)
    ]
    return {
        "placement": placement,
        "steps": steps,
        "transitions": placement.transitions.select_related("actor"),
        "budget": services.visible_budget(user, placement),
        "manage": manage,
        "pay": pay,
        "compensation_form": forms.get("compensation") or CompensationForm(),
        "checklist": placement.checklist.select_related("recorded_by"),
        "report": getattr(placement, "mission_report", None),
        "can_report": placement.track == Track.MISSION
        and placement.state in services.REPORTABLE
        and (manage or services.is_own(user, placement)),
        "surveys": surveys,
        "workflow": WORKFLOWS[placement.track],
    }


@login_required
@require_POST
def placement_step(request: HttpRequest, pk: int) -> HttpResponse:
    """Take one workflow step: staff from the placement's page, a candidate from theirs."""
    placement = _placement_for(request, pk)
    name = request.POST.get("step", "")
    try:
        step = services.step_of(placement, name)
    except ValidationError as exc:
        _refused(request, exc)
        return _back(request, placement)
    form = StepForm(request.POST, step=step, placement=placement)
    if not form.is_valid():
        if check(request.user, "placements.view"):
            context = _detail_context(request, placement, **{f"step-{step.name}": form})
            return render(request, "placements/detail.html", context, status=400)
        messages.error(request, _("Give the reason for withdrawing."))
        return _back(request, placement)
    try:
        services.transition(
            request.user,
            placement,
            step.name,
            expected_state=form.cleaned_data["expected_state"],
            reason=form.cleaned_data["reason"],
            values=form.values(),
        )
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("%(ref)s: “%(step)s” done.") % {"ref": placement.reference, "step": step.label},
        )
    return _back(request, placement)


def _back(request: HttpRequest, placement: Placement) -> HttpResponse:
    if check(request.user, "placements.view"):
        return redirect("placements:detail", pk=placement.pk)
    return redirect("placements:mine")


@require("placements.manage")
@require_POST
def compensation_add(request: HttpRequest, pk: int) -> HttpResponse:
    placement = get_visible_or_404(request.user, "placements.manage", PLACEMENTS, pk=pk)
    form = CompensationForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, placement, compensation=form)
        return render(request, "placements/detail.html", context, status=400)
    try:
        services.add_compensation(request.user, placement, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The item is budgeted."))
    return redirect("placements:detail", pk=placement.pk)


@require("placements.manage")
@require_POST
def compensation_change(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    """Correct a budgeted item (``action=save``) or take it off the budget
    (``action=remove``)."""
    placement = get_visible_or_404(request.user, "placements.manage", PLACEMENTS, pk=pk)
    line = get_object_or_404(CompensationItem, placement=placement, pk=item)
    try:
        if request.POST.get("action") == "remove":
            services.remove_compensation(request.user, line)
            messages.success(request, _("The item is taken off the budget."))
        else:
            services.revise_compensation(
                request.user,
                line,
                budget=request.POST.get("budget", ""),
                description=request.POST.get("description", ""),
            )
            messages.success(request, _("The item is corrected."))
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    return redirect("placements:detail", pk=placement.pk)


@require("placements.pay")
@require_POST
def payment_add(request: HttpRequest, pk: int) -> HttpResponse:
    placement = get_visible_or_404(request.user, "placements.pay", PLACEMENTS, pk=pk)
    form = PaymentForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{field}: {' '.join(str(e) for e in errors)}")
        return redirect("placements:detail", pk=placement.pk)
    item = CompensationItem.objects.filter(
        placement=placement, pk=form.cleaned_data["item"]
    ).first()
    if item is None:
        raise Http404(_("No such compensation item."))
    try:
        services.pay(
            request.user,
            item,
            amount=form.cleaned_data["amount"],
            currency=form.cleaned_data["currency"],
            paid_on=form.cleaned_data["paid_on"],
            reference=form.cleaned_data["reference"],
        )
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The payment is recorded."))
    return redirect("placements:detail", pk=placement.pk)


@require("placements.manage")
@require_POST
def checklist_tick(request: HttpRequest, pk: int) -> HttpResponse:
    placement = get_visible_or_404(request.user, "placements.manage", PLACEMENTS, pk=pk)
    form = ChecklistForm(request.POST)
    if form.is_valid():
        try:
            services.tick(
                request.user,
                placement,
                form.cleaned_data["item"],
                done_on=form.cleaned_data["done_on"],
                note=form.cleaned_data["note"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("The checklist is updated."))
    else:
        messages.error(request, _("Give a valid date."))
    return redirect("placements:detail", pk=placement.pk)


@login_required
def mission_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The expert writes the mission report (an officer may write or correct it for them)."""
    placement = _placement_for(request, pk)
    report = getattr(placement, "mission_report", None)
    initial = (
        {
            "activities": report.activities,
            "results": report.results,
            "recommendations": report.recommendations,
        }
        if report
        else None
    )
    form = ReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_report(request.user, placement, **form.cleaned_data)
        except PermissionDenied:
            raise
        except ValidationError as exc:
            for message in _problems(exc):
                form.add_error(None, message)
        else:
            messages.success(request, _("The mission report is saved."))
            return _back(request, placement)
    return render(
        request,
        "placements/report.html",
        {"placement": placement, "form": form, "report": report},
        status=400 if form.errors else 200,
    )


@require("placements.own")
def my_placements(request: HttpRequest) -> HttpResponse:
    placements = list(services.placements_of(request.user))
    withdraw = {
        p.pk: StepForm(step=WORKFLOWS[p.track]["withdraw"], placement=p)
        for p in placements
        if p.state in WORKFLOWS[p.track]["withdraw"].sources
    }
    rows = [
        {
            "placement": p,
            "withdraw": withdraw.get(p.pk),
            "report": p.track == Track.MISSION and p.state in services.REPORTABLE,
        }
        for p in placements
    ]
    return render(request, "placements/mine.html", {"rows": rows})


# --- selection ---------------------------------------------------------------------------------


@require("placements.manage")
def shortlist_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose candidates of an opportunity and send them to the host or a committee."""
    opportunity = get_visible_or_404(
        request.user,
        "placements.manage",
        Opportunity.objects.select_related("host", "programme"),
        pk=pk,
    )
    open_ones = (
        Application.objects.filter(opportunity=opportunity, accepted_at__isnull=False)
        .filter(Q(placement__isnull=True) | Q(placement__state=State.APPLIED))
        .select_related("member")
        .order_by("member__family_name", "pk")
    )
    form = ShortlistForm(request.POST or None, applications=open_ones)
    if request.method == "POST" and form.is_valid():
        try:
            shortlist = selection.send_shortlist(
                request.user,
                opportunity,
                list(form.cleaned_data["applications"]),
                panel=form.cleaned_data["panel"],
                reviewers=list(form.cleaned_data["reviewers"]),
                instructions=form.cleaned_data["instructions"],
                shortfall_reason=form.cleaned_data["shortfall_reason"],
            )
        except ValidationError as exc:  # per field, or about the whole shortlist
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The shortlist is sent to its reviewers."))
            return redirect("placements:shortlist-detail", pk=shortlist.pk)
    return render(
        request,
        "placements/shortlist_new.html",
        {
            "opportunity": opportunity,
            "form": form,
            "shortlists": opportunity.shortlists.all(),
        },
        status=400 if form.errors else 200,
    )


@require("placements.decide")
def shortlist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The officer's view of a shortlist: scores, conflicts, the panel and the decision."""
    shortlist = get_visible_or_404(
        request.user,
        "placements.decide",
        Shortlist.objects.select_related("opportunity__host", "decided_by"),
        pk=pk,
    )
    candidates = shortlist.candidates.filter(state=State.SHORTLISTED).select_related("member")
    decision = DecisionForm(
        request.POST if request.POST.get("action") == "decide" else None, candidates=candidates
    )
    adding = AddReviewerForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "decide" and decision.is_valid():
                selection.decide(
                    request.user,
                    shortlist,
                    list(decision.cleaned_data["selected"]),
                    note=decision.cleaned_data["note"],
                )
                messages.success(request, _("The decision is recorded; candidates are emailed."))
                return redirect("placements:shortlist-detail", pk=shortlist.pk)
            if request.POST.get("action") == "add" and adding.is_valid():
                selection.add_reviewer(request.user, shortlist, adding.cleaned_data["reviewer"])
                messages.success(request, _("The reviewer is added and emailed."))
                return redirect("placements:shortlist-detail", pk=shortlist.pk)
        except ValidationError as exc:
            for message in _problems(exc):
                decision.add_error(None, message)
    return render(
        request,
        "placements/shortlist_detail.html",
        {
            "shortlist": shortlist,
            "board": selection.scoreboard(shortlist),
            "reviewers": shortlist.reviewers.select_related("user"),
            "reviews": selection.visible_reviews(request.user, shortlist),
            "decision": decision,
            "adding": adding,
        },
        status=400 if decision.errors or adding.errors else 200,
    )


@require("placements.review")
def my_reviews(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "placements/reviews.html",
        {"shortlists": selection.shortlists_to_review(request.user)},
    )


@require("placements.review")
def shortlist_review(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer declares conflicts of interest, then scores the other candidates."""
    shortlist = Shortlist.objects.select_related("opportunity__host").filter(pk=pk).first()
    if shortlist is None:
        raise Http404(_("No such shortlist."))
    try:
        reviewer = selection.reviewer_of(request.user, shortlist)
    except PermissionDenied:
        raise Http404(_("No such shortlist.")) from None
    reviews = list(reviewer.reviews.select_related("placement__member").order_by("placement"))
    placements = [r.placement for r in reviews]
    declaring = reviewer.declared_at is None
    scoring = [r.placement for r in reviews if r.conflict is False]
    declare_form = DeclarationForm(
        request.POST if request.POST.get("action") == "declare" else None, placements=placements
    )
    score_form = ScoreForm(
        request.POST if request.POST.get("action") == "score" else None,
        placements=scoring,
        initial={
            **{f"score_{r.placement_id}": r.score for r in reviews},
            **{f"comment_{r.placement_id}": r.comment for r in reviews},
        },
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "declare" and declare_form.is_valid():
                selection.declare_conflicts(request.user, shortlist, declare_form.conflicts())
                messages.success(request, _("Your declaration is recorded."))
                return redirect("placements:shortlist-review", pk=shortlist.pk)
            if request.POST.get("action") == "score" and score_form.is_valid():
                selection.score(request.user, shortlist, score_form.scores())
                messages.success(request, _("Your scores are saved."))
                return redirect("placements:shortlist-review", pk=shortlist.pk)
        except ValidationError as exc:
            form = declare_form if request.POST.get("action") == "declare" else score_form
            for message in _problems(exc):
                form.add_error(None, message)
    return render(
        request,
        "placements/shortlist_review.html",
        {
            "shortlist": shortlist,
            "reviewer": reviewer,
            "reviews": reviews,
            "declaring": declaring,
            "declare_form": declare_form,
            "score_form": score_form,
            "decided": shortlist.status == Shortlist.Status.DECIDED,
        },
        status=400 if declare_form.errors or score_form.errors else 200,
    )


# --- programme dashboard -----------------------------------------------------------------------


@require("placements.dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    programme = request.GET.get("programme", "")
    board = programme_dashboard.build(request.user, programme=programme)
    return render(
        request,
        "placements/dashboard.html",
        {"board": board, "programme": programme, "programmes": board.programmes},
    )
