"""What every orders page shares: who sees money and full phones, the scope mixin, PDF responses."""


from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from hardware_erp.core.fields import mask_phone
from hardware_erp.core.views import ModuleIndexView, ModuleMixin

from ..models import (
    SalesOrder,
)

# Money on the orders pages (prices, totals, balances, invoices, revenue) is for the roles that hold this; the
# warehouse picks and ships without it.
MONEY_PERM = "orders.view_payment"


# The receiver's phone in full: who sells the order or ships it (finance and others see it masked).
FULL_PHONE_PERMS = ("orders.change_salesorder", "orders.ship_salesorder")


def shown_phone(user, phone):
    if not phone or any(user.has_perm(p) for p in FULL_PHONE_PERMS):
        return phone
    return mask_phone(phone)


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{filename}"'
    return resp


class IndexView(ModuleIndexView):
    module = "orders"


class OrderScopeMixin(ModuleMixin):
    """The order named in the URL, as the signed-in user may see it (404 otherwise)."""

    module = "orders"

    def get_order(self, pk=None):
        pk = pk or self.kwargs["pk"]
        return get_object_or_404(SalesOrder.objects.for_user(self.request.user).select_related(
            "customer", "salesperson", "warehouse", "created_by", "approved_by"), pk=pk)
