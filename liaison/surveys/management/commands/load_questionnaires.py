from __future__ import annotations

import io
from typing import Any

from django.core.management.base import BaseCommand

from liaison.core.context import acting_as
from liaison.surveys import demo, services
from liaison.surveys.ready import READY


class Command(BaseCommand):
    help = "Add the ready questionnaires (English and French) to Liaison; unchanged ones stay."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--demo-responses",
            type=int,
            default=0,
            help="Also open a demo wave of the diaspora mapping survey with this many "
            "anonymous responses (once: nothing when it already has a wave).",
        )
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        with acting_as(None, via="command"):
            for ready in READY:
                version, created = services.upload(
                    None, io.BytesIO(ready.workbook()), f"{ready.slug}.xlsx"
                )
                state = "added" if created else "unchanged"
                self.stdout.write(f"{ready.slug}: version {version.number} {state}")
            if options["demo_responses"] > 0:
                stored = demo.seed(options["demo_responses"], options["seed"])
                self.stdout.write(f"Demo wave: {stored} responses added.")
