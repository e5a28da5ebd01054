from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("集計・報告")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the domain-signal subscribers)
