"""Trigram index for typo-tolerant name search on PostgreSQL (SQLite searches without it)."""

from django.db import migrations

UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS registry_member_search_trgm "
    "ON registry_member USING gin (search_name gin_trgm_ops)",
]
DOWN = ["DROP INDEX IF EXISTS registry_member_search_trgm"]


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in UP:
            schema_editor.execute(sql)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DOWN:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_member_profile_consents_organisations")]
    operations = [migrations.RunPython(up, down)]
