from __future__ import annotations

import time
from typing import Any

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from liaison.accounts.models import RoleGrant, User
from liaison.accounts.roles import Role, ScopeKind
from liaison.core.context import acting_as
from liaison.registry import demo
from liaison.registry.models import Member, Organisation

DEMO_PASSWORD = "liaison-demo-2026"  # noqa: S105 - printed for people trying the demo


def demo_email(role: str) -> str:
    return f"{role.replace('_', '-')}@demo.liaison.test"


class Command(BaseCommand):
    help = "Build a synthetic demo registry (deterministic for a seed) and one login per role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--members", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--origin", default="PH", choices=sorted(demo.PROFILES))
        parser.add_argument(
            "--if-empty", action="store_true", help="Add members only when the registry is empty."
        )
        parser.add_argument("--no-accounts", action="store_true", help="Skip the demo logins.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["members"] < 0:
            raise CommandError("--members must be zero or more.")
        with acting_as(None, via="command"):
            if options["if_empty"] and Member.objects.exists():
                self.stdout.write("The registry already has members; none added.")
            elif options["members"]:
                started = time.perf_counter()
                result = demo.seed(options["members"], options["seed"], options["origin"])
                seconds = time.perf_counter() - started
                self.stdout.write(
                    f"Added {result.members} members, {result.skills} skills, "
                    f"{result.languages} languages, {result.organisations} organisations "
                    f"in {seconds:.1f} s."
                )
            if not options["no_accounts"]:
                self._accounts(options["origin"])

    @transaction.atomic
    def _accounts(self, origin: str) -> None:
        hosts = list(demo.PROFILES[origin].hosts)
        organisation = Organisation.objects.order_by("pk").first()
        # The host institution whose focal point signs in (institution scopes hold its number).
        hospital, _created = Organisation.objects.get_or_create(
            name="Demo General Hospital",
            kind=Organisation.Kind.HOST,
            defaults={"country": origin, "sectors": ["health"], "city": ""},
        )
        scopes: dict[str, tuple[str, str]] = {
            Role.MEMBER: (ScopeKind.GLOBAL, ""),
            Role.ORGANISATION_REP: (
                (ScopeKind.ORGANISATION, str(organisation.pk))
                if organisation
                else (ScopeKind.GLOBAL, "")
            ),
            Role.HOST_FOCAL_POINT: (ScopeKind.INSTITUTION, str(hospital.pk)),
            Role.PROGRAMME_OFFICER: (ScopeKind.COUNTRY, hosts[0]),
            Role.REVIEWER: (ScopeKind.CALL, "demo-call"),
            Role.CONSULAR_OFFICER: (ScopeKind.COUNTRY, hosts[1]),
            Role.ANALYST: (ScopeKind.GLOBAL, ""),
            Role.ADMINISTRATOR: (ScopeKind.GLOBAL, ""),
        }
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for role, (kind, value) in scopes.items():
            email = demo_email(role)
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email, DEMO_PASSWORD, full_name=f"Demo {Role(role).label}"
                )
                EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            RoleGrant.objects.get_or_create(
                user=user, role=role, scope_kind=kind, scope_value=value
            )
            if role == Role.MEMBER and not hasattr(user, "member_profile"):
                member = Member.objects.filter(user__isnull=True).order_by("pk").first()
                if member is not None:
                    member.user = user
                    member.email = email
                    member.save()
            scope = "everywhere" if kind == ScopeKind.GLOBAL else f"{kind} {value}"
            self.stdout.write(f"  {role:<18} {email:<42} ({scope})")
        self.stdout.write(
            "Staff roles are asked to set up an authenticator app (TOTP) at their first sign-in."
        )
