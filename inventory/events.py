"""Inventory's stored events, as codes and parameters put into words when read (hardware_erp/core/phrases.py):
stock movement reasons written by the system and purchase-order timeline entries. What a person types (a movement's
reason, a note on a purchase order) stays as typed."""

from django.utils.translation import gettext_lazy as _

from hardware_erp.core.phrases import define

STOCKTAKE = define("inventory.stocktake", _("Stocktake %(n)s: expected %(e)s, counted %(c)s"))
OPENING = define("inventory.opening", _("Opening stock"))
PO_FROM_SUGGESTIONS = define("inventory.po_from_suggestions", _("From purchase suggestions"))
PO_RECEIVED = define("inventory.po_received", _("Received: %(lines)s"))
PO_LINE = define("inventory.po_line", _("%(sku)s %(q)s"))

# the demo's opening stock was stored as this text before movements had codes
LEGACY_TEXTS = {"期初库存": OPENING}
