"""Opportunities in Django's admin: to look, not to write. Every write goes through the
services (quotas drawn under a lock, overlaps refused, transitions logged), which the admin's
forms would bypass; the back office pages are where they are changed."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from liaison.opportunities.models import (
    Application,
    LabourAgreement,
    Opportunity,
    OpportunityTransition,
    Programme,
    Quota,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "kind", "active"]
    search_fields = ["name", "code"]


@admin.register(LabourAgreement)
class LabourAgreementAdmin(ReadOnlyAdmin):
    list_display = ["name", "programme", "origin_country", "destination_country", "valid_from"]


@admin.register(Quota)
class QuotaAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "sector", "starts", "ends", "positions"]


@admin.register(Opportunity)
class OpportunityAdmin(ReadOnlyAdmin):
    list_display = ["title", "host", "programme", "status", "country", "starts"]
    list_filter = ["status", "modality", "kind"]
    search_fields = ["title"]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["opportunity", "member", "origin", "created_at", "accepted_at"]


@admin.register(OpportunityTransition)
class OpportunityTransitionAdmin(ReadOnlyAdmin):
    list_display = ["opportunity", "from_status", "to_status", "actor", "at"]
