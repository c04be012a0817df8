from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.core.context import acting_as
from liaison.matching.hierarchy import HierarchyError, import_skill_hierarchy


class Command(BaseCommand):
    help = (
        "Import ESCO's skills hierarchy (broaderRelationsSkillPillar_<lang>.csv) from a folder "
        "holding the official ESCO CSV download, for the matching engine. Import the skills "
        "first (import_esco). Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="Folder holding the ESCO CSV files.")
        parser.add_argument("--language", default="en", help="Language suffix of the file.")

    def handle(self, *args: Any, **options: Any) -> None:
        with acting_as(None, via="command"):
            try:
                result = import_skill_hierarchy(options["path"], language=options["language"])
            except HierarchyError as exc:
                raise CommandError(exc.report()) from exc
        self.stdout.write(
            f"{result.relations} relations between skills stored ({result.replaced} replaced); "
            f"{result.groups} relations with skill groups and {result.unknown} naming skills "
            "not in the taxonomy left out."
        )
