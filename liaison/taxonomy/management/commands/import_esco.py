from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.core.context import acting_as
from liaison.taxonomy.esco import EscoImportError, import_folder
from liaison.taxonomy.models import TaxonomyImport


class Command(BaseCommand):
    help = (
        "Import ISCO-08 groups and ESCO occupations and skills from a folder holding the "
        "official ESCO CSV download (e.g. occupations_en.csv). Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="Folder holding the ESCO CSV files.")
        parser.add_argument("--language", default="en", help="Language suffix of the files.")
        parser.add_argument(
            "--skip-if-loaded",
            action="store_true",
            help="Do nothing when this folder has been imported before (for repeatable setup).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = str(Path(options["path"]).resolve())
        if options["skip_if_loaded"] and TaxonomyImport.objects.filter(source=source).exists():
            self.stdout.write(f"ESCO from {source} is already imported.")
            return
        with acting_as(None, via="command"):
            try:
                run = import_folder(
                    options["path"],
                    language=options["language"],
                    progress=lambda done, where: (
                        self.stderr.write(f"  read {done} rows ({where})")
                        if options["verbosity"] > 1
                        else None
                    ),
                )
            except EscoImportError as exc:
                raise CommandError(exc.report()) from exc
        for kind, counts in run.counts.items():
            self.stdout.write(
                f"{kind}: {counts['created']} created, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged"
            )
        self.stdout.write(self.style.SUCCESS(f"ESCO import from {run.source} finished."))
