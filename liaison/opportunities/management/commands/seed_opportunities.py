from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.core.context import acting_as
from liaison.opportunities import demo
from liaison.registry.models import Organisation


class Command(BaseCommand):
    help = (
        "Add demo programmes, a labour agreement with quotas, published needs and job orders, "
        "and a few applications (after seed_demo). Does nothing when opportunities exist."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("Demo opportunities are not added in production.")
        actor = demo.administrator()
        if actor is None:
            raise CommandError(
                "No administrator with a grant everywhere: run seed_demo first "
                "(it creates the demo logins)."
            )
        hospital = Organisation.objects.filter(
            name=demo.HOSPITAL, kind=Organisation.Kind.HOST
        ).first()
        origin = str(
            hospital.country if hospital else settings.LIAISON_ORIGIN_COUNTRY or "PH"
        ).upper()
        started = time.perf_counter()
        with acting_as(actor, via="command"):
            result = demo.seed(actor, origin=origin, seed=options["seed"])
        if result.skipped:
            self.stdout.write("Opportunities exist already; no demo opportunities added.")
            return
        seconds = time.perf_counter() - started
        source = "ESCO occupations" if result.esco else "the built-in ISCO-08 groups"
        self.stdout.write(
            f"Added {result.opportunities} published opportunities (on {source}), "
            f"{result.applications} applications and {result.invitations} invitations; "
            f"{result.skills} skills given to members; "
            f"{result.consents} members agreed to matching, in {seconds:.1f} s."
        )
        for note in result.notes:
            self.stdout.write(note)
