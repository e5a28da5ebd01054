from django.db import migrations

REVIEWERS = "reviewers"


def create_reviewer_role(apps, schema_editor):
    """審査員: outside accounts that score applications to calls. The group holds no model
    permissions: what a reviewer may see is decided by the assignments (``assigned_to``)."""
    apps.get_model("auth", "Group").objects.get_or_create(name=REVIEWERS)


def remove_reviewer_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=REVIEWERS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_affiliation_requests"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_reviewer_role, remove_reviewer_role)]
