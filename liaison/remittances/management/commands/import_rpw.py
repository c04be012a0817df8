from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.core.context import acting_as
from liaison.remittances import imports


class Command(BaseCommand):
    help = (
        "Import a Remittance Prices Worldwide workbook (sheet “Dataset (from Q2 2016)”): one "
        "price observation per row and price point. A file with any problem stores nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")

        def progress(done: int, total: int | None) -> None:
            if options["verbosity"] > 1 and done % 50_000 == 0:
                self.stderr.write(f"{done:,} rows read" + (f" of {total:,}" if total else ""))

        with acting_as(None, via="command"), path.open("rb") as handle:
            report = imports.import_rpw(None, handle, path.name, progress=progress)
        if report.total_problems:
            raise CommandError("\n".join([report.refusal(), *(str(p) for p in report.problems)]))
        self.stdout.write("\n".join(report.outcome()))
