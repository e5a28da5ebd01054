"""Helpers for data migrations that grant the role groups their model permissions.

Migrations call ``grant_role_permissions(apps, "app_label")`` with the historical app registry,
so no app code is imported. Administrators get every permission of the app; secretariat staff get
every permission except those listed in ``admin_only`` (codenames, e.g. ``export_annual_summary``).
"""

from django.contrib.auth.management import create_permissions

ADMINISTRATORS = "administrators"
SECRETARIAT = "secretariat"


def grant_role_permissions(apps, app_label: str, *, admin_only: tuple[str, ...] = ()) -> None:
    # Permissions are normally created after all migrations (post_migrate); make them now.
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True  # historical AppConfigStub lacks it; create_permissions asks
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = list(Permission.objects.filter(content_type__app_label=app_label))
    administrators, _ = Group.objects.get_or_create(name=ADMINISTRATORS)
    secretariat, _ = Group.objects.get_or_create(name=SECRETARIAT)
    administrators.permissions.add(*perms)
    secretariat.permissions.add(*[p for p in perms if p.codename not in admin_only])
