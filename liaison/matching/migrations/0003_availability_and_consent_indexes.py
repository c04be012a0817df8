"""Two more indexes on registry tables for the matching engine's hard filters.

For every candidate (thousands per ranking at a million members) the engine asks whether one
of their periods of availability fits, and what their latest decision on matching is. Read
from these indexes alone (PostgreSQL's INCLUDE), each answer is one index visit instead of an
index visit and a table visit. Like 0002's, they belong with the registry's models; created
here so that the matching app stays the only one to change (``IF NOT EXISTS``).
"""

from django.db import migrations

INDEXES = {
    "matching_availability_idx": (
        "registry_availability",
        "(member_id) INCLUDE (modality, starts, ends)",
        "(member_id, modality, starts, ends)",
    ),
    "matching_consent_idx": (
        "registry_consent",
        "(member_id, purpose, channel, recorded_at DESC, id DESC) INCLUDE (granted)",
        "(member_id, purpose, channel, recorded_at DESC, id DESC, granted)",
    ),
}


def create(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for name, (table, on_postgresql, elsewhere) in INDEXES.items():
        columns = on_postgresql if postgresql else elsewhere
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {schema_editor.quote_name(table)} {columns}"
        )


def drop(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("matching", "0002_member_skill_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
