from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.core.context import acting_as
from liaison.remittances import imports


class Command(BaseCommand):
    help = (
        "Import the World Bank's bilateral remittance estimates (sending countries down, "
        "receiving countries across, USD millions). The year's figures are replaced as a "
        "whole; a file with any problem changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--year", type=int, help="when the sheet's title does not say")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        with acting_as(None, via="command"), path.open("rb") as handle:
            report = imports.import_flows(None, handle, path.name, options["year"])
        if report.total_problems:
            raise CommandError("\n".join([report.refusal(), *(str(p) for p in report.problems)]))
        self.stdout.write("\n".join(report.outcome()))
