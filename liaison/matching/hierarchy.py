"""Import ESCO's skills hierarchy (the skills pillar's broader relations) from the official CSV
download: ``broaderRelationsSkillPillar_<lang>.csv``, columns ``conceptType``, ``conceptUri``,
``broaderType``, ``broaderUri``.

Only relations between two skills are kept (see ``models.SkillRelation``); relations to or
between skill groups are counted and left out, and so are relations naming a skill the
taxonomy does not hold (an installation may import part of ESCO). Every row is checked first;
a file with any bad row changes nothing. The relations replace the stored ones, so importing
the same file twice changes nothing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from liaison.audit.models import AuditEvent
from liaison.audit.services import record
from liaison.matching.models import SkillRelation
from liaison.taxonomy.esco import ESCO_URI
from liaison.taxonomy.models import Skill

FILE = "broaderRelationsSkillPillar_{lang}.csv"
COLUMNS = ("conceptType", "conceptUri", "broaderType", "broaderUri")
SKILL = "KnowledgeSkillCompetence"
GROUP = "SkillGroup"
MAX_LISTED = 50


class HierarchyError(Exception):
    """The file is missing or has bad rows; nothing was written."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = problems or []
        super().__init__(message)

    def report(self) -> str:
        lines = [str(self), *(f"  - {p}" for p in self.problems[:MAX_LISTED])]
        if len(self.problems) > MAX_LISTED:
            lines.append(f"  ... and {len(self.problems) - MAX_LISTED} more")
        return "\n".join(lines)


@dataclass
class Result:
    relations: int = 0  # stored
    replaced: int = 0  # stored before, now replaced
    groups: int = 0  # rows to or from a skill group, left out
    unknown: int = 0  # rows naming a skill the taxonomy does not hold
    problems: list[str] = field(default_factory=list)


def _read(path: Path) -> tuple[list[tuple[str, str]], Result]:
    result = Result()
    pairs: list[tuple[str, str]] = []
    problems = result.problems
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise HierarchyError(
                    f"{path.name}: the header lacks {', '.join(missing)} "
                    f"(expected {', '.join(COLUMNS)})."
                )
            for row in reader:
                line = reader.line_num
                if None in row or any(row.get(c) is None for c in COLUMNS):
                    problems.append(f"{path.name}, line {line}: not as many fields as the header")
                    continue
                kinds = (row["conceptType"].strip(), row["broaderType"].strip())
                uris = (row["conceptUri"].strip(), row["broaderUri"].strip())
                bad = False
                for column, kind in zip(("conceptType", "broaderType"), kinds, strict=True):
                    if kind not in (SKILL, GROUP):
                        problems.append(
                            f"{path.name}, line {line}, column {column}: {kind!r} is neither "
                            f"{SKILL} nor {GROUP}"
                        )
                        bad = True
                for column, uri in zip(("conceptUri", "broaderUri"), uris, strict=True):
                    if not uri.startswith(ESCO_URI):
                        problems.append(
                            f"{path.name}, line {line}, column {column}: {uri!r} is not an ESCO URI"
                        )
                        bad = True
                if not bad and uris[0] == uris[1]:
                    problems.append(f"{path.name}, line {line}: a concept broader than itself")
                    bad = True
                if bad:
                    continue
                if kinds == (SKILL, SKILL):
                    pairs.append(uris)
                else:
                    result.groups += 1
    except UnicodeDecodeError as exc:
        raise HierarchyError(
            f"{path.name} is not UTF-8 text ({exc.reason} at byte {exc.start})."
        ) from None
    except csv.Error as exc:
        raise HierarchyError(f"{path.name} is not a readable CSV file ({exc}).") from None
    return pairs, result


def import_skill_hierarchy(folder: Path | str, language: str = "en") -> Result:
    """Read the relations from the ESCO folder ``folder`` and store them (all or nothing)."""
    where = Path(folder)
    if not where.exists():
        raise HierarchyError(f"{where} does not exist.")
    if not where.is_dir():
        raise HierarchyError(f"{where} is a file; give the folder holding the ESCO CSV files.")
    path = where / FILE.format(lang=language)
    if not path.is_file():
        raise HierarchyError(
            f"{path.name} is not in {where}. It comes with the full ESCO classification "
            "download in CSV format (the skills pillar's broader relations)."
        )
    pairs, result = _read(path)
    if result.problems:
        raise HierarchyError(
            f"{path.name}: {len(result.problems)} rows are wrong; nothing was imported.",
            result.problems,
        )
    ids = dict(Skill.objects.values_list("uri", "pk"))
    wanted = set()
    for skill, broader in pairs:
        if skill in ids and broader in ids:
            wanted.add((ids[skill], ids[broader]))
        else:
            result.unknown += 1
    with transaction.atomic():
        result.replaced, _by_model = SkillRelation.objects.all().delete()
        SkillRelation.objects.bulk_create(
            SkillRelation(skill_id=skill, broader_id=broader) for skill, broader in sorted(wanted)
        )
        result.relations = len(wanted)
        record(
            AuditEvent.Action.IMPORT,
            SkillRelation,
            changes={
                "relations": result.relations,
                "replaced": result.replaced,
                "skill_groups_left_out": result.groups,
                "unknown_skills": result.unknown,
            },
            reason=f"ESCO skills hierarchy from {path}",
        )
    return result
