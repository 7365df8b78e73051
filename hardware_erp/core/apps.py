import sqlite3

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _

INT64 = range(-(2**63), 2**63)


def sqlite_int(value: int):
    """SQLite cannot bind an integer beyond 64 bits (OverflowError). Such a number can only come from input (an
    id typed into an address or a form); bound as text it simply matches no row, as it does on PostgreSQL."""
    return value if value in INT64 else str(value)


class CoreConfig(AppConfig):
    name = "hardware_erp.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from . import checks, signals, uploads  # noqa: F401 (signal receivers, system checks, the upload check)
        from .money import read_model_decimals_with_decimal_input

        read_model_decimals_with_decimal_input()  # ModelForms and the admin read numbers through parse_decimal
        autodiscover_modules("events")  # each app's event codes and texts (core/phrases.py)

        if any(db["ENGINE"].endswith("sqlite3") for db in settings.DATABASES.values()):
            sqlite3.register_adapter(int, sqlite_int)
