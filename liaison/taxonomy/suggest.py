"""Turn free text into ranked ESCO occupations and skills (and ISCO-08 groups).

A person types a job title as they know it: with typos ("nurce"), a synonym ESCO lists as an
alternative label ("RN"), or the words in another order ("engineer software"). Every label is
normalised (transliterated to ASCII, lower case, punctuation removed); RapidFuzz finds candidates
in a few fast passes (edit distance, sorted words, partial match) and each candidate is then
scored word by word: every typed word against the closest word of the label, so that a typo in
one word costs only that word, less a little for each extra word of the label. A concept ranks by
its best-matching label, with a small preference for exact and prefix matches. The index is held in
memory per process and rebuilt when a new ESCO import lands.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Literal

from anyascii import anyascii
from rapidfuzz import fuzz, process

from liaison.taxonomy.models import IscoGroup, Occupation, Skill, TaxonomyImport

Kind = Literal["occupation", "skill", "isco"]
KINDS: tuple[Kind, ...] = ("occupation", "skill", "isco")
_PUNCT = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    return _PUNCT.sub(" ", anyascii(text).lower()).strip()


@dataclass(frozen=True)
class Suggestion:
    kind: Kind
    value: str  # ESCO URI, or ISCO code
    label: str
    matched: str  # the label that matched, which may be an alternative label
    detail: str
    score: float


@dataclass
class _Index:
    version: tuple[int, int]
    labels: list[str]  # normalised
    owners: list[int]  # index into concepts
    preferred: list[bool]
    concepts: list[tuple[str, str, str, str]]  # value, label, detail, original matched label
    originals: list[str]


_cache: dict[Kind, _Index] = {}
_lock = threading.Lock()


def _version() -> tuple[int, int]:
    last = TaxonomyImport.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0, IscoGroup.objects.count())


def _build(kind: Kind, version: tuple[int, int]) -> _Index:
    index = _Index(version, [], [], [], [], [])

    def add(value: str, label: str, detail: str, alternatives: list[str]) -> None:
        owner = len(index.concepts)
        index.concepts.append((value, label, detail, label))
        for i, text in enumerate([label, *alternatives]):
            norm = normalise(text)
            if not norm:
                continue
            index.labels.append(norm)
            index.owners.append(owner)
            index.preferred.append(i == 0)
            index.originals.append(text)

    if kind == "occupation":
        for uri, label, alts, isco in Occupation.objects.values_list(
            "uri", "label", "alt_labels", "isco_group__code"
        ).iterator(chunk_size=2000):
            add(uri, label, f"ISCO {isco}" if isco else "", list(alts or []))
    elif kind == "skill":
        for uri, label, alts, reuse in Skill.objects.values_list(
            "uri", "label", "alt_labels", "reuse_level"
        ).iterator(chunk_size=2000):
            add(uri, label, reuse, list(alts or []))
    else:
        for group in IscoGroup.objects.all():
            add(group.code, group.display_label, f"ISCO {group.code}", [group.label])
    return index


def _index(kind: Kind) -> _Index:
    version = _version()
    cached = _cache.get(kind)
    if cached is not None and cached.version == version:
        return cached
    with _lock:
        cached = _cache.get(kind)
        if cached is None or cached.version != version:
            cached = _build(kind, version)
            _cache[kind] = cached
    return cached


def _word_score(query_tokens: list[str], label_tokens: list[str]) -> float:
    """Each typed word against its closest word of the label ("nurce" ~ "nurse"), averaged,
    less a little for every extra word the label has."""
    if not label_tokens:
        return 0.0
    total = sum(max(fuzz.ratio(q, w) for w in label_tokens) for q in query_tokens)
    extra = max(0, len(label_tokens) - len(query_tokens))
    return total / len(query_tokens) - 2.0 * extra


def _score(query: str, label: str) -> float:
    """How well ``label`` answers ``query`` (0-100), tolerant of typos, order and omissions."""
    score = max(fuzz.ratio(query, label), fuzz.token_sort_ratio(query, label))
    q_tokens, l_tokens = query.split(), label.split()
    if len(l_tokens) >= len(q_tokens):
        score = max(score, _word_score(q_tokens, l_tokens))
    if len(label) > len(query) and len(query) >= 4:  # a label that starts with what is typed
        score = max(score, 0.9 * fuzz.ratio(query, label[: len(query)]))
    return float(score)


def suggest(text: str, kind: Kind = "occupation", limit: int = 10) -> list[Suggestion]:
    query = normalise(text)[:200]
    if len(query) < 2:
        return []
    index = _index(kind)
    if not index.labels:
        return []
    # Candidates come from several fast passes in C; each is then scored once in Python.
    candidates: set[int] = set()
    passes = ((fuzz.ratio, 10), (fuzz.token_sort_ratio, 10), (fuzz.partial_ratio, 40))
    for scorer, factor in passes:
        for *_match, position in process.extract(
            query,
            index.labels,
            scorer=scorer,
            processor=None,
            limit=limit * factor,
            score_cutoff=50,
        ):
            candidates.add(position)
    best: dict[int, tuple[float, int]] = {}
    for position in candidates:
        label = index.labels[position]
        total = _score(query, label)
        if total < 60:
            continue
        if label == query:
            total += 10
        elif label.startswith(query):
            total += 3
        if index.preferred[position]:
            total += 1
        owner = index.owners[position]
        if owner not in best or total > best[owner][0]:
            best[owner] = (total, position)
    ranked = sorted(best.items(), key=lambda item: (-item[1][0], index.concepts[item[0]][1]))
    out = []
    for owner, (score, position) in ranked[:limit]:
        value, label, detail, _orig = index.concepts[owner]
        out.append(
            Suggestion(kind, value, label, index.originals[position], detail, round(score, 1))
        )
    return out
