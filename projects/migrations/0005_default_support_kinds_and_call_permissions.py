from django.db import migrations

from consortium.migration_utils import grant_role_permissions

# The support a trial-project call typically offers (つくば市 Society 5.0 社会実装トライアル支援事業).
DEFAULT_SUPPORT_KINDS = [
    ("実証経費の支援", "Funding of trial expenses", 10),
    ("実証フィールド・施設の確保", "Finding sites and facilities", 20),
    ("モニターのあっせん", "Recruiting monitors", 30),
    ("大学・研究機関等とのマッチング", "Matching with universities and research institutes", 40),
    ("規制・制度に関する相談・提案", "Consultation on regulations and proposals for reform", 50),
]


def create_support_kinds(apps, schema_editor):
    SupportKind = apps.get_model("projects", "SupportKind")
    for name, name_en, order in DEFAULT_SUPPORT_KINDS:
        SupportKind.objects.get_or_create(name=name, defaults={"name_en": name_en, "order": order})


def grant_permissions(apps, schema_editor):
    grant_role_permissions(apps, "projects")


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0004_calls_challenges_applications_reviews"),
        ("members", "0002_roles"),
    ]

    operations = [
        migrations.RunPython(create_support_kinds, migrations.RunPython.noop),
        migrations.RunPython(grant_permissions, migrations.RunPython.noop),
    ]
