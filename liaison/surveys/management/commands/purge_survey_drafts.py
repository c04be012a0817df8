from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from liaison.core.context import acting_as
from liaison.surveys.retention import purge_drafts


class Command(BaseCommand):
    help = (
        "Delete unsent survey answers no one can finish any more: anonymous drafts whose "
        "session has ended, drafts of closed waves, and drafts untouched for --days "
        "(SURVEY_DRAFT_DAYS). Sent answers are kept. Run it daily."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep a signed-in respondent's draft this many days after its last change "
            "(default: SURVEY_DRAFT_DAYS).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = settings.SURVEY_DRAFT_DAYS if options["days"] is None else options["days"]
        try:
            with acting_as(None, via="command"):
                purged = purge_drafts(keep_days=days)
        except ValueError as refused:
            raise CommandError(f"--days: {refused}.") from None
        self.stdout.write(
            f"{purged.total} survey draft(s) deleted: {purged.anonymous} anonymous with their "
            f"session ended, {purged.closed} of closed waves, {purged.stale} untouched for "
            f"{days} days."
        )
