from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("会議・出席")

    def ready(self) -> None:
        from . import privacy  # noqa: F401  (answers members' personal-data download)
