"""Every URL pattern and API endpoint, opened by each role and by a visitor.

The expectations are written out here by hand, route by route. A route that is added without an
expectation fails the walk, so every new page has to say who may open it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from liaison.accounts.models import RoleGrant
from liaison.accounts.roles import Role, ScopeKind
from liaison.core import progress
from liaison.taxonomy.models import Occupation, Skill
from tests.factories import (
    MemberFactory,
    OpportunityFactory,
    OrganisationFactory,
    QuotaFactory,
    UserFactory,
    user_with_role,
)

ANON = "anonymous"
ROLES = [ANON, *Role.values]
BACK = {Role.PROGRAMME_OFFICER, Role.CONSULAR_OFFICER, Role.ANALYST, Role.ADMINISTRATOR}
REGISTRY = {Role.PROGRAMME_OFFICER, Role.CONSULAR_OFFICER, Role.ADMINISTRATOR}
ADMIN = {Role.ADMINISTRATOR}
OPP_VIEW = {Role.HOST_FOCAL_POINT, Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}
OPP_MANAGE = {Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}
PLACE_VIEW = {Role.HOST_FOCAL_POINT, Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}
PLACE_MANAGE = {Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}
PLACE_REVIEW = {Role.REVIEWER, Role.HOST_FOCAL_POINT}
PLACE_DASHBOARD = {Role.ANALYST, Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}
MATCH = {Role.HOST_FOCAL_POINT, Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}
REMIT_VIEW = {Role.ANALYST, Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}
REMIT_MANAGE = {Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}
SIGNED_IN = set(Role.values)

# What each expectation accepts as a status code.
OK, LOGIN, FORBIDDEN, NOT_FOUND, REDIRECT, NOT_ALLOWED = (
    "ok",
    "login",
    "forbidden",
    "not-found",
    "redirect",
    "method-not-allowed",
)
API_DENIED = "api-denied"


@dataclass(frozen=True)
class Rule:
    """``allowed`` roles get ``yes``; other signed-in roles get ``no``; visitors get ``anon``."""

    allowed: frozenset[str]
    yes: str = OK
    no: str = FORBIDDEN
    anon: str = LOGIN


def everyone(outcome: str = OK) -> Rule:
    return Rule(frozenset(SIGNED_IN), outcome, outcome, outcome)


def only(roles: Iterable[str], yes: str = OK, no: str = FORBIDDEN, anon: str = LOGIN) -> Rule:
    return Rule(frozenset(roles), yes, no, anon)


def api(roles: Iterable[str], yes: str = OK) -> Rule:
    return Rule(frozenset(roles), yes, FORBIDDEN, API_DENIED)


# Liaison's own routes, by name. Object routes are walked with an object inside the officers'
# scope (France); ``OUT_OF_SCOPE`` walks them again with one outside it.
EXPECTED: dict[str, Rule] = {
    "portal:home": everyone(),
    # Members and back-office staff are sent to their pages; other roles see a welcome page.
    "portal:dashboard": only({Role.MEMBER} | BACK, yes=REDIRECT, no=OK),
    "portal:member-home": only({Role.MEMBER}),
    "portal:backoffice": only(BACK),
    # A member's own data; the walk's member has no profile, so there is nothing to find.
    "me:data-json": only({Role.MEMBER}, yes=NOT_FOUND),
    "me:data-csv": only({Role.MEMBER}, yes=NOT_FOUND),
    "me:consents": only({Role.MEMBER}, yes=NOT_FOUND),
    "me:profile-about": only({Role.MEMBER}),
    "me:profile-skills": only({Role.MEMBER}, yes=REDIRECT),  # no profile yet: back to step 1
    "me:profile-history": only({Role.MEMBER}, yes=REDIRECT),
    "me:profile-engagement": only({Role.MEMBER}, yes=REDIRECT),
    "me:erase": only({Role.MEMBER}, yes=NOT_FOUND),
    "health": everyone(),
    "accounts:api-tokens": only(SIGNED_IN),
    "accounts:revoke-api-token": only(SIGNED_IN, yes=NOT_ALLOWED, no=NOT_ALLOWED),
    "registry:member-list": only(REGISTRY),
    "registry:member-detail": only(REGISTRY),
    "registry:member-edit": only(REGISTRY),
    "registry:member-versions": only(REGISTRY),
    "registry:member-export": only(REGISTRY),
    "registry:import-list": only(REGISTRY),
    "registry:duplicate-list": only(REGISTRY),
    "registry:duplicate-search": only(REGISTRY, yes=NOT_ALLOWED),
    "registry:duplicate-detail": only(REGISTRY, yes=NOT_FOUND),  # no such pair in the walk
    "registry:merge-undo": only(REGISTRY, yes=NOT_ALLOWED),
    # Imports are their uploader's: for everyone else (and when none exists) there is nothing.
    "registry:import-detail": only(REGISTRY, yes=NOT_FOUND),
    "registry:import-commit": only(REGISTRY, yes=NOT_ALLOWED),
    "registry:import-rejected": only(REGISTRY, yes=NOT_FOUND),
    "registry:organisation-list": only(REGISTRY),
    "registry:organisation-detail": only(REGISTRY),
    "registry:organisation-verify": only(REGISTRY, yes=NOT_ALLOWED),
    "registry:organisation-new": only(REGISTRY),
    "registry:organisation-edit": only(REGISTRY),
    "registry:organisation-members": only(REGISTRY, yes=NOT_ALLOWED),
    "surveys:questionnaire-list": only({Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}),
    "surveys:questionnaire-detail": only(
        {Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}, yes=NOT_FOUND
    ),  # no questionnaire in the walk
    "surveys:ready-download": only(
        {Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}, yes=NOT_FOUND
    ),  # the walk asks for "x", which is not one
    "surveys:ready-add": only({Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}, yes=NOT_ALLOWED),
    # no questionnaire, wave or version in the walk
    "surveys:wave-new": only({Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}, yes=NOT_FOUND),
    "surveys:wave-edit": only({Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}, yes=NOT_FOUND),
    "surveys:wave-detail": only({Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}, yes=NOT_FOUND),
    "surveys:wave-import": only({Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}, yes=NOT_FOUND),
    "surveys:wave-import-result": only({Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}, yes=NOT_FOUND),
    "surveys:wave-export": only({Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}, yes=NOT_FOUND),
    "surveys:registry-map": only({Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}, yes=NOT_FOUND),
    # a wave's link is public; the walk's token "x" is no wave's
    "respond:form": everyone(NOT_FOUND),
    "respond:check": everyone(NOT_ALLOWED),
    "respond:thanks": everyone(NOT_FOUND),
    "insights:dashboard": only({Role.ANALYST, Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}),
    "insights:host-countries-csv": only({Role.ANALYST, Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}),
    "insights:surveys": only({Role.ANALYST, Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}),
    # the walk asks for the format "x", which is not one
    "insights:export": only(
        {Role.ANALYST, Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}, yes=NOT_FOUND
    ),
    "insights:survey-export": only(
        {Role.ANALYST, Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}, yes=NOT_FOUND
    ),
    "taxonomy:browse": only(BACK),
    "taxonomy:manage": only(ADMIN),
    "taxonomy:start-import": only(ADMIN, yes=NOT_ALLOWED),
    "audit:event-list": only(ADMIN),
    "audit:event-export": only(ADMIN),
    # Progress of a task the administrator started: theirs to see, nobody else's.
    "portal:task-progress": only(ADMIN, no=NOT_FOUND),
    "set_language": everyone(REDIRECT),
    "javascript-catalog": everyone(),
    "api-schema": everyone(),
    "api-docs": everyone(),
    "api:taxonomy-suggestions": everyone(),
    "api:countries": everyone(),
    "api:currencies": everyone(),
    "api:languages": everyone(),
    "api:cefr-levels": everyone(),
    "api:isced-levels": everyone(),
    "api:isco-group-list": everyone(),
    "api:isco-group-detail": everyone(),
    "api:occupation-list": everyone(),
    "api:occupation-detail": everyone(),
    "api:skill-list": everyone(),
    "api:skill-detail": everyone(),
    "api:member-list": api(REGISTRY),
    "api:member-detail": api(REGISTRY),
    "api:organisation-list": api(REGISTRY),
    "api:organisation-detail": api(REGISTRY),
    "api:insights-dashboard": api({Role.ANALYST, Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}),
    "api:insights-surveys": api({Role.ANALYST, Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}),
    # no questionnaire in the walk
    "api:insights-survey-results": api(
        {Role.ANALYST, Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}, yes=NOT_FOUND
    ),
    # Opportunities: the portal is public; members apply (POST); the back office is for host
    # focal points and officers; programmes, agreements and quotas for officers.
    "opportunities:public-list": everyone(),
    "opportunities:public-detail": everyone(),
    "opportunities:apply": only({Role.MEMBER}, yes=NOT_ALLOWED),
    "opportunities:my-applications": only({Role.MEMBER}),
    "opportunities:list": only(OPP_VIEW),
    "opportunities:new": only(OPP_VIEW),
    "opportunities:detail": only(OPP_VIEW),
    "opportunities:edit": only(OPP_VIEW),
    "opportunities:step": only(OPP_VIEW, yes=NOT_ALLOWED),
    "opportunities:invite": only(OPP_MANAGE, yes=NOT_ALLOWED),
    "opportunities:programme-list": only(OPP_MANAGE),
    "opportunities:programme-new": only(OPP_MANAGE),
    "opportunities:programme-detail": only(OPP_MANAGE),
    "opportunities:programme-edit": only(OPP_MANAGE),
    "opportunities:agreement-new": only(OPP_MANAGE),
    "opportunities:agreement-edit": only(OPP_MANAGE),
    "opportunities:quota-new": only(OPP_MANAGE),
    "opportunities:quota-edit": only(OPP_MANAGE),
    "api:opportunity-list": everyone(),
    "api:opportunity-detail": everyone(),  # a published one
    "api:opportunity-transition": everyone(NOT_ALLOWED),  # POST only
    "api:programme-list": everyone(),
    "api:programme-detail": everyone(),
    "api:quota-list": api(OPP_MANAGE),
    "api:quota-detail": api(OPP_MANAGE),
    # Placements: host focal points and officers see them (no placement in the walk: 404);
    # steps are POSTs (a candidate withdraws their own); officers shortlist, decide, budget and
    # pay; reviewers and focal points review the shortlists they sit on; the dashboard is for
    # analysts and officers.
    "placements:list": only(PLACE_VIEW),
    "placements:mine": only({Role.MEMBER}),
    "placements:dashboard": only(PLACE_DASHBOARD),
    "placements:detail": only(PLACE_VIEW, yes=NOT_FOUND),
    "placements:step": only(SIGNED_IN, yes=NOT_ALLOWED),
    "placements:compensation-add": only(PLACE_MANAGE, yes=NOT_ALLOWED),
    "placements:compensation-change": only(PLACE_MANAGE, yes=NOT_ALLOWED),
    "placements:payment-add": only(PLACE_MANAGE, yes=NOT_ALLOWED),
    "placements:checklist": only(PLACE_MANAGE, yes=NOT_ALLOWED),
    "placements:report": only(SIGNED_IN, yes=NOT_FOUND),
    "placements:shortlist-new": only(PLACE_MANAGE),  # the walk's published need
    "placements:shortlist-detail": only(PLACE_MANAGE, yes=NOT_FOUND),
    "placements:shortlist-review": only(PLACE_REVIEW, yes=NOT_FOUND),
    "placements:reviews": only(PLACE_REVIEW),
    "api:placement-list": api(PLACE_VIEW),
    "api:placement-detail": api(PLACE_VIEW, yes=NOT_FOUND),
    "api:placement-transition": api(PLACE_VIEW, yes=NOT_ALLOWED),  # POST only
    "api:placement-compensation": api(PLACE_VIEW, yes=NOT_ALLOWED),
    "api:placement-compensation-item": api(PLACE_VIEW, yes=NOT_ALLOWED),
    "api:placement-payments": api(PLACE_VIEW, yes=NOT_ALLOWED),
    "api:placements-dashboard": api(PLACE_DASHBOARD),
    # Matching: an opportunity's ranking for officers and host focal points; invitations are
    # POSTs by officers; the opportunities matched to a member for officers who may see the
    # member; a member's own suggestions (the walk's member has no profile: a page asking for
    # one, and 404 in the API).
    "matching:opportunity-ranking": only(MATCH),
    "matching:invite": only(OPP_MANAGE, yes=NOT_ALLOWED),
    "matching:member-opportunities": only(OPP_MANAGE),
    "matching:my-opportunities": only({Role.MEMBER}),
    "api:matching-candidates": api(MATCH),
    "api:matching-member-opportunities": api(OPP_MANAGE),
    "api:matching-my-opportunities": api({Role.MEMBER}, yes=NOT_FOUND),
    # --- remittances: the public calculator ---
    "remittances:calculator": everyone(),
    # --- remittances: indices, exports and API ---
    # Downloads: the walk asks for the format "x", which is not one. API details: no provider,
    # corridor or observation in the walk.
    "remittances:indices": only(REMIT_VIEW),
    "remittances:indices-corridors-export": only(REMIT_VIEW, yes=NOT_FOUND),
    "remittances:indices-trend-export": only(REMIT_VIEW, yes=NOT_FOUND),
    "api:remittances-indices": api(REMIT_VIEW),
    "api:remittances-trend": api(REMIT_VIEW),
    "api:remittance-provider-list": api(REMIT_VIEW),
    "api:remittance-provider-detail": api(REMIT_VIEW, yes=NOT_FOUND),
    "api:remittance-corridor-list": api(REMIT_VIEW),
    "api:remittance-corridor-detail": api(REMIT_VIEW, yes=NOT_FOUND),
    "api:remittance-observation-list": api(REMIT_VIEW),
    "api:remittance-observation-detail": api(REMIT_VIEW, yes=NOT_FOUND),
    # --- remittances: data (providers, observations, verification, provider reports) ---
    "remittances:observation-list": only(REMIT_VIEW),
    "remittances:observation-new": only(REMIT_MANAGE),
    "remittances:observation-edit": only(REMIT_MANAGE, yes=NOT_FOUND),
    "remittances:pending-list": only(REMIT_MANAGE),
    "remittances:verify": only(REMIT_MANAGE, yes=NOT_ALLOWED),
    "remittances:provider-list": only(REMIT_VIEW),
    "remittances:provider-new": only(REMIT_MANAGE),
    "remittances:provider-edit": only(REMIT_MANAGE, yes=NOT_FOUND),
    "remittances:provider-renew-link": only(REMIT_MANAGE, yes=NOT_ALLOWED),
    # A provider's report form: public, behind its secret link (the walk's token is unknown).
    "remittances:report": everyone(NOT_FOUND),
    # --- remittances: imports ---
    # An import's report: the walk's id is no import, hence not found for those who may import.
    "remittances:imports-upload": only(REMIT_MANAGE),
    "remittances:imports-result": only(REMIT_MANAGE, yes=NOT_FOUND),
}

OUT_OF_SCOPE: dict[str, Rule] = {
    "registry:member-detail": only(REGISTRY, no=FORBIDDEN),
    "registry:member-edit": only(REGISTRY, no=FORBIDDEN),
    "registry:member-versions": only(REGISTRY, no=FORBIDDEN),
    "registry:organisation-detail": only(REGISTRY, no=FORBIDDEN),
    "registry:organisation-edit": only(REGISTRY, no=FORBIDDEN),
    "api:member-detail": api(REGISTRY),
    "api:organisation-detail": api(REGISTRY),
    "opportunities:detail": only(OPP_VIEW),
    "opportunities:edit": only(OPP_VIEW),
    "opportunities:programme-detail": only(OPP_MANAGE),
    "opportunities:programme-edit": only(OPP_MANAGE),
    "opportunities:agreement-new": only(OPP_MANAGE),
    "opportunities:agreement-edit": only(OPP_MANAGE),
    "opportunities:quota-new": only(OPP_MANAGE),
    "opportunities:quota-edit": only(OPP_MANAGE),
    "api:quota-detail": api(OPP_MANAGE),
    "placements:shortlist-new": only(PLACE_MANAGE),
    "matching:opportunity-ranking": only(MATCH),
    "matching:member-opportunities": only(OPP_MANAGE),
    "api:matching-candidates": api(MATCH),
    "api:matching-member-opportunities": api(OPP_MANAGE),
}
# Officers scoped to France meet a record in Germany: 404, not 403. Administrators see it.
SCOPED = {Role.PROGRAMME_OFFICER, Role.CONSULAR_OFFICER}

# Third-party route families with their own access rules: checked for "never a server error",
# and for sending visitors to sign in where an account is needed.
ALLAUTH_NEEDS_LOGIN = {
    "account_email",
    "account_change_password",
    "account_set_password",
    "mfa_index",
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "mfa_reauthenticate",
    "account_reauthenticate",
}


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}{p.namespace}:"
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield f"{namespace}{p.name}" if p.name else None, prefix + str(p.pattern), p


def all_routes():
    return list(_walk(get_resolver().url_patterns))


def _status_matches(outcome: str, response) -> bool:
    code = response.status_code
    if outcome == OK:
        return code == 200
    if outcome == LOGIN:
        return code == 302 and "/accounts/login/" in response["Location"]
    if outcome == FORBIDDEN:
        return code == 403
    if outcome == NOT_FOUND:
        return code == 404
    if outcome == REDIRECT:
        return code == 302
    if outcome == NOT_ALLOWED:
        return code == 405
    if outcome == API_DENIED:
        return code in (401, 403)
    raise AssertionError(outcome)


@pytest.fixture
def world(db):
    users = {}
    for role in Role.values:
        if role in (Role.PROGRAMME_OFFICER, Role.CONSULAR_OFFICER):
            user = user_with_role(role, ScopeKind.COUNTRY, "FR")
        else:
            user = user_with_role(role)
        users[role] = user
    inside = MemberFactory(country_of_residence="FR")
    outside = MemberFactory(country_of_residence="DE")
    org_in = OrganisationFactory(country="FR")
    org_out = OrganisationFactory(country="DE")
    task = progress.start("walk", owner=users[Role.ADMINISTRATOR])
    occupation = Occupation.objects.create(
        uri="http://data.europa.eu/esco/occupation/t", label="nurse"
    )
    skill = Skill.objects.create(uri="http://data.europa.eu/esco/skill/t", label="triage")
    opportunities = {scope: _opportunities(scope) for scope in ("in", "out")}
    # The walk's programme officer also holds the "in" programme (programmes have no country).
    RoleGrant.objects.create(
        user=users[Role.PROGRAMME_OFFICER],
        role=Role.PROGRAMME_OFFICER,
        scope_kind=ScopeKind.PROGRAMME,
        scope_value=opportunities["in"]["programme_code"],
    )
    return {
        "users": users,
        "in": {"member": inside.pk, "organisation": org_in.pk, **opportunities["in"]},
        "out": {"member": outside.pk, "organisation": org_out.pk, **opportunities["out"]},
        "task": task.pk,
        "occupation": occupation.pk,
        "skill": skill.pk,
    }


def _opportunities(scope: str) -> dict:
    """A labour programme with an agreement and quota, a draft need and a published one: in
    France and the officer's programme ("in"), or in Germany and another programme ("out")."""
    country = "FR" if scope == "in" else "DE"
    quota = QuotaFactory(agreement__programme__code=f"walk-{scope}")
    programme = quota.agreement.programme
    draft = OpportunityFactory(country=country, programme=programme)
    published = OpportunityFactory(country=country, programme=programme, published=True)
    return {
        "programme": programme.pk,
        "programme_code": programme.code,
        "agreement": quota.agreement_id,
        "quota": quota.pk,
        "opportunity": draft.pk,
        "published": published.pk,
    }


# Route names whose ``pk`` (or named key) is one of the walk's opportunity objects.
OPPORTUNITY_KEYS = {
    ("opportunities:public-detail", "pk"): "published",
    ("opportunities:apply", "pk"): "published",
    ("api:opportunity-detail", "pk"): "published",
    ("api:opportunity-transition", "pk"): "published",
    ("opportunities:detail", "pk"): "opportunity",
    ("opportunities:edit", "pk"): "opportunity",
    ("opportunities:step", "pk"): "opportunity",
    ("opportunities:invite", "pk"): "opportunity",
    ("placements:shortlist-new", "pk"): "published",
    ("opportunities:programme-detail", "pk"): "programme",
    ("opportunities:programme-edit", "pk"): "programme",
    ("opportunities:agreement-new", "programme_pk"): "programme",
    ("opportunities:agreement-edit", "pk"): "agreement",
    ("opportunities:quota-new", "agreement_pk"): "agreement",
    ("opportunities:quota-edit", "pk"): "quota",
    ("api:quota-detail", "pk"): "quota",
    ("api:programme-detail", "code"): "programme_code",
    ("matching:opportunity-ranking", "pk"): "published",
    ("matching:invite", "pk"): "published",
    ("matching:invite", "member_pk"): "member",
    ("matching:member-opportunities", "pk"): "member",
    ("api:matching-candidates", "pk"): "published",
    ("api:matching-member-opportunities", "pk"): "member",
}


def _kwargs(name: str, route: str, pattern: URLPattern, world, scope: str) -> dict:
    keys = list(pattern.pattern.converters) or list(pattern.pattern.regex.groupindex)
    kwargs = {}
    for key in keys:
        if (name, key) in OPPORTUNITY_KEYS:
            kwargs[key] = world[scope][OPPORTUNITY_KEYS[(name, key)]]
        elif key == "pk" and name.startswith(("registry:member", "api:member")):
            kwargs[key] = world[scope]["member"]
        elif key == "pk" and name.startswith(("registry:organisation", "api:organisation")):
            kwargs[key] = world[scope]["organisation"]
        elif key == "pk" and name == "portal:task-progress":
            kwargs[key] = world["task"]
        elif key == "pk" and name == "api:occupation-detail":
            kwargs[key] = world["occupation"]
        elif key == "pk" and name == "api:skill-detail":
            kwargs[key] = world["skill"]
        elif key in ("pk", "wave_pk", "item"):
            kwargs[key] = 1
        elif key in ("code",):
            kwargs[key] = "22"
        elif key in ("object_id",):
            kwargs[key] = "1"
        elif key == "content_type_id":
            kwargs[key] = 1
        elif key == "app_label":
            kwargs[key] = "accounts"
        elif key == "digest":
            kwargs[key] = "0" * 128
        elif key == "uuid":
            kwargs[key] = uuid.uuid4()
        else:
            kwargs[key] = "x"
    return kwargs


def _path(route: str, pattern: URLPattern, kwargs: dict) -> str:
    from django.urls import reverse

    name = pattern.name
    try:
        return reverse(route, kwargs=kwargs) if route else ""
    except Exception:  # admin/allauth routes built from regexes: resolve by name fallback
        return reverse(name, kwargs=kwargs)


def _get(client, user, path):
    client.logout()
    if user is not None:
        client.force_login(user)
    accept = "application/json" if path.startswith(("/api/v1/", "/api/schema/")) else "text/html"
    return client.get(path, HTTP_ACCEPT=accept)


@pytest.mark.django_db
def test_every_route_answers_each_role_as_expected(client, world):
    failures = []
    unknown = []
    routes = all_routes()
    assert len(routes) > 60, "the walk found too few routes to be walking the real URLconf"
    for name, prefix, pattern in routes:
        if name is None:
            continue
        if (
            name.startswith("admin:")
            or name.startswith(("account_", "mfa_"))
            or name in ("api-root",)
        ):
            continue
        if name not in EXPECTED:
            unknown.append(f"{name} ({prefix})")
            continue
        for scope, table in (("in", EXPECTED), ("out", OUT_OF_SCOPE)):
            if name not in table:
                continue
            rule = table[name]
            path = _path(name, pattern, _kwargs(name, prefix, pattern, world, scope))
            for role in ROLES:
                user = None if role == ANON else world["users"][role]
                if role == ANON:
                    outcome = rule.anon
                elif role in rule.allowed:
                    outcome = NOT_FOUND if scope == "out" and role in SCOPED else rule.yes
                else:
                    outcome = rule.no
                response = _get(client, user, path)
                if not _status_matches(outcome, response):
                    failures.append(
                        f"{role:<18} GET {path} -> {response.status_code}, want {outcome}"
                    )
    assert not unknown, "routes without an expectation:\n" + "\n".join(unknown)
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_admin_site_opens_for_administrators_only(client, world):
    admin_routes = [
        (name, prefix, p) for name, prefix, p in all_routes() if name and name.startswith("admin:")
    ]
    assert len(admin_routes) > 20
    failures = []
    for name, prefix, pattern in admin_routes:
        path = _path(name, pattern, _kwargs(name, prefix, pattern, world, "in"))
        for role in ROLES:
            user = None if role == ANON else world["users"][role]
            response = _get(client, user, path)
            if name in ("admin:login", "admin:logout"):
                # Both hand over to the MFA-aware account pages.
                ok = response.status_code in (302, 405)  # logout wants POST
            elif role == Role.ADMINISTRATOR:
                ok = response.status_code < 500 and not (
                    response.status_code == 302 and "/accounts/login/" in response["Location"]
                )
            else:
                ok = response.status_code in (
                    302,
                    405,
                )  # logout wants POST and "login" in response["Location"]
            if not ok:
                failures.append(f"{role:<18} GET {path} -> {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_account_pages_never_fail_and_ask_visitors_to_sign_in(client, world):
    routes = [
        (name, prefix, p)
        for name, prefix, p in all_routes()
        if name and name.startswith(("account_", "mfa_"))
    ]
    failures = []
    for name, prefix, pattern in routes:
        path = _path(name, pattern, _kwargs(name, prefix, pattern, world, "in"))
        for role in ROLES:
            user = None if role == ANON else world["users"][role]
            response = _get(client, user, path)
            if response.status_code >= 500:
                failures.append(f"{role} GET {path} -> {response.status_code}")
            if role == ANON and name in ALLAUTH_NEEDS_LOGIN and response.status_code == 200:
                failures.append(f"visitor opened {path}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_api_token_opens_the_api_with_the_same_scope(client, world):
    from knox.models import AuthToken

    officer = world["users"][Role.PROGRAMME_OFFICER]
    _instance, token = AuthToken.objects.create(user=officer)
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    listed = client.get("/api/v1/registry/members/", **auth)
    assert listed.status_code == 200
    assert [m["id"] for m in listed.json()["results"]] == [world["in"]["member"]]
    assert (
        client.get(f"/api/v1/registry/members/{world['out']['member']}/", **auth).status_code == 404
    )
    assert (
        client.get("/api/v1/registry/members/", HTTP_AUTHORIZATION="Token nonsense").status_code
        == 401
    )


@pytest.mark.django_db
def test_a_user_without_any_role_reaches_no_staff_page(client, world):
    nobody = UserFactory()
    client.force_login(nobody)
    assert client.get("/backoffice/").status_code == 403
    assert client.get(f"/registry/members/{world['in']['member']}/").status_code == 403
    assert client.get("/dashboard/").status_code == 200
