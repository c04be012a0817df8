from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from liaison.audit.models import AuditEvent
from liaison.audit.services import record
from liaison.registry.demo import PROFILES
from liaison.remittances import demo
from liaison.remittances.models import Observation


class Command(BaseCommand):
    help = (
        "Add demo remittance prices: fictitious providers in the corridors from the demo "
        "diaspora's main host countries to its country of origin, eight quarters at USD 200 "
        "and 500. Does nothing when prices exist."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--origin", default="", help="Receiving country (default LIAISON_ORIGIN_COUNTRY)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("Demo prices are not added in production.")
        if Observation.objects.exists():
            self.stdout.write("Remittance prices exist already; no demo prices added.")
            return
        origin = (options["origin"] or settings.LIAISON_ORIGIN_COUNTRY or "PH").upper()
        profile = PROFILES.get(origin)
        if profile is None:
            raise CommandError(f"No demo profile for {origin}: use one of {sorted(PROFILES)}.")
        hosts = sorted(profile.hosts, key=lambda code: -profile.hosts[code])[:8]
        result = demo.seed(origin, hosts, today=timezone.localdate(), seed=options["seed"])
        record(
            AuditEvent.Action.IMPORT,
            Observation,
            actor=None,
            changes={"observations": result.observations, "corridors": result.corridors},
            reason="seed_remittances",
        )
        self.stdout.write(
            f"Added {result.observations} demo prices from {result.providers} providers in "
            f"{result.corridors} corridors to {origin} ({result.pending} waiting for "
            "verification)."
        )
