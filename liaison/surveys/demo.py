"""Demo answers for the diaspora mapping survey, so that a fresh demo shows survey results.

Every generated submission goes through the same rules check as a web respondent's and is stored
the same way; respondents decline registration, so the answers are anonymous statistics.
"""

from __future__ import annotations

import datetime
import random
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from liaison.core import bulk
from liaison.registry.demo import PROFILES
from liaison.surveys import collect, engine
from liaison.surveys.models import Answer, Questionnaire, Submission, Wave

FORM_ID = "diaspora_mapping"
# Questions answered with one or more of the form's own choices.
PICK_ONE = ("sex", "connection", "time_abroad", "education_level", "work_status")
PICK_SOME = ("contribution_interest", "availability")


@transaction.atomic
def seed(responses: int, seed: int = 1, origin: str = "PH") -> int:
    """Open a demo wave of the diaspora mapping survey with ``responses`` submissions; nothing
    when the questionnaire is missing or already has a wave. Returns how many were stored."""
    questionnaire = Questionnaire.objects.filter(form_id=FORM_ID).first()
    if questionnaire is None or questionnaire.waves.exists() or questionnaire.latest is None:
        return 0
    version = questionnaire.latest
    now = timezone.now()
    wave = Wave.objects.create(
        questionnaire=questionnaire,
        version=version,
        name="Demo wave",
        opens_at=now - datetime.timedelta(days=90),
        closes_at=now + datetime.timedelta(days=90),
    )
    form = engine.Form(version.definition)
    rng = random.Random(seed)
    hosts = PROFILES[origin].hosts
    submissions: list[dict[str, Any]] = []
    answers: list[list[collect.AnswerRow]] = []  # per submission, in order
    for _n in range(responses):
        raw = _answers(form, rng, list(hosts), list(hosts.values()), now.year)
        outcome = form.check(raw, complete=True, today=now.date())
        if outcome.issues:
            raise ValueError(f"demo answers break the form's rules: {outcome.issues[:3]}")
        submitted = now - datetime.timedelta(days=rng.randint(0, 89), minutes=rng.randint(0, 1439))
        submissions.append(
            {
                "wave_id": wave.pk,
                "version_id": version.pk,
                "instance_id": f"uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}",
                "status": Submission.Status.COMPLETE,
                "source": Submission.Source.WEB,
                "data": raw,
                "respondent_id": None,
                "member_id": None,
                "started_at": submitted,
                "submitted_at": submitted,
                "updated_at": submitted,
            }
        )
        answers.append(collect.answer_rows(form, outcome.values))
    ids = bulk.insert(Submission, submissions, returning_ids=True)
    bulk.insert(Answer, collect.answer_dicts(wave.pk, zip(ids, answers, strict=True)))
    return len(submissions)


def _answers(
    form: engine.Form, rng: random.Random, hosts: list[str], weights: list[float], year: int
) -> dict[str, Any]:
    choices = {q.name: list(q.choices) for q in form.questions}
    raw: dict[str, Any] = {
        "consent_register": "no",
        "consent_contact": "no",
        "residence_country": rng.choices(hosts, weights)[0],
        "birth_year": str(rng.randint(year - 70, year - 20)),
    }
    for name in PICK_ONE:
        if choices.get(name):
            raw[name] = rng.choice(choices[name])
    for name in PICK_SOME:
        options = [c for c in choices.get(name, []) if c != "none"]
        if options:
            raw[name] = " ".join(rng.sample(options, rng.randint(1, min(3, len(options)))))
    needs = [c for c in choices.get("needs", []) if c != "other"]
    if needs:
        raw["needs"] = " ".join(rng.sample(needs, rng.randint(1, 3)))
    return raw
