"""PLACEHOLDER written by the lead so that the project imports while the rules engine is being
written: the engine's author replaces this whole file."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Question:
    name: str
    type: str
    path: tuple[str, ...]
    repeats: tuple[str, ...]
    choices: tuple[str, ...]
    list_name: str


@dataclass(frozen=True)
class Issue:
    name: str
    instance: tuple[int, ...]
    code: str
    message: str


@dataclass
class Outcome:
    values: dict[str, Any]
    issues: list[Issue] = field(default_factory=list)
    hidden: set[tuple[str, tuple[int, ...]]] = field(default_factory=set)
    choices: dict[tuple[str, tuple[int, ...]], list[str]] = field(default_factory=dict)


class Form:
    def __init__(self, definition: dict[str, Any]) -> None:
        self.questions: list[Question] = []
        self.by_name: dict[str, Question] = {}
        self.repeats: dict[str, tuple[str, ...]] = {}

    def defaults(self) -> dict[str, Any]:
        return {}

    def check(
        self,
        answers: dict[str, Any],
        *,
        complete: bool = True,
        today: datetime.date | None = None,
        language: str = "",
    ) -> Outcome:
        raise NotImplementedError
