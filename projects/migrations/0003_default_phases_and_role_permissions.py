from django.db import migrations

from consortium.migration_utils import grant_role_permissions

DEFAULT_PHASES = [
    ("研究会", "Study group", 10),
    ("実証", "Demonstration", 20),
    ("事業化・実用化", "Commercialization", 30),
]


def create_default_phases(apps, schema_editor):
    Phase = apps.get_model("projects", "Phase")
    for name, name_en, order in DEFAULT_PHASES:
        Phase.objects.update_or_create(
            name=name, defaults={"name_en": name_en, "order": order, "is_default": True}
        )


def grant_permissions(apps, schema_editor):
    grant_role_permissions(apps, "projects")


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0002_phases_funding_outcomes_agreements"),
        ("members", "0002_roles"),
    ]

    operations = [
        migrations.RunPython(create_default_phases, migrations.RunPython.noop),
        migrations.RunPython(grant_permissions, migrations.RunPython.noop),
    ]
