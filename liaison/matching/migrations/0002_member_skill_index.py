"""An index on the registry's member-skill table for the matching engine.

The engine reads, for each skill an opportunity asks, the members holding it and their years of
practice. Read by skill, from the index alone (PostgreSQL's INCLUDE keeps ``years`` in it), the
1,000 holders of a skill among a million members are one short range instead of 1,000 visits to
the table. It belongs with ``registry.MemberSkill``'s indexes; it is created here so that the
matching app stays the only one to change, and ``IF NOT EXISTS`` keeps it harmless if the
registry declares the same index later.
"""

from django.db import migrations

NAME = "matching_member_skill_idx"


def create(apps, schema_editor):
    table = schema_editor.quote_name("registry_memberskill")
    if schema_editor.connection.vendor == "postgresql":
        columns = "(skill_id, member_id) INCLUDE (years)"
    else:
        columns = "(skill_id, member_id, years)"
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON {table} {columns}")


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0001_skill_hierarchy"),
        ("registry", "0013_covering_search_indexes"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
