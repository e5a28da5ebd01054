"""Build the demo consortium: ``python manage.py load_demo`` (idempotent).

Each app contributes its part in a ``demo`` module with a ``load(*, stdout)`` function; they run in
INSTALLED_APPS order (members → projects → events → reports), discovered like admin modules, so
this lower app never imports a higher one.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Load the demo consortium (Hiratsuka marine-energy study group and more). Idempotent."

    def handle(self, *args, **options):
        with transaction.atomic():
            for app_config in apps.get_app_configs():
                module_name = f"{app_config.name}.demo"
                if find_spec(module_name) is None:
                    continue
                import_module(module_name).load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("デモデータを読み込みました / demo data loaded"))
