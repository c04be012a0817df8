from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.accounts.roles import STAFF_ROLES, Role, ScopeKind


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Email is the login; roles come from ``RoleGrant`` rows."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Kept for Django's admin; Liaison's own pages use role grants."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    # The log names staff by email, for accountability, and everyone else by number only, so
    # that an erased account leaves no contact detail in the unchangeable log.
    audit_values = False

    @property
    def audit_label(self) -> str:
        # The grants the permission API already loaded for this user object, else the database
        # (without filling that cache: the user's grants may still be being written).
        cached = getattr(self, "_liaison_grants", None)
        if cached is not None:
            staff = any(g.role in STAFF_ROLES for g in cached)
        else:
            staff = (
                RoleGrant.objects.active().filter(user_id=self.pk, role__in=STAFF_ROLES).exists()
            )
        return self.email if staff else f"user #{self.pk}"

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class RoleGrantQuerySet(models.QuerySet["RoleGrant"]):
    def active(self) -> RoleGrantQuerySet:
        today = timezone.localdate()
        return self.filter(
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=today),
            user__is_active=True,
        )


class RoleGrant(models.Model):
    """One role held by one user within one scope (a country, programme, institution ...)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    scope_kind = models.CharField(
        _("scope"), max_length=16, choices=ScopeKind.choices, default=ScopeKind.GLOBAL
    )
    scope_value = models.CharField(
        _("scope value"),
        max_length=64,
        blank=True,
        help_text=_("The country code or the identifier of the programme, institution or call."),
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "scope_kind", "scope_value"], name="unique_role_grant"
            ),
            models.CheckConstraint(
                condition=(models.Q(scope_kind="global", scope_value=""))
                | (~models.Q(scope_kind="global") & ~models.Q(scope_value="")),
                name="role_grant_scope_value_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        if self.scope_kind == ScopeKind.GLOBAL:
            return f"{self.get_role_display()}"
        return f"{self.get_role_display()} ({self.get_scope_kind_display()}: {self.scope_value})"

    def clean(self) -> None:
        if self.scope_kind == ScopeKind.GLOBAL and self.scope_value:
            raise ValidationError({"scope_value": _("A grant for everywhere takes no value.")})
        if self.scope_kind != ScopeKind.GLOBAL and not self.scope_value:
            raise ValidationError({"scope_value": _("Name the country, programme or institution.")})
        if self.scope_kind == ScopeKind.COUNTRY:
            from django_countries import countries

            code = self.scope_value.upper()
            if code not in dict(countries):
                raise ValidationError(
                    {
                        "scope_value": _("%(code)s is not an ISO 3166 country code.")
                        % {"code": self.scope_value}
                    }
                )
            self.scope_value = code
