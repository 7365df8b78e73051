"""Picking by scanning (the warehouse handheld): each line of an order is confirmed by scanning its product, and
its bin; a wrong item is refused on the spot. What was picked is then shipped through the ship page's own service
(`services.ship_order`), in one form."""

from collections import defaultdict

from django.urls import reverse
from django.utils.translation import gettext as _

from inventory.scanning import scan_texts

from .views import ShipView


class PickView(ShipView):
    template_name = "orders/pick.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        order = self.object
        bins = defaultdict(list)
        for row in ctx["plan"]:
            if row["location"] is not None:
                bins[row["line"].pk].append(row["location"].code)
        for ln in ctx["lines"]:
            ln.bins = bins.get(ln.pk, [])
            ln.to_pick = f"{ln.suggested.normalize():f}"
        ctx["title"] = _("Pick %(n)s") % {"n": order.number}
        ctx["lookup_url"] = f"{reverse('inventory:scan_lookup')}?warehouse={order.warehouse_id}"
        ctx["scan_texts"] = scan_texts(
            not_on_order=_("%(sku)s is not on this order: put it back."),
            wrong_bin=_("%(sku)s is not picked from %(bin)s: take it from %(bins)s."),
            no_bin=_("No line of this order is picked from %(bin)s."),
            full=_("%(sku)s: all %(n)s are picked already."),
            picked=_("picked"), bin=_("Bin"), all_done=_("Every line is picked: check the carrier and ship."))
        return ctx

    def get_success_url(self, result=None):
        return self.object.get_absolute_url()

