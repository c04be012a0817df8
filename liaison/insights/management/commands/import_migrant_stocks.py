from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from liaison.audit.models import AuditEvent
from liaison.audit.services import record
from liaison.core import bulk
from liaison.core.context import acting_as
from liaison.insights.models import MigrantStock
from liaison.insights.worldbank import WorldBankFileError, read_matrix


class Command(BaseCommand):
    help = (
        "Import the World Bank's bilateral migrant stock estimates (origin by destination "
        "workbook). The year's figures are replaced as a whole; a file with any problem "
        "changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--year", type=int, help="when the sheet's title does not say")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        try:
            with path.open("rb") as handle:
                matrix = read_matrix(handle, options["year"])
        except WorldBankFileError as exc:
            raise CommandError(
                f"{path.name}: nothing imported.\n" + "\n".join(exc.problems)
            ) from exc
        with acting_as(None, via="command"), transaction.atomic():
            MigrantStock.objects.filter(year=matrix.year).delete()
            bulk.insert(
                MigrantStock,
                [
                    {
                        "origin": origin,
                        "destination": destination,
                        "year": matrix.year,
                        "stock": count,
                        "source": path.name[:200],
                    }
                    for (origin, destination), count in sorted(matrix.cells.items())
                ],
            )
            record(
                AuditEvent.Action.IMPORT,
                MigrantStock,
                changes={"year": matrix.year, "pairs": len(matrix.cells)},
                reason=path.name,
            )
        self.stdout.write(
            f"{len(matrix.cells)} origin-destination estimates for {matrix.year} imported"
            + (
                f"; left out (not one country): {', '.join(matrix.left_out)}"
                if matrix.left_out
                else ""
            )
        )
