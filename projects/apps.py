from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("事業・協定")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the members signals' subscribers)
