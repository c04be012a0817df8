"""The file layouts of KoboToolbox and ODK Central exports, read and written.

Three layouts, as the two servers write them:

- **KoboToolbox XLSX**: the first sheet holds one row per submission, a column per question
  headed by its path (``group/question``, or only ``question`` when exported without group
  names), a select_multiple as one column of space-separated choice names and optionally one
  0/1 column per choice (``group/question/choice``), a geopoint as ``group/question`` with its
  parts in ``group/_question_latitude`` ...; then Kobo's own columns (``_id``, ``_uuid``,
  ``_submission_time``, ``__version__``, ``_index`` ...). Each repeat has its own sheet, named
  after it, whose rows point to their parent row through ``_parent_index`` (the parent sheet's
  ``_index``) and carry the submission's ``_submission__uuid`` ...
- **KoboToolbox CSV**: the first sheet alone, separated by ``;`` or ``,``.
- **ODK Central**: a zip of ``<form_id>.csv`` (headers ``group-question``, geopoints in four
  columns ``-Latitude`` ... ``-Accuracy``, then ``meta-instanceID``, ``KEY``, ``FormVersion``
  ...) and one ``<form_id>-<repeat>.csv`` per repeat, whose rows name their parent's ``KEY`` in
  ``PARENT_KEY`` and have their own ``KEY`` (``uuid:…/person[1]``); or the main CSV alone.

Reading turns a file into ``Record``s holding the answers in the rules engine's shape (a flat
dict by question name, a repeat as a list of such dicts), every value as text, the way an ODK
instance holds it. Columns are recognised from the form version's own questions, never guessed
from their spelling, so that a question called ``a-b`` and a group ``a`` with a question ``b``
are not confused. Nothing here touches the database.

The package: ``layout`` (the columns), ``reading``, ``writing``.
"""

from __future__ import annotations

from liaison.surveys.exchange.layout import (
    MAX_PROBLEMS,
    XLSX_TYPE,
    Column,
    Field,
    Layout,
    as_text,
    is_meta,
)
from liaison.surveys.exchange.reading import (
    ExchangeError,
    Parsed,
    Problem,
    Record,
    read,
)
from liaison.surveys.exchange.writing import (
    Outgoing,
    kobo_tables,
    odk_tables,
    write_kobo_csv,
    write_kobo_xlsx,
    write_odk_zip,
)

__all__ = [
    "MAX_PROBLEMS",
    "XLSX_TYPE",
    "Column",
    "ExchangeError",
    "Field",
    "Layout",
    "Outgoing",
    "Parsed",
    "Problem",
    "Record",
    "as_text",
    "is_meta",
    "kobo_tables",
    "odk_tables",
    "read",
    "write_kobo_csv",
    "write_kobo_xlsx",
    "write_odk_zip",
]
