from __future__ import annotations

import io
from typing import Any

from django.core.management.base import BaseCommand

from liaison.core.context import acting_as
from liaison.surveys import services
from liaison.surveys.ready import READY


class Command(BaseCommand):
    help = "Add the ready questionnaires (English and French) to Liaison; unchanged ones stay."

    def handle(self, *args: Any, **options: Any) -> None:
        with acting_as(None, via="command"):
            for ready in READY:
                version, created = services.upload(
                    None, io.BytesIO(ready.workbook()), f"{ready.slug}.xlsx"
                )
                state = "added" if created else "unchanged"
                self.stdout.write(f"{ready.slug}: version {version.number} {state}")
