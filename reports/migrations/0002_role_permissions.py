from django.db import migrations

from consortium.migration_utils import grant_role_permissions


def grant(apps, schema_editor):
    """Administrators get every reports permission; staff all but exporting the annual summary."""
    grant_role_permissions(apps, "reports", admin_only=("export_annual_summary",))


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_summaries_and_export_log"),
        ("members", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
