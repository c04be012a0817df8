"""Finding and merging records of the same person, without any national ID number.

Candidates come from *blocking*: records sharing a date of birth, an email, a phone, or a
consonant skeleton of their names (which survives transliteration variants and swapped given and
family names). Each candidate pair is then scored field by field, Fellegi-Sunter style: every
comparison adds evidence for or against (log-odds), and the sum becomes a likelihood between 0
and 1. Pairs above ``THRESHOLD`` wait in a review queue; an officer merges them field by field,
and every merge can be undone from its trail.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from rapidfuzz.distance import JaroWinkler

from liaison.audit.models import AuditEvent
from liaison.audit.services import record
from liaison.core import bulk
from liaison.core.fields import fernet
from liaison.registry.models import (
    PROFILE_FIELDS,
    Availability,
    Consent,
    DuplicateCandidate,
    Education,
    Member,
    MemberInterest,
    MemberLanguage,
    MemberSkill,
    Merge,
    OrganisationMembership,
    WorkExperience,
    comparable,
    latin,
)

THRESHOLD = 0.5
PRIOR = -4.0  # log-odds that two records sharing a block are the same person, before evidence
MAX_BLOCK = 400  # larger blocks (a common birth date ...) are too broad to compare pairwise
FIELDS = (
    "given_name",
    "family_name",
    "latin_name",
    "sex",
    "birth_date",
    "email",
    "phone",
    "city",
    "country_of_residence",
)
_VOWELS = re.compile(r"[aeiouy]+")
_NON_ALPHA = re.compile(r"[^a-z ]+")
_DOUBLED = re.compile(r"(.)\1+")


@dataclass(frozen=True)
class Person:
    pk: int
    given: str
    family: str
    sex: str
    birth: datetime.date | None
    email: str
    phone: str
    city: str
    country: str


def _norm(text: str) -> str:
    return _NON_ALPHA.sub(" ", latin(text).lower()).strip()


def skeleton(name: str) -> str:
    """Consonants of a name: "Mohammed" and "Muhammad" both give "mhmd"."""
    word = _DOUBLED.sub(r"\1", _norm(name).replace(" ", ""))
    if not word:
        return ""
    return (word[0] + _VOWELS.sub("", word[1:]))[:4]


def person(values: dict[str, Any]) -> Person:
    given, family = values["given_name"], values["family_name"]
    if " " in (values.get("latin_name") or "").strip():  # names written in another script
        given, family = values["latin_name"].strip().split(" ", 1)
    return Person(
        pk=values["pk"],
        given=_norm(given),
        family=_norm(family),
        sex=values.get("sex") or "",
        birth=values.get("birth_date"),
        email=(values.get("email") or "").lower(),
        phone=values.get("phone") or "",
        city=_norm(values.get("city") or ""),
        country=str(values.get("country_of_residence") or ""),
    )


def block_keys(p: Person) -> set[str]:
    keys = set()
    names = sorted(k for k in (skeleton(p.given), skeleton(p.family)) if k)
    if p.birth:
        keys.add(f"dob:{p.birth.isoformat()}")
    if p.email:
        keys.add(f"email:{p.email}")
    if p.phone:
        keys.add(f"phone:{p.phone}")
    if names:
        keys.add("names:" + "|".join(names))
    if p.family and p.birth:
        keys.add(f"fam:{skeleton(p.family)}:{p.birth.year}")
    return keys


def _similar(x: str, y: str) -> float:
    if not x or not y:
        return 0.0
    if len(x) == 1 or len(y) == 1:  # an initial
        return 0.9 if x[0] == y[0] else 0.0
    return float(JaroWinkler.similarity(x, y))


def _name_similarity(a: Person, b: Person) -> float:
    """The weaker of the two name comparisons, in whichever order fits best (names swapped)."""
    straight = (_similar(a.given, b.given), _similar(a.family, b.family))
    swapped = (_similar(a.given, b.family), _similar(a.family, b.given))
    return max(min(straight), min(swapped))


def _dates_close(a: datetime.date, b: datetime.date) -> bool:
    """A likely typing slip: day and month swapped, or one field off within the same date."""
    if (a.year, a.month, a.day) == (b.year, b.day, b.month):
        return True
    same = (a.year == b.year) + (a.month == b.month) + (a.day == b.day)
    return same == 2


def score(a: Person, b: Person) -> tuple[float, dict[str, str]]:
    """Likelihood (0-1) that two records are the same person, with the evidence used."""
    evidence: dict[str, str] = {}
    total = PRIOR
    names = _name_similarity(a, b)
    if names >= 0.95:
        total += 5
        evidence["names"] = "same"
    elif names >= 0.88:
        total += 3.5
        evidence["names"] = "close"
    elif names >= 0.8:
        total += 1.5
        evidence["names"] = "similar"
    else:
        total -= 4
        evidence["names"] = "different"
    if a.birth and b.birth:
        if a.birth == b.birth:
            total += 4
            evidence["birth_date"] = "same"
        elif _dates_close(a.birth, b.birth):
            total += 1.5
            evidence["birth_date"] = "close"
        else:
            total -= 4
            evidence["birth_date"] = "different"
    for name, weight in (("email", 5.0), ("phone", 5.0)):
        x, y = getattr(a, name), getattr(b, name)
        if x and y:
            total += weight if x == y else -1.0
            evidence[name] = "same" if x == y else "different"
    if a.sex and b.sex and a.sex != b.sex and "undisclosed" not in (a.sex, b.sex):
        total -= 3
        evidence["sex"] = "different"
    if a.country and b.country:
        total += 0.5 if a.country == b.country else -1.0
    if a.city and b.city and a.city == b.city:
        total += 0.5
        evidence["city"] = "same"
    return 1 / (1 + math.exp(-total)), evidence


def pairs(
    people: Iterable[Person], only: set[int] | None = None
) -> dict[tuple[int, int], tuple[float, dict[str, str]]]:
    """Scored candidate pairs above ``THRESHOLD``; with ``only``, pairs involving those records."""
    by_pk: dict[int, Person] = {}
    blocks: dict[str, list[int]] = defaultdict(list)
    for p in people:
        by_pk[p.pk] = p
        for key in block_keys(p):
            blocks[key].append(p.pk)
    found: dict[tuple[int, int], tuple[float, dict[str, str]]] = {}
    for members in blocks.values():
        if len(members) < 2 or len(members) > MAX_BLOCK:
            continue
        for i, x in enumerate(members):
            for y in members[i + 1 :]:
                pair = (x, y) if x < y else (y, x)
                if pair in found or (only is not None and x not in only and y not in only):
                    continue
                likelihood, evidence = score(by_pk[pair[0]], by_pk[pair[1]])
                if likelihood >= THRESHOLD:
                    found[pair] = (likelihood, evidence)
    return found


_VALUES = ("pk", *FIELDS)


def find(members: Any = None, only: set[int] | None = None) -> int:
    """Look for duplicates among ``members`` (default: the whole registry); store new candidates.
    Returns how many new pairs wait for review."""
    queryset = members if members is not None else Member.objects.all()
    people = [person(v) for v in queryset.values(*_VALUES).iterator(chunk_size=5000)]
    found = pairs(people, only)
    known = set(
        DuplicateCandidate.objects.filter(first_id__in={a for a, _ in found}).values_list(
            "first_id", "second_id"
        )
    )
    new = [
        DuplicateCandidate(first_id=a, second_id=b, score=round(s, 4), reasons=ev)
        for (a, b), (s, ev) in found.items()
        if (a, b) not in known
    ]
    DuplicateCandidate.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return len(new)


MERGEABLE = (*PROFILE_FIELDS, "occupation_id", "isco_group_id", "external_id")
RELATED = (
    (MemberSkill, "skill_id"),
    (MemberLanguage, "language"),
    (MemberInterest, "interest"),
    (OrganisationMembership, "organisation_id"),
    (Education, None),
    (WorkExperience, None),
    (Availability, None),
    (Consent, None),
)


def related() -> list[tuple[Any, str | None]]:
    """Every table whose rows belong to a member, with the field that is unique beside the
    member (the survivor's own row stays where both have one): the registry's own tables above,
    and those of other apps that point at a member (survey submissions, applications,
    placements), found from the model so that the registry need not know them."""
    known = {model for model, _unique in RELATED}
    others: list[tuple[Any, str | None]] = []
    for relation in Member._meta.related_objects:
        model = relation.related_model
        if (
            not relation.one_to_many
            or relation.field.name != "member"
            or model in known
            or model._meta.app_label == Member._meta.app_label  # versions, merges: the trail's
        ):
            continue
        unique = next(
            (
                next(f for f in c.fields if f != "member")
                for c in model._meta.constraints
                if isinstance(c, models.UniqueConstraint)
                and c.condition is None
                and len(c.fields) == 2
                and "member" in c.fields
            ),
            None,
        )
        others.append((model, unique))
    return [*RELATED, *others]


def _fields(member: Member) -> dict[str, Any]:
    out = {}
    for name in MERGEABLE:
        value = comparable(member, name)
        out[name] = value.isoformat() if isinstance(value, datetime.date) else value
    return out


def _restore(member: Member, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if name == "birth_date" and value:
            value = datetime.date.fromisoformat(value)
        setattr(member, name, value)


EXTRA = ("latitude", "longitude", "consular_jurisdiction", "email_verified")


def _kept_aside(member: Member) -> dict[str, Any]:
    """What an undo needs beyond the mergeable fields: place details, and the sensitive fields
    encrypted as they are in the table (the trail never holds them in clear)."""
    extra = {name: getattr(member, name) for name in EXTRA}
    aside: dict[str, Any] = {
        "_extra": {k: str(v) if isinstance(v, Decimal) else v for k, v in extra.items()}
    }
    sensitive = {name: getattr(member, name) for name in Member.SENSITIVE_FIELDS}
    if any(sensitive.values()):
        aside["_sensitive"] = fernet().encrypt(json.dumps(sensitive).encode()).decode()
    return aside


def _bring_back(member: Member, aside: dict[str, Any]) -> None:
    for name, value in aside.get("_extra", {}).items():
        setattr(member, name, value)
    if token := aside.get("_sensitive"):
        for name, value in json.loads(fernet().decrypt(token.encode())).items():
            setattr(member, name, value)


@transaction.atomic
def merge(actor: Any, candidate: DuplicateCandidate, keep: dict[str, str]) -> Merge:
    """Merge ``candidate.second`` into ``candidate.first``; ``keep`` says, per field, whether
    the value of "first" or "second" stays. Related rows move to the survivor (where the
    survivor already has the same skill, language ... its own row stays)."""
    survivor = Member.objects.select_for_update().get(pk=candidate.first_id)
    other = Member.objects.select_for_update().get(pk=candidate.second_id)
    before = _fields(survivor)
    merged_data = _fields(other)
    merged_data["user_id"] = other.user_id
    merged_data.update(_kept_aside(other))
    moved: dict[str, list[int]] = {}
    dropped: dict[str, list[dict[str, Any]]] = {}
    for model, unique in related():
        rows = model.objects.filter(member=other)
        if unique:
            taken = set(model.objects.filter(member=survivor).values_list(unique, flat=True))
            # The survivor's own row stays; the merged record's copy is kept in the trail.
            columns = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
            columns.remove("member_id")
            twins = rows.filter(**{f"{unique}__in": taken}).values(*columns)
            # as JSON (dates and amounts as text, read back by the fields on undo)
            dropped[model._meta.label_lower] = json.loads(
                json.dumps(list(twins), cls=DjangoJSONEncoder)
            )
            rows = rows.exclude(**{f"{unique}__in": taken})
        ids = list(rows.values_list("pk", flat=True))
        model.objects.filter(pk__in=ids).update(member=survivor)
        moved[model._meta.label_lower] = ids
    chosen = {
        name: merged_data[name]
        for name, side in keep.items()
        if side == "second" and name in MERGEABLE
    }
    if "external_id" in chosen or survivor.external_id is None:
        chosen.setdefault("external_id", merged_data["external_id"])
        if chosen["external_id"] is not None:
            Member.objects.filter(pk=other.pk).update(external_id=None)
    _restore(survivor, chosen)
    if survivor.user_id is None and other.user_id is not None:
        user_id = other.user_id
        Member.objects.filter(pk=other.pk).update(user=None)
        survivor.user_id = user_id
    merged_data["_dropped"] = dropped
    trail = Merge.objects.create(
        survivor=survivor,
        merged_id=other.pk,
        survivor_before=before,
        merged_data=merged_data,
        moved=moved,
        merged_by=actor if getattr(actor, "pk", None) else None,
    )
    other.delete()  # its remaining rows (duplicates of the survivor's) go with it
    survivor.save()
    candidate_id = candidate.pk
    DuplicateCandidate.objects.filter(pk=candidate_id).update(
        status=DuplicateCandidate.Status.MERGED, decided_by=actor, decided_at=timezone.now()
    )
    record(
        AuditEvent.Action.UPDATE,
        survivor,
        actor=actor,
        reason=f"merged member #{trail.merged_id}",
        changes={"merged": trail.merged_id},
    )
    return trail


@transaction.atomic
def undo(actor: Any, trail: Merge) -> Member:
    """Recreate the merged record with its own number and move its rows back."""
    if trail.undone_at is not None:
        raise ValueError("This merge has already been undone.")
    survivor = Member.objects.select_for_update().get(pk=trail.survivor_id)
    data = dict(trail.merged_data)
    user_id = data.pop("user_id", None)
    dropped = data.pop("_dropped", {})
    aside = {key: data.pop(key) for key in ("_extra", "_sensitive") if key in data}
    restored = Member(pk=trail.merged_id)
    _restore(restored, data)
    _bring_back(restored, aside)
    if user_id and survivor.user_id == user_id:
        survivor.user_id = None
        survivor.save()
    restored.user_id = user_id
    if survivor.external_id == restored.external_id:
        survivor.external_id = None
        survivor.save()
    restored.save(force_insert=True)
    by_label = {m._meta.label_lower: m for m, _u in related()}
    for label, ids in trail.moved.items():
        model = by_label[label]
        model.objects.filter(pk__in=ids).update(member=restored)
    for label, rows in dropped.items():
        model = by_label[label]
        bulk.insert(model, [{**row, "member_id": restored.pk} for row in rows])
    _restore(survivor, trail.survivor_before)
    survivor.save()
    trail.undone_at = timezone.now()
    trail.save(update_fields=["undone_at"])
    DuplicateCandidate.objects.filter(first_id=survivor.pk, second_id=restored.pk).update(
        status=DuplicateCandidate.Status.OPEN, decided_by=None, decided_at=None
    )
    record(
        AuditEvent.Action.UPDATE,
        survivor,
        actor=actor,
        reason=f"undid merge of member #{restored.pk}",
    )
    return restored


def mark_distinct(actor: Any, candidate: DuplicateCandidate) -> None:
    candidate.status = DuplicateCandidate.Status.DISTINCT
    candidate.decided_by = actor if getattr(actor, "pk", None) else None
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
