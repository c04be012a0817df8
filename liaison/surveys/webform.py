"""A questionnaire version as a web form: what the page shows, and how a posted page becomes
answers.

Field names in the page: a question outside repeats is named after it (``age``); inside repeats
its name carries the positions (``age@2`` is the age of the second person, ``age@2.1`` a question
of a repeat inside it). A repeat's number of entries travels in ``<repeat>@<positions>#count``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from liaison.surveys import engine
from liaison.surveys.models import QuestionnaireVersion

SELECT_ONE = "select one"
SELECT_MULTIPLE = "select all that apply"
INPUT_TYPES = {"text", "integer", "decimal", "date", "geopoint", SELECT_ONE, SELECT_MULTIPLE}
MAX_REPEAT = 50  # entries of one repeat a web respondent may add


_COMPILED: dict[tuple[int, str], engine.Form] = {}


def compiled(version: QuestionnaireVersion) -> engine.Form:
    """The version's rules, compiled once per process: a version never changes (its checksum
    is in the key all the same), and the live check asks for them at every change."""
    key = (version.pk, version.checksum)
    form = _COMPILED.get(key)
    if form is None:
        if len(_COMPILED) >= 64:
            _COMPILED.clear()
        form = _COMPILED[key] = engine.Form(version.definition)
    return form


def key(name: str, instance: tuple[int, ...]) -> str:
    return f"{name}@{'.'.join(map(str, instance))}" if instance else name


@dataclass
class Node:
    """One thing on the page: a question, a note, a group or a repeat."""

    kind: str  # "question", "note", "group", "repeat"
    name: str
    key: str
    type: str = ""
    label: str = ""
    hint: str = ""
    required: bool = False
    appearance: str = ""
    value: Any = ""
    choices: list[tuple[str, str, bool]] = field(default_factory=list)  # name, label, allowed
    error: str = ""
    hidden: bool = False
    children: list[Node] = field(default_factory=list)
    entries: list[list[Node]] = field(default_factory=list)  # a repeat's entries
    count_key: str = ""

    @property
    def input_id(self) -> str:
        return "q-" + self.key.replace("@", "-").replace(".", "-")

    @property
    def latitude(self) -> str:
        return str(self.value).split()[0] if str(self.value).split() else ""

    @property
    def longitude(self) -> str:
        parts = str(self.value).split()
        return parts[1] if len(parts) > 1 else ""


class Page:
    """The form of one version in one language, with a respondent's answers and their state."""

    def __init__(self, version: QuestionnaireVersion, language: str = "") -> None:
        definition, languages = version.definition, version.languages
        self.definition = definition
        self.form = compiled(version)
        names = {code: name for name, code in languages}  # "fr" -> "French (fr)"
        self.language = names.get(language) or definition.get("default_language") or ""

    # --- reading a posted page -------------------------------------------------------------
    def answers(self, data: QueryDict) -> dict[str, Any]:
        """The raw answers on a posted page, in the engine's shape."""
        return self._read(self.definition.get("children", []), data, ())

    def _read(
        self, children: list[dict[str, Any]], data: QueryDict, instance: tuple[int, ...]
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for child in children:
            kind, name = child.get("type", ""), child.get("name", "")
            if kind == "group":
                out.update(self._read(child.get("children", []), data, instance))
            elif kind == "repeat":
                count = _count(data.get(key(name, instance) + "#count"))
                out[name] = [
                    self._read(child.get("children", []), data, (*instance, n))
                    for n in range(1, count + 1)
                ]
            elif kind == SELECT_MULTIPLE:
                out[name] = " ".join(_clean(v) for v in data.getlist(key(name, instance)) if v)
            elif kind == "geopoint":
                k = key(name, instance)
                lat, lon = _clean(data.get(k)).strip(), _clean(data.get(k + "#lon")).strip()
                out[name] = f"{lat} {lon}" if lat or lon else ""
            elif kind in INPUT_TYPES:
                out[name] = _clean(data.get(key(name, instance)))
        return out

    # --- what the page shows ---------------------------------------------------------------
    def nodes(self, answers: dict[str, Any], outcome: engine.Outcome | None) -> list[Node]:
        errors = {key(i.name, i.instance): i.message for i in outcome.issues} if outcome else {}
        hidden = {key(n, inst) for n, inst in outcome.hidden} if outcome else set()
        allowed = (
            {key(n, inst): set(c) for (n, inst), c in outcome.choices.items()} if outcome else {}
        )
        return self._nodes(
            self.definition.get("children", []), answers, (), errors, hidden, allowed
        )

    def _nodes(
        self,
        children: list[dict[str, Any]],
        answers: dict[str, Any],
        instance: tuple[int, ...],
        errors: dict[str, str],
        hidden: set[str],
        allowed: dict[str, set[str]],
    ) -> list[Node]:
        out: list[Node] = []
        for child in children:
            kind, name = child.get("type", ""), child.get("name", "")
            if child.get("control", {}).get("bodyless") or kind in ("calculate", "start", "end"):
                continue
            k = key(name, instance)
            node = Node(
                kind="question",
                name=name,
                key=k,
                type=kind,
                label=self.text(child.get("label")),
                hint=self.text(child.get("hint")),
                required=str(child.get("bind", {}).get("required", "")).strip()
                in ("yes", "true()", "true"),
                appearance=str(child.get("control", {}).get("appearance", "")),
                error=errors.get(k, ""),
                hidden=k in hidden,
            )
            if kind == "group":
                node.kind = "group"
                node.children = self._nodes(
                    child.get("children", []), answers, instance, errors, hidden, allowed
                )
            elif kind == "repeat":
                node.kind = "repeat"
                node.count_key = k + "#count"
                entries = answers.get(name) or []
                node.entries = [
                    self._nodes(
                        child.get("children", []), entry, (*instance, n), errors, hidden, allowed
                    )
                    for n, entry in enumerate(entries, start=1)
                ]
            elif kind == "note":
                node.kind = "note"
            elif kind in INPUT_TYPES:
                node.value = answers.get(name, "")
                if kind == SELECT_MULTIPLE:
                    raw = node.value
                    node.value = raw.split() if isinstance(raw, str) else list(raw or [])
                if kind in (SELECT_ONE, SELECT_MULTIPLE):
                    # Every choice is on the page; those a choice_filter rules out now are
                    # hidden, and the page's script shows them when an answer allows them.
                    node.choices = [
                        (
                            c["name"],
                            self.text(c.get("label")) or c["name"],
                            k not in allowed or c["name"] in allowed[k],
                        )
                        for c in self.choices(child)
                    ]
            else:
                continue  # today and other metadata the server records itself
            out.append(node)
        return out

    def choices(self, child: dict[str, Any]) -> list[dict[str, Any]]:
        listed = self.definition.get("choices", {}).get(child.get("itemset") or "")
        return list(listed or child.get("choices", []))

    def text(self, value: Any) -> str:
        if isinstance(value, dict):
            return str(value.get(self.language) or next(iter(value.values()), ""))
        return str(value or "")

    def state(self, outcome: engine.Outcome) -> dict[str, Any]:
        """What the page's script needs after a live check: hidden places, messages, the
        choices a filter allows."""
        return {
            "hidden": sorted(key(n, inst) for n, inst in outcome.hidden),
            "errors": {key(i.name, i.instance): i.message for i in outcome.issues},
            "choices": {key(n, inst): sorted(c) for (n, inst), c in outcome.choices.items()},
        }


def _clean(raw: str | None) -> str:
    """A posted value without NUL characters (no database keeps them in text)."""
    return (raw or "").replace("\x00", "")


def _count(raw: str | None) -> int:
    try:
        return max(0, min(int(raw or 0), MAX_REPEAT))
    except ValueError:
        return 0


def summary(outcome: engine.Outcome, page: Page) -> list[dict[str, str]]:
    """The problems of a posted page, each with the question it is about, for the list at the
    top of the page (each links to its field)."""
    labels: dict[str, str] = {}

    def walk(children: list[dict[str, Any]]) -> None:
        for child in children:
            labels[child.get("name", "")] = page.text(child.get("label"))
            walk(child.get("children", []))

    walk(page.definition.get("children", []))
    out = []
    for issue in outcome.issues:
        label = labels.get(issue.name) or issue.name
        if issue.instance:
            label = _("%(q)s (entry %(n)s)") % {
                "q": label,
                "n": ".".join(map(str, issue.instance)),
            }
        k = key(issue.name, issue.instance)
        out.append(
            {
                "id": Node("question", issue.name, k).input_id,
                "label": label,
                "message": issue.message,
            }
        )
    return out
