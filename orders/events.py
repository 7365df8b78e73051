"""Order timeline entries are stored as a code and parameters and put into words when read, in the reader's
language (never a stored sentence). Amounts are stored as text ("1234.50") and shown as money."""

from django.utils.translation import gettext_lazy as _

from hardware_erp.core.money import format_money
from hardware_erp.core.phrases import define

from .choices import InvoiceType, ReviewReason, ReviewRole

TEXTS = {
    "review.waiting": _("Waits for review: %(reasons)s"),
    "review.step_approved": _("%(role)s approved"),
    "review.step_rejected": _("%(role)s rejected"),
    "review.auto": _("Approved automatically: every review rule passed."),
    "backorder.cancelled": _("Back-order cancelled: the lines keep their unit and price."),
    "backorder.rest": _("The rest will not be shipped."),
    "return.recorded": _("Return %(ret)s: credit %(amount)s."),
    "credit.created": _("Customer credit %(credit)s of %(amount)s: the order had received more than it owes."),
    "credit.applied": _("Credit %(credit)s applied: %(amount)s"),
    "credit.applied_from": _("%(amount)s of its credit %(credit)s applied to order %(order)s"),
    "refund.requested": _("Refund %(refund)s of %(amount)s requested"),
    "refund.paid": _("Refund %(refund)s of %(amount)s approved and paid"),
    "refund.rejected": _("Refund %(refund)s of %(amount)s rejected"),
    "invoice.requested": _("VAT invoice requested (%(type)s): %(amount)s"),
    "invoice.issued": _("VAT invoice %(number)s issued on %(date)s"),
    "invoice.red_requested": _("Red-letter invoice requested against %(number)s: %(amount)s"),
    "invoice.red_issued": _("Red-letter invoice %(number)s issued on %(date)s"),
    "quotation.created_from": _("Created from quotation %(q)s"),
    "quotation.converted": _("Converted to order %(o)s"),
    "picking.started": _("Picking started with the shipment."),
    "shipment.sent": _("Shipment %(s)s"),
    "shipment.delivered": _("Shipment %(s)s delivered"),
    "payment.recorded": _("Payment %(p)s: %(a)s"),
    "customer.merged": _("Customer %(old)s merged into %(new)s"),
    "link.renewed": _("Status link renewed"),
    "link.revoked": _("Status link revoked"),
}
MONEY_PARAMS = ("amount", "a")

# stock movement reasons the orders stages write (rendered by inventory's ledger through the kernel's registry)
SHIPMENT_MOVEMENT = define("orders.shipment", _("Shipment %(s)s"))
RETURN_MOVEMENT = define("orders.return", _("Return %(r)s"))

# why an order waits for review (SalesOrder.review_reasons: code and figures)
REASON_TEXTS = {
    ReviewReason.CREDIT: _("Open balance %(open)s plus this order %(total)s exceeds the credit limit %(limit)s."),
    ReviewReason.OVERDUE: _("The customer has %(amount)s overdue."),
    ReviewReason.MARGIN: _("Margin %(m)s%% is below the minimum %(min)s%%."),
    ReviewReason.DISCOUNT: _("Discount above %(max)s%% on %(skus)s."),
    ReviewReason.STOCK: _("Not enough available in %(wh)s: %(items)s."),
}


def reason_text(reason: dict) -> str:
    """A review reason in the reader's language (reasons stored before they had figures keep their text)."""
    text, params = REASON_TEXTS.get(reason.get("code")), reason.get("params")
    if text is None or params is None:
        return reason.get("text", "")
    try:
        return str(text) % params
    except (KeyError, TypeError, ValueError):
        return reason.get("text", "")


def _render_param(key, value):
    if key in MONEY_PARAMS:
        return format_money(value)
    if key == "type" and value in InvoiceType.values:
        return str(InvoiceType(value).label)
    if key == "reasons":
        return "; ".join(str(ReviewReason(c).label) for c in value if c in ReviewReason.values)
    if key == "role" and value in ReviewRole.values:
        return str(ReviewRole(value).label)
    return value


def event_text(code, params, note="") -> str:
    text = TEXTS.get(code)
    if text is None:
        return note or ""
    params = params or {}
    try:
        out = str(text) % {k: _render_param(k, v) for k, v in params.items()} if params else str(text)
    except (KeyError, TypeError, ValueError):
        return note or ""  # a row written with other parameters than the code's text names (an older shape)
    return f"{out} {note}".strip() if note else out
