"""Benchmark: duplicate detection quality and speed on a labelled synthetic registry.

The script builds people (names from several Faker locales, Arabic names transliterated),
then copies a share of them with the errors real registries hold: typos, swapped given and
family names, missing fields, transliteration variants, day and month swapped, no ID number.
It runs Liaison's detector (liaison.registry.dedup) and, as the baseline, the recordlinkage
library's classic pipeline (blocking on date of birth plus a sorted neighbourhood on family
name; Jaro-Winkler on names, exact date of birth, email and phone; pairs whose summed
comparison score reaches 3 of 5, the rule of recordlinkage's own tutorial) on the same data,
and prints precision, recall, F1 and seconds for both. Target: Liaison's F1 >= the baseline's.

Usage: python benchmarks/dedup_quality.py [--people 20000] [--seed 1]
Needs the bench extras: pip install -e ".[bench]"
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
os.environ.setdefault("LIAISON_ENV", "test")

import django

django.setup()

from anyascii import anyascii  # noqa: E402
from faker import Faker  # noqa: E402

from liaison.registry import dedup  # noqa: E402

LOCALES = ("fr_FR", "en_PH", "ar_AA", "es_CO")
VARIANTS = (("ou", "u"), ("ee", "i"), ("mm", "m"), ("ph", "f"), ("y", "i"), ("kh", "k"))


def typo(rng: random.Random, word: str) -> str:
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word))
    kind = rng.random()
    if kind < 0.4:
        return word[:i] + word[i + 1 :]  # deletion
    if kind < 0.7:
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]  # transposition
    return word[:i] + rng.choice("aeiourstln") + word[i + 1 :]  # substitution


def variant(rng: random.Random, word: str) -> str:
    lowered = word.lower()
    for a, b in rng.sample(VARIANTS, len(VARIANTS)):
        if a in lowered:
            return lowered.replace(a, b, 1).title()
        if b in lowered and len(b) > 1:
            return lowered.replace(b, a, 1).title()
    return word


def build(people: int, seed: int) -> tuple[list[dict[str, object]], set[tuple[int, int]]]:
    rng = random.Random(seed)
    fakers = []
    for i, locale in enumerate(LOCALES):
        fake = Faker(locale)
        fake.seed_instance(seed + i)
        fakers.append(fake)
    records: list[dict[str, object]] = []
    truth: set[tuple[int, int]] = set()
    for pk in range(1, people + 1):
        fake = fakers[pk % len(fakers)]
        female = rng.random() < 0.5
        given = anyascii(fake.first_name_female() if female else fake.first_name_male())
        family = anyascii(fake.last_name())
        born = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(20000))
        records.append(
            {
                "pk": pk,
                "given_name": given,
                "family_name": family,
                "latin_name": "",
                "sex": "female" if female else "male",
                "birth_date": born if rng.random() < 0.9 else None,
                "email": f"{given}.{family}{rng.randrange(100)}@example.org".lower()
                if rng.random() < 0.6
                else "",
                "phone": f"+3361{rng.randrange(10**7):07d}" if rng.random() < 0.5 else "",
                "city": rng.choice(["Lyon", "Paris", "Madrid", "Dubai", "Manila", "Bogota"]),
                "country_of_residence": rng.choice(["FR", "ES", "AE", "PH", "CO"]),
            }
        )
    next_pk = people + 1
    for original in list(records):
        if rng.random() >= 0.2:
            continue
        copy = dict(original, pk=next_pk)
        errors = rng.sample(
            ["typo", "swap", "missing", "variant", "dates", "contact"], rng.randint(1, 2)
        )
        if "typo" in errors:
            key = rng.choice(["given_name", "family_name"])
            copy[key] = typo(rng, str(copy[key]))
        if "swap" in errors:
            copy["given_name"], copy["family_name"] = copy["family_name"], copy["given_name"]
        if "missing" in errors:
            copy[rng.choice(["birth_date", "email", "phone", "city"])] = (
                None if rng.random() < 0.5 else ""
            )
            if copy["birth_date"] == "":
                copy["birth_date"] = None
        if "variant" in errors:
            copy["given_name"] = variant(rng, str(copy["given_name"]))
            copy["family_name"] = variant(rng, str(copy["family_name"]))
        if "dates" in errors and isinstance(copy["birth_date"], datetime.date):
            born = copy["birth_date"]
            if born.day <= 12:
                copy["birth_date"] = born.replace(month=born.day, day=born.month)
        if "contact" in errors:
            copy["email"] = ""
            copy["phone"] = ""
        records.append(copy)
        truth.add((int(str(original["pk"])), next_pk))
        next_pk += 1
    return records, truth


def quality(found: set[tuple[int, int]], truth: set[tuple[int, int]]) -> tuple[float, float, float]:
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def liaison(records: list[dict[str, object]]) -> set[tuple[int, int]]:
    people = [dedup.person(r) for r in records]
    return set(dedup.pairs(people))


def baseline(records: list[dict[str, object]]) -> set[tuple[int, int]]:
    import pandas as pd
    import recordlinkage

    frame = pd.DataFrame(records).set_index("pk")
    frame["given"] = frame["given_name"].str.lower()
    frame["family"] = frame["family_name"].str.lower()
    frame["dob"] = frame["birth_date"].astype(str).replace("None", "")
    # Missing values must not form one huge block of their own.
    frame["dob_block"] = frame["dob"].replace("", float("nan"))
    indexer = recordlinkage.Index()
    indexer.block("dob_block")
    indexer.sortedneighbourhood("family", window=5)
    candidates = indexer.index(frame)
    compare = recordlinkage.Compare()
    compare.string("given", "given", method="jarowinkler", threshold=0.85, label="given")
    compare.string("family", "family", method="jarowinkler", threshold=0.85, label="family")
    compare.exact("dob", "dob", label="dob", missing_value=0)
    compare.exact("email", "email", label="email", missing_value=0)
    compare.exact("phone", "phone", label="phone", missing_value=0)
    features = compare.compute(candidates, frame)
    # Blank contacts compare as equal in recordlinkage; they are not evidence.
    for column, source in (("email", "email"), ("phone", "phone"), ("dob", "dob")):
        blank = frame[source].eq("")
        left = blank.reindex(features.index.get_level_values(0)).to_numpy()
        right = blank.reindex(features.index.get_level_values(1)).to_numpy()
        features.loc[left | right, column] = 0
    matches = features[features.sum(axis=1) >= 3].index
    return {(min(a, b), max(a, b)) for a, b in matches}


def main() -> None:
    logging.getLogger("recordlinkage").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    records, truth = build(args.people, args.seed)
    print(f"labelled set: {len(records):,} records, {len(truth):,} true duplicate pairs")
    results = {}
    for name, method in (("liaison", liaison), ("baseline (recordlinkage)", baseline)):
        started = time.perf_counter()
        found = method(records)
        seconds = time.perf_counter() - started
        p, r, f = quality(found, truth)
        results[name] = f
        print(f"{name:<26} precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}  {seconds:.1f} s")
    ours, theirs = results["liaison"], results["baseline (recordlinkage)"]
    verdict = "PASS" if ours >= theirs else "FAIL"
    print(f"{verdict}: Liaison's F1 {ours:.3f} vs baseline {theirs:.3f} (target: not lower)")
    if ours < theirs:
        sys.exit(1)


if __name__ == "__main__":
    main()
