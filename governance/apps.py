from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Data governance")

    def ready(self):
        from django.core import checks

        from . import signals  # noqa: F401
        from .keydata import check_key_fields

        checks.register(check_key_fields, "governance")
