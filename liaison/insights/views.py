from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from liaison.accounts.decorators import require
from liaison.accounts.permissions import check
from liaison.core import tabular
from liaison.insights import exports
from liaison.insights.aggregates import threshold
from liaison.insights.dashboard import Dashboard, build
from liaison.insights.filters import InsightsFilterForm
from liaison.insights.forms import SurveyPickForm
from liaison.insights.survey_results import SurveyResults, results

ACTION = "insights.view"


def _form(request: HttpRequest) -> InsightsFilterForm:
    data = request.GET.copy()
    for key in [k for k, v in data.items() if not v]:
        del data[key]
    return InsightsFilterForm(data or None)


@require(ACTION)
def dashboard(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    board = build(request.user, form)
    query = request.GET.urlencode()
    return render(
        request,
        "insights/dashboard.html",
        {
            "form": form,
            "board": board,
            "threshold": threshold(),
            "query": query,
            # Officers may open the registry from a country; analysts never reach a person.
            "registry_links": bool(check(request.user, "registry.view_member")),
        },
    )


def dashboard_report(board: Dashboard, form: InsightsFilterForm) -> exports.Report:
    return exports.Report(
        _("Insights: the diaspora registry"),
        [(a.name, a.value) for a in form.applied()],
        board.ordered(),
        board.total,
        _("members"),
        board.message,
    )


def _download(content: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@require(ACTION)
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in exports.FORMATS:
        raise Http404(_("No such format."))
    form = _form(request)
    board = build(request.user, form)
    return _download(exports.render(dashboard_report(board, form), fmt), fmt, "insights")


@require(ACTION)
def host_countries_csv(request: HttpRequest) -> HttpResponse:
    """The host-country table alone, as on the page."""
    form = _form(request)
    board = build(request.user, form)
    hosts = board.tables.get("countries")
    header = [
        _("country"),
        _("ISO code"),
        _("registered members"),
        *(hosts.columns if hosts else []),
    ]
    body = [
        [r.label, r.key, exports.hidden_mark() if r.hidden else r.count, *r.extra]
        for r in (hosts.rows if hosts else [])
    ]
    body = [["" if v is None else v for v in row] for row in body]
    if board.message:
        body.append([board.message])
    response = HttpResponse(tabular.to_csv(header, body), content_type=exports.FORMATS["csv"])
    response["Content-Disposition"] = 'attachment; filename="members-by-host-country.csv"'
    return response


def _survey(request: HttpRequest) -> tuple[SurveyPickForm, SurveyResults | None]:
    pick = SurveyPickForm(request.GET or None)
    if not pick.is_bound or not pick.is_valid():
        return pick, None
    return pick, results(
        request.user, pick.cleaned_data["questionnaire"], pick.cleaned_data["wave"]
    )


@require(ACTION)
def surveys(request: HttpRequest) -> HttpResponse:
    pick, found = _survey(request)
    return render(
        request,
        "insights/surveys.html",
        {
            "pick": pick,
            "results": found,
            "threshold": threshold(),
            "query": request.GET.urlencode(),
        },
    )


@require(ACTION)
def survey_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in exports.FORMATS:
        raise Http404(_("No such format."))
    _pick, found = _survey(request)
    if found is None:
        raise Http404(_("Choose a questionnaire."))
    filters = [(_("Questionnaire"), found.questionnaire.title)]
    if found.wave is not None:
        filters.append((_("Wave"), found.wave.name))
    tables = ([found.countries] if found.countries else []) + found.tables
    report = exports.Report(
        _("Survey results: %(title)s") % {"title": found.questionnaire.title},
        filters,
        tables,
        found.respondents,
        _("respondents"),
        found.message,
    )
    return _download(exports.render(report, fmt), fmt, f"survey-{found.questionnaire.form_id}")
