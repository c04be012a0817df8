from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

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
        self.stdout.write(
            imports.run_command(
                options["path"],
                lambda handle, name: imports.import_flows(None, handle, name, options["year"]),
            )
        )
