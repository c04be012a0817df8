"""Roles and scopes. Identifiers are stable ASCII; labels are translated separately."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    ORGANISATION_REP = "organisation_rep", _("Organisation representative")
    HOST_FOCAL_POINT = "host_focal_point", _("Host focal point")
    PROGRAMME_OFFICER = "programme_officer", _("Programme officer")
    REVIEWER = "reviewer", _("Reviewer")
    CONSULAR_OFFICER = "consular_officer", _("Consular officer")
    ANALYST = "analyst", _("Analyst")
    ADMINISTRATOR = "administrator", _("Administrator")


class ScopeKind(models.TextChoices):
    GLOBAL = "global", _("Everywhere")
    COUNTRY = "country", _("Country of residence")
    PROGRAMME = "programme", _("Programme")
    INSTITUTION = "institution", _("Institution")
    CALL = "call", _("Call")
    ORGANISATION = "organisation", _("Organisation")


# Roles whose holders see other people's data: they must use multi-factor authentication.
STAFF_ROLES = frozenset(
    {
        Role.HOST_FOCAL_POINT,
        Role.PROGRAMME_OFFICER,
        Role.REVIEWER,
        Role.CONSULAR_OFFICER,
        Role.ANALYST,
        Role.ADMINISTRATOR,
    }
)

# Roles that work in the back office (the staff pages with navigation by module).
BACK_OFFICE_ROLES = frozenset(
    {Role.PROGRAMME_OFFICER, Role.CONSULAR_OFFICER, Role.ANALYST, Role.ADMINISTRATOR}
)
