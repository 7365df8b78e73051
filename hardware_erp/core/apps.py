from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "hardware_erp.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self):
        from . import signals  # noqa: F401
