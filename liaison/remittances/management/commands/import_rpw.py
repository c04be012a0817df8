from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from liaison.remittances import imports


class Command(BaseCommand):
    help = (
        "Import a Remittance Prices Worldwide workbook (sheet “Dataset (from Q2 2016)”): one "
        "price observation per row and price point. A file with any problem stores nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(done: int, total: int | None) -> None:
            if options["verbosity"] > 1 and done % 50_000 == 0:
                self.stderr.write(f"{done:,} rows read" + (f" of {total:,}" if total else ""))

        self.stdout.write(
            imports.run_command(
                options["path"],
                lambda handle, name: imports.import_rpw(None, handle, name, progress=progress),
            )
        )
