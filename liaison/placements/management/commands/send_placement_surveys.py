from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from liaison.core.context import acting_as
from liaison.placements.mail import send_due_surveys


class Command(BaseCommand):
    help = (
        "Email the links of placement surveys that are due (the host's evaluation, the 3, 6 "
        "and 12 month follow-ups) and not yet sent. Run it daily."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="Send what is due on this day (YYYY-MM-DD); today.")

    def handle(self, *args: Any, **options: Any) -> None:
        day = None
        if options["date"]:
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(
                    f"--date {options['date']!r} is not a YYYY-MM-DD date."
                ) from None
        with acting_as(None, via="command"):
            sent = send_due_surveys(today=day)
        self.stdout.write(f"{sent} placement survey(s) sent.")
