"""The back office's navigation by module: each entry shows only to users who may open it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from liaison.accounts.permissions import check


@dataclass(frozen=True)
class Module:
    label: str | Promise
    url_name: str
    action: str


MODULES = [
    Module(_("Overview"), "portal:backoffice", "backoffice.view"),
    Module(_("Registry"), "registry:member-list", "registry.view_member"),
    Module(_("Imports"), "registry:import-list", "registry.import_member"),
    Module(_("Duplicates"), "registry:duplicate-list", "registry.merge_member"),
    Module(_("Surveys"), "surveys:questionnaire-list", "surveys.manage"),
    Module(_("Insights"), "insights:dashboard", "insights.view"),
    Module(_("Placements"), "placements:list", "placements.view"),
    Module(_("Shortlists to review"), "placements:reviews", "placements.review"),
    Module(_("Programme dashboard"), "placements:dashboard", "placements.dashboard"),
    Module(_("Opportunities"), "opportunities:list", "opportunities.view"),
    Module(_("Programmes"), "opportunities:programme-list", "opportunities.manage"),
    Module(_("Remittance indices"), "remittances:indices", "remittances.view"),
    Module(_("Remittance prices"), "remittances:observation-list", "remittances.view"),
    Module(_("Taxonomy"), "taxonomy:browse", "backoffice.view"),
    Module(_("Reference data"), "taxonomy:manage", "taxonomy.manage"),
    Module(_("Audit log"), "audit:event-list", "audit.view"),
    Module(_("Administration"), "admin:index", "admin.site"),
]


def modules_for(user: Any) -> list[dict[str, Any]]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return [
        {"label": m.label, "url": reverse(m.url_name), "url_name": m.url_name}
        for m in MODULES
        if check(user, m.action)
    ]
