"""Import ISCO-08 groups and ESCO occupations and skills from the official ESCO CSV download.

The import reads every file first and checks every row; only when all rows are sound does it
write, in one transaction, creating what is new and updating what changed (keyed by ESCO URI,
or ISCO code), so importing the same folder twice changes nothing. Columns it does not use are
ignored, so the full official download imports as well as a reduced one.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from liaison.audit.models import AuditEvent
from liaison.audit.services import record
from liaison.taxonomy.models import IscoGroup, Occupation, Skill, SkillGroup, TaxonomyImport

ESCO_URI = "http://data.europa.eu/esco/"
ISCO_CODE = re.compile(r"^\d{1,4}$")
MAX_ERRORS_LISTED = 200


@dataclass(frozen=True)
class EscoFile:
    key: str
    pattern: str
    required_columns: tuple[str, ...]
    required: bool = True

    def name(self, language: str) -> str:
        return self.pattern.format(lang=language)


FILES = (
    EscoFile("isco", "ISCOGroups_{lang}.csv", ("conceptUri", "code", "preferredLabel")),
    EscoFile(
        "occupations", "occupations_{lang}.csv", ("conceptUri", "iscoGroup", "preferredLabel")
    ),
    EscoFile("skills", "skills_{lang}.csv", ("conceptUri", "preferredLabel")),
    EscoFile("skill_groups", "skillGroups_{lang}.csv", ("conceptUri", "preferredLabel"), False),
    EscoFile(
        "broader",
        "broaderRelationsOccPillar_{lang}.csv",
        ("conceptType", "conceptUri", "broaderType", "broaderUri"),
        False,
    ),
)


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.reason}"


class EscoImportError(Exception):
    """The folder or its rows are not importable; nothing was written."""

    def __init__(self, message: str, errors: list[RowError] | None = None) -> None:
        self.errors = errors or []
        super().__init__(message)

    def report(self) -> str:
        lines = [str(self)]
        lines += [f"  - {e}" for e in self.errors[:MAX_ERRORS_LISTED]]
        if len(self.errors) > MAX_ERRORS_LISTED:
            lines.append(f"  ... and {len(self.errors) - MAX_ERRORS_LISTED} more")
        return "\n".join(lines)


@dataclass
class Parsed:
    isco: dict[str, dict[str, Any]] = field(default_factory=dict)
    occupations: dict[str, dict[str, Any]] = field(default_factory=dict)
    skills: dict[str, dict[str, Any]] = field(default_factory=dict)
    skill_groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    occupation_broader: dict[str, str] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


Progress = Callable[[int, str], None]


def locate(folder: Path | str, language: str = "en") -> dict[str, Path]:
    """The ESCO files in ``folder``; raises with a clear message when it is not such a folder."""
    path = Path(folder)
    if not path.exists():
        raise EscoImportError(f"{path} does not exist.")
    if not path.is_dir():
        raise EscoImportError(f"{path} is a file; give the folder holding the ESCO CSV files.")
    found: dict[str, Path] = {}
    missing = []
    for spec in FILES:
        candidate = path / spec.name(language)
        if candidate.is_file():
            found[spec.key] = candidate
        elif spec.required:
            missing.append(spec.name(language))
    if missing:
        raise EscoImportError(
            f"{path} is not an ESCO CSV folder: {', '.join(missing)} missing. Download the "
            "ESCO classification in CSV format and give the folder holding those files."
        )
    return found


def _labels(text: str | None, preferred: str) -> list[str]:
    seen: dict[str, None] = {}
    for raw in (text or "").splitlines():
        label = raw.strip()
        if label and label != preferred:
            seen.setdefault(label, None)
    return list(seen)


def _rows(
    path: Path, spec: EscoFile, errors: list[RowError]
) -> Iterator[tuple[int, dict[str, str]]]:
    name = path.name
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [c for c in spec.required_columns if c not in header]
            if missing:
                errors.append(
                    RowError(name, 1, ", ".join(missing), "required column missing from the header")
                )
                return
            width = len(header)
            for row in reader:
                line = reader.line_num
                if None in row:
                    errors.append(
                        RowError(
                            name,
                            line,
                            "",
                            f"{width + len(row[None])} fields where the header has {width}",
                        )
                    )
                    continue
                if any(v is None for v in row.values()):
                    count = sum(v is not None for v in row.values())
                    errors.append(
                        RowError(name, line, "", f"{count} fields where the header has {width}")
                    )
                    continue
                yield line, row
    except UnicodeDecodeError as exc:
        errors.append(RowError(name, 0, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})"))
    except csv.Error as exc:
        errors.append(RowError(name, 0, "", f"not a readable CSV file ({exc})"))


def _check_uri(name: str, line: int, row: dict[str, str], errors: list[RowError]) -> str | None:
    uri = row["conceptUri"].strip()
    if not uri.startswith(ESCO_URI):
        errors.append(RowError(name, line, "conceptUri", f"{uri!r} is not an ESCO URI"))
        return None
    return uri


def _check_label(name: str, line: int, row: dict[str, str], errors: list[RowError]) -> str | None:
    label = row["preferredLabel"].strip()
    if not label:
        errors.append(RowError(name, line, "preferredLabel", "empty"))
        return None
    if len(label) > 300:
        errors.append(RowError(name, line, "preferredLabel", "longer than 300 characters"))
        return None
    return label


def parse(files: dict[str, Path], progress: Progress | None = None) -> Parsed:
    parsed = Parsed()
    errors = parsed.errors
    specs = {s.key: s for s in FILES}
    done = 0

    def tick(message: str) -> None:
        nonlocal done
        done += 1
        if progress and done % 1000 == 0:
            progress(done, message)

    isco_name = files["isco"].name
    for line, row in _rows(files["isco"], specs["isco"], errors):
        tick(isco_name)
        code = row["code"].strip()
        label = _check_label(isco_name, line, row, errors)
        uri = _check_uri(isco_name, line, row, errors)
        if not ISCO_CODE.match(code):
            errors.append(RowError(isco_name, line, "code", f"{code!r} is not an ISCO-08 code"))
            continue
        if label and uri:
            parsed.isco[code] = {
                "label": label,
                "uri": uri,
                "description": (row.get("description") or "").strip(),
            }

    occ_name = files["occupations"].name
    for line, row in _rows(files["occupations"], specs["occupations"], errors):
        tick(occ_name)
        uri = _check_uri(occ_name, line, row, errors)
        label = _check_label(occ_name, line, row, errors)
        isco = row["iscoGroup"].strip()
        if isco and not ISCO_CODE.match(isco):
            errors.append(RowError(occ_name, line, "iscoGroup", f"{isco!r} is not an ISCO-08 code"))
            continue
        if uri and label:
            parsed.occupations[uri] = {
                "label": label,
                "code": (row.get("code") or "").strip()[:40],
                "alt_labels": _labels(row.get("altLabels"), label),
                "description": (row.get("description") or row.get("definition") or "").strip(),
                "isco_code": isco,
            }

    skill_name = files["skills"].name
    for line, row in _rows(files["skills"], specs["skills"], errors):
        tick(skill_name)
        uri = _check_uri(skill_name, line, row, errors)
        label = _check_label(skill_name, line, row, errors)
        if uri and label:
            parsed.skills[uri] = {
                "label": label,
                "alt_labels": _labels(row.get("altLabels"), label),
                "description": (row.get("description") or row.get("definition") or "").strip(),
                "skill_type": (row.get("skillType") or "").strip()[:40],
                "reuse_level": (row.get("reuseLevel") or "").strip()[:40],
            }

    if "skill_groups" in files:
        group_name = files["skill_groups"].name
        for line, row in _rows(files["skill_groups"], specs["skill_groups"], errors):
            tick(group_name)
            uri = _check_uri(group_name, line, row, errors)
            label = _check_label(group_name, line, row, errors)
            if uri and label:
                parsed.skill_groups[uri] = {
                    "label": label,
                    "code": (row.get("code") or "").strip()[:40],
                    "description": (row.get("description") or "").strip(),
                }

    if "broader" in files:
        for _line, row in _rows(files["broader"], specs["broader"], errors):
            tick(files["broader"].name)
            if row["conceptType"] == "Occupation" and row["broaderType"] == "Occupation":
                parsed.occupation_broader[row["conceptUri"].strip()] = row["broaderUri"].strip()

    known_isco = set(parsed.isco) | set(IscoGroup.objects.values_list("code", flat=True))
    for uri, occ in parsed.occupations.items():
        if occ["isco_code"] and occ["isco_code"] not in known_isco:
            errors.append(
                RowError(
                    occ_name,
                    0,
                    "iscoGroup",
                    f"{occ['isco_code']} (for {uri}) is not a known ISCO-08 group",
                )
            )
    return parsed


def _upsert(
    model: type[Any], key: str, rows: dict[str, dict[str, Any]], fields: list[str]
) -> dict[str, int]:
    existing = {getattr(o, key): o for o in model.objects.all()}
    create, update = [], []
    unchanged = 0
    for k, values in rows.items():
        obj = existing.get(k)
        if obj is None:
            create.append(model(**{key: k}, **{f: values[f] for f in fields}))
            continue
        if all(getattr(obj, f) == values[f] for f in fields):
            unchanged += 1
            continue
        for f in fields:
            setattr(obj, f, values[f])
        update.append(obj)
    model.objects.bulk_create(create, batch_size=500)
    model.objects.bulk_update(update, fields, batch_size=500)
    return {"created": len(create), "updated": len(update), "unchanged": unchanged}


def _write(parsed: Parsed) -> dict[str, dict[str, int]]:
    counts = {
        "isco_groups": _upsert(IscoGroup, "code", parsed.isco, ["label", "uri", "description"])
    }
    by_code = {g.code: g for g in IscoGroup.objects.all()}
    relinked = []
    for code, group in by_code.items():
        parent = by_code.get(code[:-1]) if len(code) > 1 else None
        if group.parent_id != (parent.pk if parent else None):
            group.parent = parent
            relinked.append(group)
    IscoGroup.objects.bulk_update(relinked, ["parent"], batch_size=500)

    occupation_rows = {
        uri: {
            "label": o["label"],
            "code": o["code"],
            "alt_labels": o["alt_labels"],
            "description": o["description"],
            "isco_group_id": by_code[o["isco_code"]].pk if o["isco_code"] else None,
        }
        for uri, o in parsed.occupations.items()
    }
    counts["occupations"] = _upsert(
        Occupation,
        "uri",
        occupation_rows,
        ["label", "code", "alt_labels", "description", "isco_group_id"],
    )
    ids = dict(Occupation.objects.values_list("uri", "pk"))
    rebroadened = []
    for occupation in Occupation.objects.filter(uri__in=list(parsed.occupations)):
        broader_id = ids.get(parsed.occupation_broader.get(occupation.uri, ""))
        if occupation.broader_id != broader_id:
            occupation.broader_id = broader_id
            rebroadened.append(occupation)
    Occupation.objects.bulk_update(rebroadened, ["broader_id"], batch_size=500)

    counts["skills"] = _upsert(
        Skill,
        "uri",
        parsed.skills,
        ["label", "alt_labels", "description", "skill_type", "reuse_level"],
    )
    counts["skill_groups"] = _upsert(
        SkillGroup, "uri", parsed.skill_groups, ["label", "code", "description"]
    )
    return counts


def import_folder(
    folder: Path | str,
    *,
    actor: Any = None,
    language: str = "en",
    progress: Progress | None = None,
) -> TaxonomyImport:
    """Check and import one ESCO folder. Raises ``EscoImportError`` and writes nothing on error."""
    files = locate(folder, language)
    parsed = parse(files, progress)
    if parsed.errors:
        raise EscoImportError(
            f"{len(parsed.errors)} problem(s) in {folder}; nothing was imported.", parsed.errors
        )
    if progress:
        progress(0, "writing")
    with transaction.atomic():
        counts = _write(parsed)
        run = TaxonomyImport.objects.create(
            source=str(Path(folder).resolve()),
            actor=actor if getattr(actor, "pk", None) else None,
            counts=counts,
        )
        record(AuditEvent.Action.IMPORT, run, actor=actor, changes=counts)
    return run
