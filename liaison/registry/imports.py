"""Importing people from CSV and XLSX files, including KoboToolbox and ODK Central exports.

Reading, mapping and checking never write; ``commit`` writes everything in one transaction
(or only the valid rows when the officer asks), matching existing records by the source's
identifier (Kobo ``_uuid``, a ``member_id`` column ...) or, failing that, by email, so that a
re-imported file changes nothing and an updated file updates the records it already created.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries
from openpyxl import load_workbook

from liaison.accounts.permissions import RULES, grants_of
from liaison.accounts.roles import ScopeKind
from liaison.core import bulk
from liaison.core.validators import no_markup
from liaison.registry.models import (
    PROFILE_FIELDS,
    Availability,
    Consent,
    Interest,
    Member,
    MemberInterest,
    MemberLanguage,
    Modality,
    Organisation,
    Purpose,
    Sex,
    comparable,
    latin,
)
from liaison.registry.services import normalise_phone
from liaison.taxonomy import reference
from liaison.taxonomy.models import Occupation
from liaison.taxonomy.reference import CefrLevel, IscedLevel, is_language

MAX_ERRORS = 5000


class ImportFileError(Exception):
    """The file as a whole cannot be read; nothing was stored."""


@dataclass(frozen=True)
class Target:
    name: str
    label: str
    multiple: bool = False


TARGETS = [
    Target("external_id", "identifier in the source"),
    Target("given_name", "given name"),
    Target("family_name", "family name"),
    Target("latin_name", "name in Latin letters"),
    Target("sex", "sex"),
    Target("birth_date", "date of birth"),
    Target("nationalities", "nationalities"),
    Target("country_of_residence", "country of residence"),
    Target("city", "city"),
    Target("email", "email"),
    Target("phone", "phone"),
    Target("education_level", "education level (ISCED)"),
    Target("occupation", "occupation (ESCO)"),
    Target("languages", "languages with level"),
    Target("interests", "interests", multiple=True),
    Target("modalities", "availability", multiple=True),
    Target("consent_registry", "consent: registry"),
    Target("consent_matching", "consent: matching"),
    Target("consent_research", "consent: research"),
    Target("consent_crisis", "consent: crisis contact"),
]
REQUIRED = ("given_name", "country_of_residence")

ALIASES = {
    "_uuid": "external_id",
    "uuid": "external_id",
    "meta_instanceid": "external_id",
    "instanceid": "external_id",
    "member_id": "external_id",
    "id": "external_id",
    "first_name": "given_name",
    "firstname": "given_name",
    "given_name": "given_name",
    "prenom": "given_name",
    "forename": "given_name",
    "last_name": "family_name",
    "lastname": "family_name",
    "surname": "family_name",
    "family_name": "family_name",
    "nom": "family_name",
    "gender": "sex",
    "sexe": "sex",
    "dob": "birth_date",
    "date_of_birth": "birth_date",
    "birthdate": "birth_date",
    "birth_date": "birth_date",
    "nationality": "nationalities",
    "citizenship": "nationalities",
    "country": "country_of_residence",
    "residence_country": "country_of_residence",
    "country_of_residence": "country_of_residence",
    "host_country": "country_of_residence",
    "town": "city",
    "city_of_residence": "city",
    "e_mail": "email",
    "email_address": "email",
    "mobile": "phone",
    "telephone": "phone",
    "phone_number": "phone",
    "tel": "phone",
    "education": "education_level",
    "isced": "education_level",
    "job": "occupation",
    "profession": "occupation",
    "interest": "interests",
    "availability": "modalities",
    "modality": "modalities",
}
SEX_WORDS = {
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
    "woman": Sex.FEMALE,
    "femme": Sex.FEMALE,
    "m": Sex.MALE,
    "male": Sex.MALE,
    "man": Sex.MALE,
    "homme": Sex.MALE,
    "other": Sex.OTHER,
    "x": Sex.OTHER,
    "undisclosed": Sex.UNDISCLOSED,
    "": "",
}
YES = {"1", "yes", "y", "true", "oui", "x", "✓"}
NO = {"0", "no", "n", "false", "non", ""}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y/%m/%d")
_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    return _SLUG.sub("_", latin(text).lower()).strip("_")


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Any]]  # cell values as read; row i of the file is rows[i - 2]


def read_table(handle: IO[bytes], name: str) -> Table:
    """Read a CSV (UTF-8) or XLSX upload; raise ``ImportFileError`` saying what is wrong."""
    lowered = name.lower()
    if lowered.endswith(".xlsx"):
        return _read_xlsx(handle)
    if lowered.endswith((".csv", ".txt")):
        return _read_csv(handle)
    raise ImportFileError(_("Upload a .csv or .xlsx file; “%(name)s” is neither.") % {"name": name})


def _read_csv(handle: IO[bytes]) -> Table:
    raw = handle.read()
    try:
        text = codecs.decode(raw, "utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            _(
                "The file is not UTF-8 text (byte 0x%(byte)02x on line %(line)s). Save it as "
                "“CSV UTF-8” and upload it again."
            )
            % {"byte": raw[exc.start], "line": line}
        ) from exc
    try:
        dialect = csv.Sniffer().sniff(text[:20000], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[Any]] = list(csv.reader(io.StringIO(text), dialect))
    return _table(rows)


def _read_xlsx(handle: IO[bytes]) -> Table:
    try:
        workbook = load_workbook(handle, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(_("The file is not a readable XLSX workbook.")) from exc
    sheet = workbook.worksheets[0]  # Kobo/ODK: the main sheet comes first, repeats after it
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    workbook.close()
    return _table(rows)


def _table(rows: list[list[Any]]) -> Table:
    if not rows or not any(str(c or "").strip() for c in rows[0]):
        raise ImportFileError(_("The first row must name the columns; it is empty."))
    headers = [str(c or "").strip() for c in rows[0]]
    while headers and not headers[-1]:
        headers.pop()
    if any(not h for h in headers):
        position = headers.index("") + 1
        raise ImportFileError(_("Column %(n)s has no name in the first row.") % {"n": position})
    seen: dict[str, int] = {}
    for i, h in enumerate(headers, start=1):
        if h.lower() in seen:
            raise ImportFileError(
                _("Columns %(a)s and %(b)s have the same name “%(name)s”.")
                % {"a": seen[h.lower()], "b": i, "name": h}
            )
        seen[h.lower()] = i
    body = [r for r in rows[1:] if any(str(c if c is not None else "").strip() for c in r)]
    return Table(headers, body)


def guess_mapping(headers: list[str], kind: str = "members") -> dict[str, str]:
    """A first mapping of columns to fields, from their names: KoboToolbox's ``group/question``
    and ODK Central's ``group-question`` included, and ``question/choice`` (or
    ``question-choice``) for select-multiple questions exported one column per choice.

    Returns ``{header: target}`` where target is a field name, ``"interests:mentoring"`` for a
    one-column-per-choice column, or ``""`` for a column to leave out.
    """
    schema = SCHEMAS[kind]
    aliases = {**ALIASES, **schema.aliases}

    def field(name: str) -> str:
        name = aliases.get(name, name)
        return name if name in schema.names else ""

    mapping: dict[str, str] = {}
    for header in headers:
        target = field(slug(header))  # the whole name first: "e-mail", "date of birth"
        for separators in (r"[/:]", r"[/:-]"):
            if target:
                break
            parts = [slug(p) for p in re.split(separators, header) if p.strip()]
            if not parts:
                continue
            target = field(parts[-1])
            if not target and len(parts) >= 2:
                owner = aliases.get(parts[-2], parts[-2])
                if owner in schema.multiple and _choice(owner, parts[-1]):
                    target = f"{owner}:{_choice(owner, parts[-1])}"
        mapping[header] = target
    return mapping


MULTI_CHOICES = {
    "interests": Interest.values,
    "modalities": Modality.values,
    "sectors": Organisation.Sector.values,
}


def _choice(target: str, value: str) -> str:
    value = slug(value)
    return value if value in MULTI_CHOICES.get(target, ()) else ""


@dataclass
class RowError:
    row: int
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class Checked:
    rows: dict[int, dict[str, Any]] = field(default_factory=dict)  # file row number -> values
    errors: list[RowError] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def country_code(value: str) -> str | None:
    """The ISO alpha-2 code of a country given by its alpha-2 or alpha-3 code or its name."""
    by_name = reference.country_code(value) or countries.by_name(value.strip())
    return str(by_name) if by_name else None


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(
        _("“%(v)s” is not a date; write it as 2026-03-31 or 31/03/2026.") % {"v": text[:40]}
    )


def check(
    table: Table,
    mapping: dict[str, str],
    *,
    actor: Any,
    default_country: str = "",
    progress: Callable[[int], None] | None = None,
    kind: str = "members",
) -> Checked:
    """Check every row against the mapping; collect each problem with its row and column."""
    schema = SCHEMAS[kind]
    result = Checked()
    missing = [t for t in schema.required if t not in mapping.values()]
    if missing:
        labels = ", ".join(missing)
        result.errors.append(RowError(0, "", _("No column is mapped to: %(f)s.") % {"f": labels}))
        return result
    scope_countries = _scope_countries(actor)
    multiple = {t.split(":")[0] for t in mapping.values() if t.split(":")[0] in schema.multiple}
    lookups = schema.prepare(table, mapping)
    index = {h: i for i, h in enumerate(table.headers)}
    # The country first (phones without a country code are read in it), then the file's order;
    # a mapping stored in PostgreSQL's jsonb does not keep the order it was written in.
    ordered = sorted(
        ((h, t) for h, t in mapping.items() if t and h in index),
        key=lambda item: (item[1] != schema.country_field, index[item[0]]),
    )
    convert = _Converter(schema, lookups, default_country, multiple)
    columns = [(header, target, index[header]) for header, target in ordered]
    seen_ids: dict[str, int] = {}
    for offset, raw in enumerate(table.rows):
        number = offset + 2
        values: dict[str, Any] = {name: set() for name in multiple}
        problems: list[RowError] = []
        width = len(raw)
        for header, target, position in columns:
            message = convert(target, raw[position] if position < width else None, values)
            if message is not None:
                problems.append(RowError(number, header, message))
        for name in schema.required:
            if not values.get(name) and not any(
                p.column for p in problems if mapping.get(p.column) == name
            ):
                problems.append(RowError(number, _header_for(mapping, name), _("Required.")))
        ext = values.get("external_id")
        if ext:
            if ext in seen_ids:
                problems.append(
                    RowError(
                        number,
                        _header_for(mapping, "external_id"),
                        _("Same identifier as row %(r)s.") % {"r": seen_ids[ext]},
                    )
                )
            seen_ids.setdefault(ext, number)
        country = values.get(schema.country_field)
        if country and scope_countries is not None and country not in scope_countries:
            problems.append(
                RowError(
                    number,
                    _header_for(mapping, schema.country_field),
                    _("%(c)s is outside your scope.") % {"c": country},
                )
            )
        if problems:
            if len(result.errors) < MAX_ERRORS:
                result.errors.extend(problems)
        else:
            result.rows[number] = values
        if progress and number % 1000 == 0:
            progress(number)
    return result


# Cells whose check depends on the rest of the row (a phone is read in the row's country) or
# that are unique to each row, so that remembering them would only fill memory.
UNCACHED = frozenset({"phone", "email", "external_id"})
CACHE_SIZE = 200_000


class _Converter:
    """Runs the schema's check on a cell, remembering the outcome for cells that repeat (the
    same country, sex, date or city on thousands of rows is checked once)."""

    def __init__(
        self, schema: Schema, lookups: dict[str, Any], region: str, multiple: set[str]
    ) -> None:
        self.schema, self.lookups, self.region, self.multiple = schema, lookups, region, multiple
        self.known: dict[tuple[str, type, Any], tuple[dict[str, Any], str | None]] = {}

    def __call__(self, target: str, cell: Any, values: dict[str, Any]) -> str | None:
        """Check ``cell`` into ``values``; the reason it is wrong, or None."""
        if target in UNCACHED:
            return self._run(target, cell, values)
        key = (target, cell.__class__, cell)  # True and 1 are equal keys, but not the same cell
        outcome = self.known.get(key)
        if outcome is None:
            found: dict[str, Any] = {name: set() for name in self.multiple}
            message = self._run(target, cell, found)
            outcome = ({k: v for k, v in found.items() if v != set()}, message)
            if len(self.known) < CACHE_SIZE:
                self.known[key] = outcome
        effect, message = outcome
        for name, value in effect.items():
            if isinstance(value, set):
                values[name] |= value
            else:  # lists and dicts are copied so that rows never share one
                values[name] = value.copy() if isinstance(value, (list, dict)) else value
        return message

    def _run(self, target: str, cell: Any, values: dict[str, Any]) -> str | None:
        try:
            self.schema.convert(target, cell, values, self.lookups, self.region)
        except (ValueError, ValidationError) as exc:
            return exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        return None


def _scope_countries(actor: Any) -> set[str] | None:
    """The countries an importer may write to, or None for everywhere (and for commands)."""
    if actor is None:
        return None
    grants = [g for g in grants_of(actor) if g.role in RULES["registry.import_member"]]
    if any(g.scope_kind == ScopeKind.GLOBAL for g in grants):
        return None
    return {g.scope_value for g in grants if g.scope_kind == ScopeKind.COUNTRY}


def _header_for(mapping: dict[str, str], target: str) -> str:
    return next((h for h, t in mapping.items() if t == target), target)


def _occupation_lookup(table: Table, mapping: dict[str, str]) -> dict[str, Any]:
    if "occupation" not in mapping.values():
        return {}
    by_uri = dict(Occupation.objects.values_list("uri", "pk"))
    by_label = {label.lower(): pk for label, pk in Occupation.objects.values_list("label", "pk")}
    return {**by_uri, **by_label}


def _convert_member(
    target: str, cell: Any, values: dict[str, Any], occupations: dict[str, Any], region: str
) -> None:
    if _common(target, cell, values):
        return
    text = _text(cell)
    if target in ("given_name", "family_name", "latin_name", "city"):
        no_markup(text)
        limit = 300 if target == "latin_name" else 150 if target.endswith("name") else 120
        if len(text) > limit:
            raise ValueError(_("Longer than %(n)s characters.") % {"n": limit})
        values[target] = text
    elif target == "external_id":
        values[target] = text[:100] or None
    elif target == "sex":
        word = text.lower()
        if word not in SEX_WORDS:
            raise ValueError(_("“%(v)s” is not one of female, male, other.") % {"v": text[:20]})
        values[target] = SEX_WORDS[word]
    elif target == "birth_date":
        if text:
            born = _date(cell)
            if born > datetime.date.today() or born.year < 1900:
                raise ValueError(_("%(d)s is not a plausible date of birth.") % {"d": born})
            values[target] = born
    elif target in ("country_of_residence", "nationalities"):
        codes = []
        for part in re.split(r"[ ,;]+", text) if target == "nationalities" else [text]:
            if not part:
                continue
            code = country_code(part)
            if code is None:
                raise ValueError(
                    _("“%(v)s” is not a country (use ISO codes such as FR).") % {"v": part[:40]}
                )
            codes.append(code)
        # Kept as the field keeps them (sorted, once each), so that a re-import compares equal.
        values[target] = (
            sorted(set(codes)) if target == "nationalities" else codes[0] if codes else ""
        )
    elif target == "email":
        if text:
            validate_email(text)
        values[target] = text.lower()
    elif target == "phone":
        values[target] = normalise_phone(text, values.get("country_of_residence") or region)
    elif target == "education_level":
        if text and text not in IscedLevel.values:
            raise ValueError(_("“%(v)s” is not an ISCED level (0 to 8).") % {"v": text[:20]})
        values[target] = text
    elif target == "occupation":
        if text:
            found = occupations.get(text) or occupations.get(text.lower())
            if found is None:
                raise ValueError(_("“%(v)s” is not an ESCO occupation.") % {"v": text[:60]})
            values[target] = found
    elif target == "languages":
        pairs = {}
        for item in text.split():
            code, _sep, level = item.partition(":")
            if not is_language(code) or level not in CefrLevel.values:
                raise ValueError(
                    _("Write languages as code:level, e.g. “fr:C1 en:B2”, not “%(v)s”.")
                    % {"v": item[:20]}
                )
            pairs[code] = level
        values[target] = pairs
    elif target in MULTI_CHOICES:
        choices = MULTI_CHOICES[target]
        for code in text.split():
            if code not in choices:
                raise ValueError(
                    _("“%(v)s” is not one of %(c)s.") % {"v": code[:30], "c": ", ".join(choices)}
                )
            values[target].add(code)
    elif target.startswith("consent_"):
        flag = text.lower()
        if flag not in YES | NO:
            raise ValueError(_("Write yes or no, not “%(v)s”.") % {"v": flag[:20]})
        if flag:
            values[target] = flag in YES


def commit(
    checked: Checked,
    *,
    actor: Any,
    notice_version: str,
    progress: Callable[[int], None] | None = None,
    kind: str = "members",
) -> dict[str, int]:
    """Write the checked rows in one transaction. Returns created / updated / unchanged counts."""
    with transaction.atomic():
        return SCHEMAS[kind].commit_rows(
            list(checked.rows.values()), actor, notice_version, progress
        )


def _apply(obj: Any, values: dict[str, Any], names: tuple[str, ...]) -> bool:
    """Set the fields of ``obj`` that ``values`` holds and differ; say whether any did."""
    changed = False
    for name in names:
        if name in values and comparable(obj, name) != values[name]:
            setattr(obj, name, values[name])
            changed = True
    return changed


def _existing_members(rows: list[dict[str, Any]]) -> dict[int, Member]:
    """Row index -> the member it updates, found in bulk by source identifier, then email."""
    found: dict[int, Member] = {}
    by_ext: dict[str, Member] = {}
    ext_ids = [r["external_id"] for r in rows if r.get("external_id")]
    for members in bulk.among(Member.objects.all(), "external_id", ext_ids):
        by_ext.update({m.external_id: m for m in members if m.external_id})
    by_email: dict[str, Member] = {}
    emails = [r["email"] for r in rows if r.get("email") and r.get("external_id") not in by_ext]
    for members in bulk.among(Member.objects.order_by("pk"), "email", emails):
        for m in members:
            by_email.setdefault(m.email, m)  # the first member registered with the address
    for i, row in enumerate(rows):
        member = by_ext.get(row.get("external_id") or "") or by_email.get(row.get("email") or "")
        if member is not None:
            found[i] = member
    return found


RELATED_SETS = (
    ("languages", MemberLanguage, "language", "level"),
    ("interests", MemberInterest, "interest", None),
    ("modalities", Availability, "modality", None),
)


def _commit_members(
    rows: list[dict[str, Any]],
    actor: Any,
    notice_version: str,
    progress: Callable[[int], None] | None,
) -> dict[str, int]:
    """Set-based upsert: existing members updated in batches, new ones inserted with ``COPY``
    on PostgreSQL; a few statements per thousand rows, however many rows there are."""
    existing = _existing_members(rows)
    groups = _occupation_groups(rows)
    now = timezone.now()
    new_rows: list[int] = []
    to_update: list[Member] = []
    touched: set[int] = set()  # row indexes whose member changed in any way
    for i, row in enumerate(rows):
        member = existing.get(i)
        if member is None:
            new_rows.append(i)
            continue
        changed = _apply(member, row, (*PROFILE_FIELDS, "external_id"))
        if "occupation" in row and member.occupation_id != row["occupation"]:
            member.occupation_id = row["occupation"]
            changed = True
        if changed:
            member.set_derived(groups)
            member.updated_at = now
            to_update.append(member)
            touched.add(i)
    fields = [*MEMBER_COLUMNS, "occupation", "isco_group", "search_name", "updated_at"]
    Member.objects.bulk_update(to_update, fields, batch_size=1000)
    ids = bulk.insert(
        Member,
        [_new_member(rows[i], groups) for i in new_rows],
        returning_ids=True,
        progress=progress,
    )
    members = {i: m.pk for i, m in existing.items()} | dict(zip(new_rows, ids, strict=True))
    touched |= _sync_related(rows, members, existing)
    touched |= _sync_consents(rows, members, existing, actor, notice_version)
    created = len(new_rows)
    updated = len(touched)
    return {"created": created, "updated": updated, "unchanged": len(rows) - created - updated}


MEMBER_COLUMNS = (*PROFILE_FIELDS, "external_id")


def _occupation_groups(rows: list[dict[str, Any]]) -> dict[int, int]:
    """Occupation -> its ISCO group, for the occupations the rows name (see Member.save)."""
    if not any(r.get("occupation") for r in rows):
        return {}
    named = Occupation.objects.exclude(isco_group=None).values_list("pk", "isco_group_id")
    return {pk: group for pk, group in named if group is not None}


def _new_member(row: dict[str, Any], groups: dict[int, int]) -> dict[str, Any]:
    values = {name: row[name] for name in MEMBER_COLUMNS if name in row}
    occupation = row.get("occupation")
    values["occupation_id"] = occupation
    values["isco_group_id"] = Member.group_of(occupation, None, groups)
    values["search_name"] = Member.compute_search_name(
        row.get("given_name", ""), row.get("family_name", ""), row.get("latin_name", "")
    )
    return values


def _sync_related(
    rows: list[dict[str, Any]], members: dict[int, int], existing: dict[int, Member]
) -> set[int]:
    touched: set[int] = set()
    for key, model, a, b in RELATED_SETS:
        wanted_rows = [i for i, r in enumerate(rows) if key in r]
        if not wanted_rows:
            continue
        current: dict[int, Any] = {}
        old_ids = [existing[i].pk for i in wanted_rows if i in existing]
        for related in bulk.among(model.objects.all(), "member_id", old_ids):
            for member_id, x, y in related.values_list("member_id", a, b or a):
                if b:
                    current.setdefault(member_id, {})[x] = y
                else:
                    current.setdefault(member_id, set()).add(x)
        replace_ids: list[int] = []
        new_rows: list[dict[str, Any]] = []
        for i in wanted_rows:
            member_id = members[i]
            wanted = rows[i][key]
            empty: Any = {} if b else set()
            if i in existing and current.get(member_id, empty) == wanted:
                continue
            if i in existing:
                replace_ids.append(member_id)
                touched.add(i)
            items = wanted.items() if b else ((v, None) for v in sorted(wanted))
            for x, y in items:
                new_rows.append({"member_id": member_id, a: x, **({b: y} if b else {})})
        for related in bulk.among(model.objects.all(), "member_id", replace_ids):
            related.delete()
        bulk.insert(model, new_rows)
    return touched


def _sync_consents(
    rows: list[dict[str, Any]],
    members: dict[int, int],
    existing: dict[int, Member],
    actor: Any,
    notice_version: str,
) -> set[int]:
    purposes = [
        p
        for p in (Purpose.REGISTRY, Purpose.MATCHING, Purpose.RESEARCH, Purpose.CRISIS)
        if any(f"consent_{p}" in r for r in rows)
    ]
    if not purposes:
        return set()
    latest: dict[tuple[int, str], bool] = {}
    old_ids = [m.pk for m in existing.values()]
    decisions = Consent.objects.filter(purpose__in=purposes, channel="")
    for consents in bulk.among(decisions.order_by("recorded_at", "pk"), "member_id", old_ids):
        for member_id, purpose, granted in consents.values_list("member_id", "purpose", "granted"):
            latest[(member_id, purpose)] = granted
    recorder = actor.pk if getattr(actor, "pk", None) else None
    new, touched = [], set()
    for i, row in enumerate(rows):
        member_id = members[i]
        for purpose in purposes:
            wanted = row.get(f"consent_{purpose}")
            known = latest.get((member_id, purpose))
            # A "no" is recorded only where it changes something: a withdrawal, not a refusal.
            if wanted is None or wanted == bool(known) or (not wanted and known is None):
                continue
            new.append(
                {
                    "member_id": member_id,
                    "purpose": purpose,
                    "granted": wanted,
                    "notice_version": notice_version,
                    "recorded_by_id": recorder,
                    "source": "import",
                }
            )
            if i in existing:
                touched.add(i)
    bulk.insert(Consent, new)
    return touched


def rejected_rows_csv(table: Table, errors: list[dict[str, Any]]) -> str:
    """The rows that were not imported, with the reasons, to correct and upload again."""
    reasons: dict[int, list[str]] = {}
    for e in errors:
        if e["row"]:
            reasons.setdefault(e["row"], []).append(f"{e['column']}: {e['reason']}")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "problems", *table.headers])
    for number in sorted(reasons):
        row = table.rows[number - 2]
        writer.writerow([number, "; ".join(reasons[number]), *[_text(c) for c in row]])
    return out.getvalue()


def _common(target: str, cell: Any, values: dict[str, Any]) -> bool:
    """Checks every kind shares; True when the cell was a one-column-per-choice flag."""
    if ":" in target:
        owner, choice = target.split(":", 1)
        flag = _text(cell).lower()
        if flag in YES:
            values[owner].add(choice)
        elif flag not in NO:
            raise ValueError(_("Write 1 or 0 (yes or no), not “%(v)s”.") % {"v": flag[:20]})
        return True
    if isinstance(cell, str) and cell.startswith("="):
        raise ValueError(_("Formulas are not accepted; paste the value instead."))
    return False


ORG_TARGETS = [
    Target("external_id", "identifier in the source"),
    Target("name", "name"),
    Target("kind", "type"),
    Target("country", "country of seat"),
    Target("countries", "countries of activity"),
    Target("sectors", "sectors", multiple=True),
    Target("city", "city"),
    Target("email", "email"),
    Target("phone", "phone"),
    Target("website", "website"),
]
KIND_WORDS = {
    **{v: v for v in Organisation.Kind.values},
    **{slug(str(label)): value for value, label in Organisation.Kind.choices},
    "hometown_association": Organisation.Kind.HOMETOWN,
    "hta": Organisation.Kind.HOMETOWN,
    "professional_network": Organisation.Kind.PROFESSIONAL,
    "company": Organisation.Kind.BUSINESS,
    "host_institution": Organisation.Kind.HOST,
}
_WEB = re.compile(r"^https?://[^\s<>\"]+$")


def _convert_organisation(
    target: str, cell: Any, values: dict[str, Any], lookups: dict[str, Any], region: str
) -> None:
    if _common(target, cell, values):
        return
    text = _text(cell)
    if target in ("name", "city"):
        no_markup(text)
        if len(text) > 200:
            raise ValueError(_("Longer than %(n)s characters.") % {"n": 200})
        values[target] = text
    elif target == "external_id":
        values[target] = text[:100] or None
    elif target == "kind":
        kind = KIND_WORDS.get(slug(text))
        if kind is None:
            raise ValueError(
                _("“%(v)s” is not one of %(c)s.")
                % {"v": text[:30], "c": ", ".join(Organisation.Kind.values)}
            )
        values[target] = kind
    elif target == "country":
        code = country_code(text) if text else ""
        if code is None:
            raise ValueError(
                _("“%(v)s” is not a country (use ISO codes such as FR).") % {"v": text[:40]}
            )
        values[target] = code
    elif target == "countries":
        shadow: dict[str, Any] = {}
        _convert_member("nationalities", cell, shadow, {}, region)
        values[target] = shadow["nationalities"]
    elif target == "email":
        if text:
            validate_email(text)
        values[target] = text.lower()
    elif target == "phone":
        values[target] = normalise_phone(text, values.get("country") or region)
    elif target == "website":
        if text and not _WEB.match(text):
            raise ValueError(_("“%(v)s” is not a web address (https://...).") % {"v": text[:60]})
        values[target] = text
    elif target == "sectors":
        for code in text.split():
            if code not in Organisation.Sector.values:
                raise ValueError(
                    _("“%(v)s” is not one of %(c)s.")
                    % {"v": code[:30], "c": ", ".join(Organisation.Sector.values)}
                )
            values[target].add(code)


ORG_FIELDS = ("name", "kind", "country", "countries", "city", "email", "phone", "website")


def _commit_organisations(
    rows: list[dict[str, Any]],
    actor: Any,
    notice_version: str,
    progress: Callable[[int], None] | None,
) -> dict[str, int]:
    """Row by row: organisations come by the hundred, not the million."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for done, values in enumerate(rows, start=1):
        counts[_upsert_organisation(values)] += 1
        if progress:
            progress(done)
    return counts


def _upsert_organisation(values: dict[str, Any]) -> str:
    organisation = None
    if values.get("external_id"):
        organisation = Organisation.objects.filter(external_id=values["external_id"]).first()
    if organisation is None:
        organisation = Organisation.objects.filter(
            name__iexact=values["name"], country=values["country"]
        ).first()
    created = organisation is None
    if organisation is None:
        organisation = Organisation()
    changed = _apply(organisation, values, (*ORG_FIELDS, "external_id")) or created
    if "sectors" in values and sorted(organisation.sectors) != sorted(values["sectors"]):
        organisation.sectors = sorted(values["sectors"])
        changed = True
    if changed:
        organisation.save()
    return "created" if created else "updated" if changed else "unchanged"


@dataclass(frozen=True)
class Schema:
    kind: str
    targets: list[Target]
    required: tuple[str, ...]
    country_field: str
    aliases: dict[str, str]
    convert: Callable[[str, Any, dict[str, Any], dict[str, Any], str], None]
    commit_rows: Callable[
        [list[dict[str, Any]], Any, str, Callable[[int], None] | None], dict[str, int]
    ]
    prepare: Callable[[Table, dict[str, str]], dict[str, Any]]

    @property
    def names(self) -> set[str]:
        return {t.name for t in self.targets}

    @property
    def multiple(self) -> set[str]:
        return {t.name for t in self.targets if t.multiple}


def _nothing(table: Table, mapping: dict[str, str]) -> dict[str, Any]:
    return {}


SCHEMAS = {
    "members": Schema(
        "members",
        TARGETS,
        REQUIRED,
        "country_of_residence",
        {},
        _convert_member,
        _commit_members,
        _occupation_lookup,
    ),
    "organisations": Schema(
        "organisations",
        ORG_TARGETS,
        ("name", "kind", "country"),
        "country",
        {
            "organisation": "name",
            "organization": "name",
            "org_name": "name",
            "organisation_name": "name",
            "type": "kind",
            "country": "country",
            "country_of_seat": "country",
            "web": "website",
            "url": "website",
            "sector": "sectors",
            "country_of_residence": "country",
            "countries": "countries",
        },
        _convert_organisation,
        _commit_organisations,
        _nothing,
    ),
}
