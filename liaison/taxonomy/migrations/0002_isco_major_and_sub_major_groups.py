"""Load the built-in ISCO-08 major and sub-major groups so the app works before ESCO import."""

from django.db import migrations

from liaison.taxonomy.isco import ISCO_GROUPS


def load(apps, schema_editor):
    IscoGroup = apps.get_model("taxonomy", "IscoGroup")
    by_code = {}
    for code in sorted(ISCO_GROUPS, key=len):
        group, _ = IscoGroup.objects.get_or_create(
            code=code,
            defaults={"label": str(ISCO_GROUPS[code]), "parent": by_code.get(code[:-1])},
        )
        by_code[code] = group


class Migration(migrations.Migration):
    dependencies = [("taxonomy", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
