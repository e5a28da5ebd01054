from django.db import migrations

from consortium.migration_utils import grant_role_permissions


def create_roles(apps, schema_editor):
    """Administrators (管理者) and secretariat staff (事務局), with the members app's permissions."""
    grant_role_permissions(apps, "members")


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["administrators", "secretariat"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
