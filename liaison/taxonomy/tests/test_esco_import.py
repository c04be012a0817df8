"""ESCO import from the real ESCO CSV copy in ../shared/data/esco (a test needing it fails, not
skips, when it is missing)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from liaison.taxonomy.isco import ISCO_GROUPS
from liaison.taxonomy.models import IscoGroup, Occupation, Skill, SkillGroup, TaxonomyImport

ESCO = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "esco"


def _rows(name: str) -> list[dict[str, str]]:
    with (ESCO / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _state() -> tuple[int, int, int, int]:
    return (
        IscoGroup.objects.count(),
        Occupation.objects.count(),
        Skill.objects.count(),
        SkillGroup.objects.count(),
    )


@pytest.fixture
def esco_copy(tmp_path):
    assert ESCO.is_dir(), f"the shared ESCO data is missing at {ESCO}"
    target = tmp_path / "esco"
    shutil.copytree(ESCO, target)
    return target


@pytest.mark.django_db
def test_the_app_knows_the_isco_major_and_sub_major_groups_before_any_import():
    codes = set(IscoGroup.objects.values_list("code", flat=True))
    assert codes == set(ISCO_GROUPS)
    assert len([c for c in codes if len(c) == 1]) == 10
    assert IscoGroup.objects.get(code="22").parent.code == "2"


def test_built_in_isco_labels_are_the_official_ones():
    official = {r["code"]: r["preferredLabel"] for r in _rows("ISCOGroups_en.csv")}
    for code, label in ISCO_GROUPS.items():
        assert official[code].lower() == str(label).lower(), code


@pytest.mark.django_db
def test_import_loads_every_row_and_a_second_run_changes_nothing(capsys):
    call_command("import_esco", str(ESCO))
    occupations = _rows("occupations_en.csv")
    assert Occupation.objects.count() == len(occupations)
    assert Skill.objects.count() == len(_rows("skills_en.csv"))
    assert IscoGroup.objects.count() == len(_rows("ISCOGroups_en.csv"))
    assert SkillGroup.objects.count() == len(_rows("skillGroups_en.csv"))
    sample = occupations[0]
    occupation = Occupation.objects.get(uri=sample["conceptUri"])
    assert occupation.label == sample["preferredLabel"]
    assert occupation.isco_group.code == sample["iscoGroup"]
    assert set(occupation.alt_labels) <= set(sample["altLabels"].splitlines())
    assert IscoGroup.objects.get(code="2221").parent.code == "222"
    before = _state()
    capsys.readouterr()
    call_command("import_esco", str(ESCO))
    out = capsys.readouterr().out
    assert "occupations: 0 created, 0 updated" in out
    assert _state() == before
    assert TaxonomyImport.objects.count() == 2


@pytest.mark.django_db
def test_an_updated_file_updates_the_matching_concepts(esco_copy):
    call_command("import_esco", str(esco_copy))
    path = esco_copy / "occupations_en.csv"
    text = path.read_text(encoding="utf-8")
    first = _rows("occupations_en.csv")[0]
    path.write_text(
        text.replace(first["preferredLabel"], "renamed occupation", 1), encoding="utf-8"
    )
    call_command("import_esco", str(esco_copy))
    assert Occupation.objects.get(uri=first["conceptUri"]).label == "renamed occupation"
    assert Occupation.objects.count() == len(_rows("occupations_en.csv"))


@pytest.mark.django_db
def test_a_folder_that_is_not_esco_is_refused_with_what_is_missing(tmp_path):
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n")
    with pytest.raises(
        CommandError,
        match=r"not an ESCO CSV folder: ISCOGroups_en\.csv, occupations_en\.csv, "
        r"skills_en\.csv missing",
    ):
        call_command("import_esco", str(tmp_path))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_esco", str(tmp_path / "nowhere"))
    assert Occupation.objects.count() == 0


@pytest.mark.django_db
def test_malformed_rows_are_listed_and_nothing_is_written(esco_copy):
    path = esco_copy / "occupations_en.csv"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("Occupation,not-a-uri,2221,,,,released,,,,,,,\n")
        handle.write("Occupation,http://data.europa.eu/esco/occupation/x,22A1,label\n")
    with pytest.raises(CommandError) as caught:
        call_command("import_esco", str(esco_copy))
    report = str(caught.value)
    assert "nothing was imported" in report
    assert "column conceptUri: 'not-a-uri' is not an ESCO URI" in report
    assert "preferredLabel: empty" in report
    assert "fields where the header has 14" in report
    assert _state() == (len(ISCO_GROUPS), 0, 0, 0)


@pytest.mark.django_db
def test_a_file_in_another_encoding_is_named(esco_copy):
    path = esco_copy / "skills_en.csv"
    path.write_bytes(
        path.read_bytes() + "Knowledge,http://data.europa.eu/esco/skill/é,,,é\n".encode("latin-1")
    )
    with pytest.raises(CommandError, match=r"skills_en\.csv: not UTF-8 text"):
        call_command("import_esco", str(esco_copy))
    assert Skill.objects.count() == 0
