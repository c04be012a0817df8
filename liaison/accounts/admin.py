from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from liaison.accounts.models import RoleGrant, User


class RoleGrantInline(admin.TabularInline[RoleGrant, User]):
    model = RoleGrant
    fk_name = "user"
    extra = 0
    fields = ["role", "scope_kind", "scope_value", "valid_until", "granted_by", "granted_at"]
    readonly_fields = ["granted_by", "granted_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "date_joined", "last_login"]
    list_filter = ["is_active", "role_grants__role"]
    search_fields = ["email", "full_name"]
    inlines = [RoleGrantInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "preferred_language")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ()


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin[RoleGrant]):
    list_display = ["user", "role", "scope_kind", "scope_value", "valid_until", "granted_at"]
    list_filter = ["role", "scope_kind"]
    search_fields = ["user__email", "scope_value"]
    autocomplete_fields = ["user"]
    readonly_fields = ["granted_by", "granted_at"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)
