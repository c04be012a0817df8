from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.core.context import acting_as
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
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        with acting_as(None, via="command"), path.open("rb") as handle:
            report = imports.import_history(None, handle, path.name)
        if report.total_problems:
            raise CommandError("\n".join([report.refusal(), *(str(p) for p in report.problems)]))
        self.stdout.write("\n".join(report.outcome()))
