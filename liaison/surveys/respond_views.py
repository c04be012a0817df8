"""Answering a survey on the web: the link of a wave opens its questionnaire as a form.

The rules of the form (``required``, ``relevant``, ``constraint``, ``calculate``,
``choice_filter``) are enforced here on the server by ``engine.Form.check``; the page's script
asks the same check while the respondent types (``check``), so the page shows and hides
questions and explains a refused answer at once, and the answers are saved as a draft as they go.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison.registry.models import Member
from liaison.registry.search import MemberSearchForm
from liaison.registry.wizard import profile_for
from liaison.surveys import collect, engine, registry_link, webform
from liaison.surveys.models import Submission, Wave

SESSION_KEY = "survey-drafts"
ALREADY_RECEIVED = gettext_noop("These answers were already received; they were not stored again.")


def respond(request: HttpRequest, token: str) -> HttpResponse:
    """The questionnaire of a wave, to answer, save and come back to, and submit."""
    wave = get_object_or_404(Wave.objects.select_related("version", "questionnaire"), token=token)
    refused = _refused(request, wave)
    if refused is not None:
        return refused
    language = request.GET.get("language") or (get_language() or "en")[:2]
    page = webform.Page(wave.version, language)
    draft = _draft(request, wave)
    if draft is None and _answered(request, wave):
        return _unavailable(request, wave, _("You have already answered this survey. Thank you!"))

    problems: list[dict[str, str]] = []
    if request.method == "POST":
        answers = page.answers(request.POST)
        action = request.POST.get("action", "save")
        posted_id = request.POST.get("instance_id", "")
        if (
            posted_id
            and Submission.objects.filter(
                wave=wave, instance_id=posted_id, status=Submission.Status.COMPLETE
            ).exists()
        ):
            messages.info(
                request, _("These answers were already received; they were not stored again.")
            )
            return redirect("respond:thanks", token=wave.token)
        if action.startswith("add:") or action.startswith("remove:"):
            _change_entries(page.form, answers, action)
            draft = _save_draft(request, wave, draft, answers, posted_id)
        elif action == "submit":
            outcome = page.form.check(answers, complete=True, language=page.language)
            draft = _save_draft(request, wave, draft, answers, posted_id)
            problems = webform.summary(outcome, page)
            if not problems:
                problems = _submit(request, wave, draft, page, outcome)
                if not problems:
                    return redirect("respond:thanks", token=wave.token)
            return _render(request, wave, page, draft, answers, outcome, problems, status=422)
        else:
            draft = _save_draft(request, wave, draft, answers, posted_id)
            messages.success(
                request,
                _("Your answers are saved. You can come back to this page to go on later.")
                if request.user.is_authenticated
                else _(
                    "Your answers are saved in this browser while it stays open: come back to "
                    "this page soon, with this browser, to go on."
                ),
            )
            return redirect(request.get_full_path())
    else:
        answers = draft.data if draft else page.form.defaults()
        if draft is not None:
            # Opening the form again uses the draft: it is kept from now on
            # (``retention.purge_drafts`` counts from its last use).
            Submission.objects.filter(pk=draft.pk).update(updated_at=timezone.now())
    outcome = page.form.check(answers, complete=False, language=page.language)
    return _render(request, wave, page, draft, answers, outcome, [], status=200)


@require_POST
def check(request: HttpRequest, token: str) -> HttpResponse:
    """The live check: the form's rules on the answers typed so far (hidden questions,
    messages, allowed choices), and the draft saved."""
    wave = get_object_or_404(Wave.objects.select_related("version"), token=token)
    refused = _refused(request, wave)
    if refused is not None:
        return JsonResponse({"error": _("This survey is not open to you.")}, status=403)
    language = request.POST.get("language") or (get_language() or "en")[:2]
    page = webform.Page(wave.version, language)
    answers = page.answers(request.POST)
    outcome = page.form.check(answers, complete=False, language=page.language)
    draft = _draft(request, wave)
    posted_id = request.POST.get("instance_id", "")
    if Submission.objects.filter(
        wave=wave, instance_id=posted_id, status=Submission.Status.COMPLETE
    ).exists():
        return JsonResponse({"error": _(ALREADY_RECEIVED)}, status=409)
    if (draft is not None or not _answered(request, wave)) and _has_answers(answers):
        _save_draft(request, wave, draft, answers, posted_id)
    return JsonResponse(page.state(outcome))


def thanks(request: HttpRequest, token: str) -> HttpResponse:
    wave = get_object_or_404(Wave.objects.select_related("questionnaire"), token=token)
    return render(request, "surveys/respond_thanks.html", {"wave": wave})


# --- who may answer ----------------------------------------------------------------------------
def _refused(request: HttpRequest, wave: Wave) -> HttpResponse | None:
    now = timezone.now()
    if now < wave.opens_at:
        return _unavailable(
            request,
            wave,
            _("This survey opens on %(date)s.")
            % {"date": timezone.localtime(wave.opens_at).strftime("%Y-%m-%d %H:%M")},
        )
    if wave.closes_at is not None and now >= wave.closes_at:
        return _unavailable(request, wave, _("This survey is closed."), status=410)
    if wave.audience == Wave.Audience.PUBLIC:
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    member = profile_for(request.user)
    if member is None:
        return _unavailable(
            request, wave, _("This survey is for registered members of the diaspora."), 403
        )
    if wave.audience == Wave.Audience.SEGMENT and not _in_segment(member, wave.segment):
        return _unavailable(request, wave, _("This survey is for another group of members."), 403)
    return None


def _in_segment(member: Member, segment: dict[str, list[str]]) -> bool:
    data = QueryDict(mutable=True)
    for name, values in segment.items():
        data.setlist(name, values)
    form = MemberSearchForm(data)
    return form.apply(Member.objects.filter(pk=member.pk)).exists()


def _unavailable(request: HttpRequest, wave: Wave, message: str, status: int = 200) -> HttpResponse:
    return render(
        request,
        "surveys/respond_unavailable.html",
        {"wave": wave, "message": message},
        status=status,
    )


# --- drafts ------------------------------------------------------------------------------------
def _draft(request: HttpRequest, wave: Wave) -> Submission | None:
    drafts = Submission.objects.filter(wave=wave, status=Submission.Status.DRAFT)
    if request.user.is_authenticated:
        return drafts.filter(respondent=request.user).first()
    instance_id = request.session.get(SESSION_KEY, {}).get(str(wave.pk))
    return drafts.filter(instance_id=instance_id, respondent=None).first() if instance_id else None


def _answered(request: HttpRequest, wave: Wave) -> bool:
    """Whether this signed-in respondent has already sent the survey (one answer per person;
    anonymous respondents of a public link cannot be told apart)."""
    if not request.user.is_authenticated:
        return False
    return Submission.objects.filter(
        wave=wave, respondent=request.user, status=Submission.Status.COMPLETE
    ).exists()


def new_instance_id() -> str:
    return f"uuid:{uuid.uuid4()}"


def _instance_id(wave: Wave, posted: str) -> str:
    """The page's own instance id (given when it was shown, so that the same answers sent twice
    are recognised) when it is a well-formed one not yet used in this wave; a new one
    otherwise."""
    try:
        valid = posted.startswith("uuid:") and str(uuid.UUID(posted[5:])) == posted[5:]
    except ValueError:
        valid = False
    if valid and not Submission.objects.filter(wave=wave, instance_id=posted).exists():
        return posted
    return new_instance_id()


def _has_answers(answers: dict[str, Any]) -> bool:
    """Whether anything was answered (an empty page saves no draft)."""
    # an entry added to a repeat counts as an answer, even before it is filled in
    return any(value not in (None, "", []) for value in answers.values())


def _save_draft(
    request: HttpRequest,
    wave: Wave,
    draft: Submission | None,
    answers: dict[str, Any],
    posted_id: str = "",
) -> Submission:
    if draft is None:
        draft = Submission(
            wave=wave,
            version=wave.version,
            instance_id=_instance_id(wave, posted_id),
            source=Submission.Source.WEB,
            respondent=request.user if request.user.is_authenticated else None,
        )
    draft.data = answers
    draft.save()
    if not request.user.is_authenticated:
        saved = dict(request.session.get(SESSION_KEY, {}))
        saved[str(wave.pk)] = draft.instance_id
        request.session[SESSION_KEY] = saved
    return draft


def _change_entries(form: engine.Form, answers: dict[str, Any], action: str) -> None:
    """Add an entry to a repeat ("add:person@2": the repeat person in the second entry of its
    enclosing repeat) or remove one ("remove:person@2:3")."""
    verb, _sep, rest = action.partition(":")
    target, _sep, position = rest.partition(":")
    name, _sep, where = target.partition("@")
    if name not in form.repeats:
        return
    outer = [part for part in form.repeats[name][:-1] if part in form.repeats]
    positions = [int(p) for p in where.split(".") if p.isdigit()]
    if len(positions) != len(outer):
        return
    place = answers
    for repeat, n in zip(outer, positions, strict=True):
        entries = place.get(repeat)
        if not isinstance(entries, list) or not 1 <= n <= len(entries):
            return
        place = entries[n - 1]
    entries = place.setdefault(name, [])
    if not isinstance(entries, list):
        return
    if verb == "add" and len(entries) < webform.MAX_REPEAT:
        entries.append({})
    elif verb == "remove" and position.isdigit() and 1 <= int(position) <= len(entries):
        entries.pop(int(position) - 1)


def _submit(
    request: HttpRequest, wave: Wave, draft: Submission, page: webform.Page, outcome: Any
) -> list[dict[str, str]]:
    """Store a checked submission and, with the respondent's consent, their registry record;
    returns the problems that stopped it (nothing is stored then)."""
    try:
        with transaction.atomic():
            collect.complete(draft, page.form, outcome)
            registry_link.link(draft, outcome.values)
    except IntegrityError:  # the same instance sent twice at once
        messages.info(request, _(ALREADY_RECEIVED))
    except ValidationError as exc:
        return [{"id": "problems", "label": _("Registration"), "message": m} for m in exc.messages]
    if not request.user.is_authenticated:
        saved = dict(request.session.get(SESSION_KEY, {}))
        saved.pop(str(wave.pk), None)
        request.session[SESSION_KEY] = saved
    return []


def _render(
    request: HttpRequest,
    wave: Wave,
    page: webform.Page,
    draft: Submission | None,
    answers: dict[str, Any],
    outcome: Any,
    problems: list[dict[str, str]],
    status: int,
) -> HttpResponse:
    return render(
        request,
        "surveys/respond.html",
        {
            "wave": wave,
            "page": page,
            "nodes": page.nodes(answers, outcome),
            "problems": problems,
            "draft": draft,
            "instance_id": draft.instance_id if draft else new_instance_id(),
            "languages": wave.version.languages,
            "language": next(
                (code for name, code in wave.version.languages if name == page.language), ""
            ),
        },
        status=status,
    )
