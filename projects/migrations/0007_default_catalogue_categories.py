from django.db import migrations

from consortium.migration_utils import grant_role_permissions

# The fields of an environmental-technology catalogue (seed: 川崎市の環境技術・製品・サービスの一覧化).
DEFAULT_CATEGORIES = [
    ("エネルギー", "Energy", 10),
    ("水", "Water", 20),
    ("大気", "Air", 30),
    ("廃棄物・リサイクル", "Waste and recycling", 40),
    ("脱炭素", "Decarbonisation", 50),
    ("デジタル", "Digital", 60),
    ("医療・介護", "Medical and care", 70),
    ("モビリティ", "Mobility", 80),
]


def create_categories(apps, schema_editor):
    Category = apps.get_model("projects", "Category")
    for name, name_en, order in DEFAULT_CATEGORIES:
        Category.objects.get_or_create(name=name, defaults={"name_en": name_en, "order": order})


def grant_permissions(apps, schema_editor):
    grant_role_permissions(apps, "projects")


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0006_catalogue_entries_categories_images"),
        ("members", "0002_roles"),
    ]

    operations = [
        migrations.RunPython(create_categories, migrations.RunPython.noop),
        migrations.RunPython(grant_permissions, migrations.RunPython.noop),
    ]
