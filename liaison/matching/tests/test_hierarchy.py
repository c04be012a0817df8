"""Importing ESCO's skills hierarchy from the official CSV file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from liaison.matching.hierarchy import HierarchyError, import_skill_hierarchy
from liaison.matching.models import SkillRelation
from liaison.taxonomy.models import Skill

ESCO = "http://data.europa.eu/esco/"
HEADER = ["conceptType", "conceptUri", "broaderType", "broaderUri"]


def write(folder: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    path = folder / "broaderRelationsSkillPillar_en.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def skills(db):
    return {
        key: Skill.objects.create(uri=f"{ESCO}skill/{key}", label=key)
        for key in ("triage", "emergency", "assessment")
    }


def pairs():
    return set(SkillRelation.objects.values_list("skill__label", "broader__label"))


@pytest.mark.django_db
def test_relations_between_skills_are_stored_and_the_rest_counted(tmp_path, skills):
    write(
        tmp_path,
        [
            [
                "KnowledgeSkillCompetence",
                f"{ESCO}skill/emergency",
                "KnowledgeSkillCompetence",
                f"{ESCO}skill/triage",
            ],
            [
                "KnowledgeSkillCompetence",
                f"{ESCO}skill/triage",
                "KnowledgeSkillCompetence",
                f"{ESCO}skill/assessment",
            ],
            ["KnowledgeSkillCompetence", f"{ESCO}skill/triage", "SkillGroup", f"{ESCO}skill/S3.1"],
            ["SkillGroup", f"{ESCO}skill/S3.1", "SkillGroup", f"{ESCO}skill/S3"],
            [
                "KnowledgeSkillCompetence",
                f"{ESCO}skill/elsewhere",
                "KnowledgeSkillCompetence",
                f"{ESCO}skill/triage",
            ],
        ],
    )
    result = import_skill_hierarchy(tmp_path)
    assert pairs() == {("emergency", "triage"), ("triage", "assessment")}
    assert (result.relations, result.replaced, result.groups, result.unknown) == (2, 0, 2, 1)
    again = import_skill_hierarchy(tmp_path)
    assert pairs() == {("emergency", "triage"), ("triage", "assessment")}
    assert (again.relations, again.replaced) == (2, 2)


@pytest.mark.django_db
def test_a_file_with_a_bad_row_changes_nothing_and_says_where(tmp_path, skills):
    SkillRelation.objects.create(skill=skills["triage"], broader=skills["assessment"])
    write(
        tmp_path,
        [
            [
                "KnowledgeSkillCompetence",
                f"{ESCO}skill/emergency",
                "KnowledgeSkillCompetence",
                f"{ESCO}skill/triage",
            ],
            [
                "Occupation",
                f"{ESCO}skill/emergency",
                "KnowledgeSkillCompetence",
                f"{ESCO}skill/triage",
            ],
            [
                "KnowledgeSkillCompetence",
                "triage",
                "KnowledgeSkillCompetence",
                f"{ESCO}skill/triage",
            ],
        ],
    )
    with pytest.raises(HierarchyError) as caught:
        import_skill_hierarchy(tmp_path)
    assert caught.value.problems == [
        "broaderRelationsSkillPillar_en.csv, line 3, column conceptType: 'Occupation' is neither "
        "KnowledgeSkillCompetence nor SkillGroup",
        "broaderRelationsSkillPillar_en.csv, line 4, column conceptUri: 'triage' is not an "
        "ESCO URI",
    ]
    assert pairs() == {("triage", "assessment")}


@pytest.mark.django_db
def test_a_missing_file_or_column_is_named(tmp_path, skills):
    with pytest.raises(HierarchyError, match=r"broaderRelationsSkillPillar_en\.csv is not in"):
        import_skill_hierarchy(tmp_path)
    with pytest.raises(HierarchyError, match="does not exist"):
        import_skill_hierarchy(tmp_path / "nowhere")
    write(tmp_path, [], header=["conceptType", "conceptUri", "broaderUri"])
    with pytest.raises(HierarchyError, match="the header lacks broaderType"):
        import_skill_hierarchy(tmp_path)


@pytest.mark.django_db
def test_the_command_reports_counts_and_problems(tmp_path, skills, capsys):
    write(
        tmp_path,
        [
            [
                "KnowledgeSkillCompetence",
                f"{ESCO}skill/emergency",
                "KnowledgeSkillCompetence",
                f"{ESCO}skill/triage",
            ],
        ],
    )
    call_command("import_skill_hierarchy", str(tmp_path))
    assert "1 relations between skills stored" in capsys.readouterr().out
    with pytest.raises(CommandError, match="is not in"):
        call_command("import_skill_hierarchy", str(tmp_path), "--language", "fr")
