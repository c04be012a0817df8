from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from liaison.remittances import imports


class Command(BaseCommand):
    help = (
        "Import the World Bank DataBank export (CSV) of RPW's corridor averages, series "
        "ATCR.CORR. Each corridor and quarter replaces the figure stored for it; a file with "
        "any problem stores nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(
            imports.run_command(
                options["path"], lambda handle, name: imports.import_history(None, handle, name)
            )
        )
