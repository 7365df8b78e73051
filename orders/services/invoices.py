"""VAT invoice requests (开票申请): the buyer's invoice details checked, the request queued for finance, the issued
invoice's number and date recorded, and a red-letter request when goods of an invoiced order come back.

The rules live in orders/invoicing.py; the export to the tax bureau's batch-issue layout in
orders/invoice_template.py.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.errors import BusinessRuleError

from .. import invoicing
from ..choices import SOLD_STATES, DocKind, EventKind, InvoiceKind, InvoiceStatus, InvoiceType, RedLetterReason
from ..models import InvoiceRequest
from .base import _check_access, _event, _lock

BUYER_FIELDS = ("title", "tax_number", "buyer_address", "buyer_phone", "buyer_bank", "buyer_account",
                "deliver_email", "deliver_phone")


def buyer_defaults(order) -> dict:
    """The buyer's invoice details as the customer record holds them: the invoice title (or name), the tax number
    or else the unified social credit code (the same number for a company), address, phone, bank and account; the
    e-invoice goes to the order's e-mail or the primary (else first) contact's e-mail or mobile."""
    c = order.customer
    contact = c.contacts.order_by("-is_primary", "pk").first()
    return {
        "title": c.invoice_title or c.name,
        "tax_number": c.tax_number or c.credit_code,
        "buyer_address": c.invoice_address,
        "buyer_phone": c.invoice_phone,
        "buyer_bank": c.bank_name,
        "buyer_account": c.bank_account or "",
        "deliver_email": order.customer_email or (contact.email if contact else ""),
        "deliver_phone": (contact.mobile if contact else "") or "",
    }


@transaction.atomic
def request_invoice(order, *, actor, invoice_type=InvoiceType.NORMAL, special=None, remarks="",
                    **buyer) -> InvoiceRequest:
    """Queue a VAT invoice for an approved order. Details left empty come from the customer (buyer_defaults);
    all are then checked at once (taxpayer ID, what a special invoice needs, where the e-invoice goes), and every
    product must carry its tax classification code and short name."""
    unknown = set(buyer) - set(BUYER_FIELDS)
    if unknown:
        raise TypeError(f"unknown invoice request fields: {sorted(unknown)}")
    order = _lock(order)
    _check_access(order, actor)
    if order.kind != DocKind.ORDER or order.status not in SOLD_STATES:
        raise BusinessRuleError(_("An invoice is requested for an approved order."), code="state")
    if order.invoice_requests.filter(kind=InvoiceKind.BLUE,
                                     status__in=[InvoiceStatus.REQUESTED, InvoiceStatus.ISSUED]).exists():
        raise BusinessRuleError(_("A VAT invoice is already requested for %(n)s."), params={"n": order.number},
                                code="duplicate")
    if special is not None:
        invoice_type = InvoiceType.SPECIAL if special else InvoiceType.NORMAL
    if invoice_type not in InvoiceType.values:
        raise BusinessRuleError(_("Choose the invoice type."), code="invoice_type")
    defaults = buyer_defaults(order)
    data = invoicing.clean_buyer({k: (buyer.get(k) or defaults[k]) for k in BUYER_FIELDS})
    errors = invoicing.buyer_errors(data, invoice_type)
    if errors:
        raise BusinessRuleError(errors, code="buyer")
    missing = invoicing.untaxed_products(order)
    if missing:
        raise BusinessRuleError(
            _("Before it can be invoiced, give these products their tax classification code and short name: "
              "%(skus)s."), params={"skus": ", ".join(p.sku for p in missing)}, code="tax_code")
    net, tax, gross = invoicing.invoice_totals(order)
    if gross <= 0:
        raise BusinessRuleError(_("Nothing is left to invoice on %(n)s."), params={"n": order.number}, code="empty")
    req = InvoiceRequest.objects.create(order=order, kind=InvoiceKind.BLUE, invoice_type=invoice_type,
                                        remarks=str(remarks or "").strip()[:200], net_amount=net, tax_amount=tax,
                                        amount=gross, requested_by=actor, **data)
    _event(order, actor=actor, kind=EventKind.NOTE, code="invoice.requested",
           params={"type": invoice_type, "amount": str(gross)})
    return req


def request_red_letter(order_return, *, actor, reason=RedLetterReason.RETURN) -> InvoiceRequest | None:
    """When goods of an order whose VAT invoice was issued come back: a red-letter request for the returned
    amount against that invoice (finance raises the 红字确认单 on the platform). None when nothing was invoiced."""
    order = order_return.order
    original = (order.invoice_requests.filter(kind=InvoiceKind.BLUE, status=InvoiceStatus.ISSUED)
                .order_by("-pk").first())
    if original is None or order_return.credit_amount <= 0:
        return None
    net, tax, gross = invoicing.red_letter_amounts(order_return)
    fields = {k: getattr(original, k) for k in BUYER_FIELDS}
    req = InvoiceRequest.objects.create(order=order, kind=InvoiceKind.RED, invoice_type=original.invoice_type,
                                        original=original, red_reason=reason, order_return=order_return,
                                        net_amount=net, tax_amount=tax, amount=gross, requested_by=actor, **fields)
    _event(order, actor=actor, kind=EventKind.NOTE, code="invoice.red_requested",
           params={"number": original.invoice_number, "amount": str(gross)})
    return req


@transaction.atomic
def issue_invoice(req, *, actor, invoice_number, issued_on=None) -> InvoiceRequest:
    """Finance records the invoice issued on the tax bureau's platform: its number (a digital invoice has 20
    digits) and date."""
    if not actor.has_perm("orders.change_invoicerequest"):
        raise BusinessRuleError(_("You may not issue invoices."), code="permission")
    req = InvoiceRequest.objects.select_for_update().get(pk=req.pk)
    if req.status != InvoiceStatus.REQUESTED:
        raise BusinessRuleError(_("This invoice request is %(s)s."), params={"s": req.get_status_display()},
                                code="state")
    number = invoicing.normalize_code(invoice_number)
    if not number:
        raise BusinessRuleError(_("Enter the invoice number."), code="number")
    if not number.isdigit() or not 8 <= len(number) <= 20:
        raise BusinessRuleError(_("An invoice number has 8 to 20 digits (a digital invoice has 20)."),
                                code="number")
    today = timezone.localdate()
    issued_on = issued_on or today
    if issued_on > today:
        raise BusinessRuleError(_("The invoice date cannot be in the future."), code="date")
    req.status, req.invoice_number, req.issued_on, req.issued_by = InvoiceStatus.ISSUED, number, issued_on, actor
    req.save(update_fields=["status", "invoice_number", "issued_on", "issued_by"])
    _event(req.order, actor=actor, kind=EventKind.NOTE,
           code="invoice.red_issued" if req.is_red else "invoice.issued",
           params={"number": number, "date": f"{issued_on:%Y-%m-%d}"})
    return req
