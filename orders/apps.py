from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Sales orders")

    def ready(self):
        from . import receivers  # noqa: F401 - connects the signal receivers
