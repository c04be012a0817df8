"""Uploading questionnaires."""

from __future__ import annotations

import hashlib
import io
import json
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from liaison.surveys import engine, registry_link, xlsform
from liaison.surveys.models import Questionnaire, QuestionnaireVersion


@transaction.atomic
def upload(actor: Any, handle: IO[bytes], file_name: str) -> tuple[QuestionnaireVersion, bool]:
    """Store an XLSForm workbook as the next version of its questionnaire (found by its
    ``form_id``). The same questions again change nothing; a changed workbook must carry a
    version (settings sheet) that was not used before. Returns the version and whether it is new;
    raises ``xlsform.XLSFormError`` listing every problem, and stores nothing then."""
    content = handle.read()
    form = xlsform.read(io.BytesIO(content), file_name)
    # The questions, not the file's bytes: a workbook saved again unchanged is the same form.
    canonical = json.dumps(form.definition, sort_keys=True, ensure_ascii=False)
    checksum = hashlib.sha256(canonical.encode()).hexdigest()
    questionnaire, _created = Questionnaire.objects.select_for_update().get_or_create(
        form_id=form.form_id, defaults={"title": form.title}
    )
    latest = questionnaire.latest
    if latest is not None and latest.checksum == checksum:
        return latest, False
    if form.version and questionnaire.versions.filter(version=form.version).exists():
        raise xlsform.XLSFormError(
            [
                xlsform.Problem(
                    "settings",
                    2,
                    "version",
                    _(
                        "Version “%(v)s” of this form was uploaded before with other content. "
                        "Give the changed form a new version on the settings sheet."
                    )
                    % {"v": form.version},
                )
            ]
        )
    questions = engine.Form(form.definition)
    registry_map, consent_question = registry_link.guess(questions)
    if latest is not None:
        # keep the office's choices for the questions this version still has
        registry_map = {
            **registry_map,
            **{q: f for q, f in latest.registry_map.items() if q in questions.by_name},
        }
        if latest.consent_question in questions.by_name:
            consent_question = latest.consent_question
    version = QuestionnaireVersion(
        questionnaire=questionnaire,
        number=(latest.number + 1) if latest else 1,
        version=form.version,
        title=form.title,
        original_name=file_name[:255],
        checksum=checksum,
        definition=form.definition,
        languages=[list(pair) for pair in form.languages],
        questions=form.questions,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
        registry_map=registry_map,
        consent_question=consent_question,
    )
    version.source.save(file_name, ContentFile(content), save=False)
    version.save()
    if questionnaire.title != form.title:
        questionnaire.title = form.title
        questionnaire.save(update_fields=["title"])
    return version, True
