from django.db import migrations

from consortium.migration_utils import grant_role_permissions


def grant(apps, schema_editor):
    """Administrators and secretariat staff keep citizens' registrations and the sheet's marks."""
    grant_role_permissions(apps, "events")


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0006_door_tickets_public_registration_open_data"),
        ("members", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
