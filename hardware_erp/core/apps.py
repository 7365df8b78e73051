from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "hardware_erp.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self):
        from . import signals, uploads  # noqa: F401 (signal receivers, the upload storage check)
