"""Keeping answers: a checked submission's typed values become ``Answer`` rows.

Both ways in — the web form and imported exports — go through ``engine.Form.check`` first and
then through ``answer_rows``, so an answer is stored the same way whichever way it came.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from liaison.core import bulk
from liaison.surveys import engine
from liaison.surveys.models import Answer, Submission

AnswerRow = tuple[str, str, str, Decimal | None, datetime.date | None]


def answer_rows(form: engine.Form, values: dict[str, Any]) -> list[AnswerRow]:
    """``(question, instance, text, number, date)`` for each answer in ``values`` (an
    ``Outcome.values``): one row per chosen choice of a select_multiple, ``instance`` the
    1-based positions in the enclosing repeats joined by dots ("" outside repeats)."""
    return list(_rows(form, values, ""))


def _rows(form: engine.Form, values: dict[str, Any], instance: str) -> Iterator[AnswerRow]:
    for name, value in values.items():
        if name in form.repeats:
            for position, entry in enumerate(value or [], start=1):
                inner = f"{instance}.{position}" if instance else str(position)
                yield from _rows(form, entry, inner)
            continue
        if name not in form.by_name or value is None or value == "" or value == []:
            continue
        if isinstance(value, list):
            for choice in value:
                yield (name, instance, str(choice), None, None)
        elif isinstance(value, bool):
            yield (name, instance, "true" if value else "false", None, None)
        elif isinstance(value, int | Decimal | float):
            yield (name, instance, "", Decimal(str(value)), None)
        elif isinstance(value, datetime.datetime):
            yield (name, instance, "", None, value.date())
        elif isinstance(value, datetime.date):
            yield (name, instance, "", None, value)
        else:
            yield (name, instance, str(value), None, None)


def answer_dicts(
    wave_id: int, answered: Iterable[tuple[int, list[AnswerRow]]]
) -> list[dict[str, Any]]:
    """``Answer`` rows for ``bulk.insert``, from (submission id, its answer rows) pairs."""
    return [
        {
            "submission_id": pk,
            "wave_id": wave_id,
            "question": question,
            "instance": instance,
            "text": text,
            "number": number,
            "date": date,
        }
        for pk, rows in answered
        for question, instance, text, number, date in rows
    ]


@transaction.atomic
def complete(submission: Submission, form: engine.Form, outcome: engine.Outcome) -> Submission:
    """Mark a checked submission complete and store its typed answers (replacing any)."""
    submission.status = Submission.Status.COMPLETE
    submission.submitted_at = submission.submitted_at or timezone.now()
    submission.save()
    submission.answers.all().delete()
    rows = answer_rows(form, outcome.values)
    bulk.insert(Answer, answer_dicts(submission.wave_id, [(submission.pk, rows)]))
    return submission
