"""Printable documents: quotation, picking list, delivery note, invoice/statement. reportlab on the kernel helpers."""


from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from hardware_erp.core import pdf
from hardware_erp.core.pdf import Paragraph, Table, build_pdf, money_text, styles, table_style
from hardware_erp.core.templatetags.erp import qty

from . import services
from .choices import DocKind

mm = pdf.mm


def _p(text, style):
    return Paragraph(str(text or "").replace("&", "&amp;").replace("<", "&lt;").replace("\n", "<br/>"), style)


def _field(label, value):
    """`label: value` on a document: the label translated outside any f-string (xgettext reads it)."""
    return f"{label}: {value}"


def _party_block(order, st):
    c = order.customer
    left = [
        _p(_field(_("Customer"), f"{c.name}"), st["body"]),
        _p(_field(_("Delivery address"), f"{order.delivery_address or '—'}"), st["body"]),
        _p(_field(_("Receiver"), f"{order.contact_name or '—'}  {order.contact_phone or ''}"), st["body"]),
    ]
    right = [
        _p(_field(_("Date"), f"{order.order_date:%Y-%m-%d}"), st["body"]),
        _p(_field(_("Salesperson"), order.salesperson.get_full_name() or order.salesperson.username), st["body"]),
        _p(_field(_("Payment terms (days)"), f"{order.payment_terms_days}"), st["body"]),
    ]
    if order.kind == DocKind.QUOTATION and order.valid_until:
        right.append(_p(_field(_("Valid until"), f"{order.valid_until:%Y-%m-%d}"), st["body"]))
    if order.requested_date:
        right.append(_p(_field(_("Requested delivery date"), f"{order.requested_date:%Y-%m-%d}"), st["body"]))
    t = Table([[left, right]], colWidths=[105 * mm, 75 * mm])
    t.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP")])
    return t


def _lines_table(order, st):
    head = [_("No."), _("Product"), _("Quantity"), _("Unit"), _("Unit price"), _("Discount (%)"), _("VAT (%)"),
            _("Amount")]
    rows = [[_p(h, st["small"]) for h in head]]
    for ln in order.lines.select_related("product", "unit").order_by("position", "pk"):
        rows.append([ln.position, _p(f"{ln.product.sku} {ln.product.name}\n{ln.product.spec_line}", st["small"]),
                     qty(ln.quantity), ln.unit.name, money_text(ln.unit_price),
                     f"{ln.discount_percent.normalize():f}", f"{ln.tax_rate.normalize():f}", money_text(ln.amount)])
    t = Table(rows, colWidths=[9 * mm, 60 * mm, 17 * mm, 13 * mm, 22 * mm, 19 * mm, 14 * mm, 26 * mm], repeatRows=1)
    t.setStyle(table_style(number_columns=(2, 4, 5, 6, 7)))
    return t


def _totals(order, st, extra=()):
    rows = [[_("Amount before discount"), money_text(order.subtotal)],
            [_("Discount"), money_text(-order.discount_total)],
            [_("Net amount"), money_text(order.net_total)],
            [_("VAT"), money_text(order.tax_total)],
            [_("Total"), money_text(order.total)], *extra]
    t = Table(rows, colWidths=[40 * mm, 30 * mm], hAlign="RIGHT")
    t.setStyle(table_style(header_rows=0, number_columns=(1,)))
    return t


def quotation_pdf(order) -> bytes:
    st = styles()
    title = _("Quotation") if order.kind == DocKind.QUOTATION else _("Sales order")
    story = [_p(f"{title} {order.number}", st["title"]), _party_block(order, st), _p("", st["body"]),
             _lines_table(order, st), _p("", st["body"]), _totals(order, st)]
    if order.notes:
        story += [_p(_("Notes"), st["h2"]), _p(order.notes, st["body"])]
    if order.kind == DocKind.QUOTATION:
        story.append(_p(_("Prices in CNY. This quotation is valid until the date above."), st["small"]))
    return build_pdf(story, title=str(title), subtitle=order.number)


def picking_list_pdf(orders, warehouse) -> bytes:
    """One picking list for a warehouse: every line of the given orders still to ship, sorted by bin."""
    st = styles()
    rows = [[_("Bin"), _("Product"), _("Quantity"), _("Unit"), _("Order"), _("Customer"), _("Picked")]]
    plan = []
    for order in orders:
        plan += [dict(r, order=order) for r in services.picking_plan(order)]
    plan.sort(key=lambda r: (r["location"] is None, r["location"].code if r["location"] else "", r["order"].number))
    for r in plan:
        line = r["line"]
        rows.append([r["location"].code if r["location"] else _("NOT ON HAND"),
                     _p(f"{line.product.sku} {line.product.name}", st["small"]), qty(r["quantity"]),
                     line.product.base_unit.name, r["order"].number, _p(r["order"].customer.name, st["small"]), "[  ]"])
    if len(rows) == 1:
        rows.append(["—", _("Nothing to pick."), "", "", "", "", ""])
    t = Table(rows, colWidths=[22 * mm, 58 * mm, 18 * mm, 12 * mm, 30 * mm, 30 * mm, 12 * mm], repeatRows=1)
    t.setStyle(table_style(number_columns=(2,)))
    title = _("Picking list")
    story = [_p(f"{title} - {warehouse.code} {warehouse.name}", st["title"]),
             _p(_field(_("Printed"), f"{timezone.localtime():%Y-%m-%d %H:%M}"), st["body"]), t,
             _p("", st["body"]),
             _p(_field(_("Picked by"), "____________") + "    " + _field(_("Checked by"), "____________"), st["body"])]
    return build_pdf(story, title=str(title), subtitle=warehouse.code)


def delivery_note_pdf(shipment) -> bytes:
    st = styles()
    order = shipment.order
    rows = [[_("Product"), _("Quantity"), _("Unit"), _("Bin")]]
    for sl in shipment.lines.select_related("order_line__product__base_unit", "location"):
        p = sl.order_line.product
        rows.append([_p(f"{p.sku} {p.name}\n{p.spec_line}", st["small"]), qty(sl.quantity), p.base_unit.name,
                     sl.location.code])
    t = Table(rows, colWidths=[100 * mm, 25 * mm, 20 * mm, 35 * mm], repeatRows=1)
    t.setStyle(table_style(number_columns=(1,)))
    title = _("Delivery note")
    shipped = timezone.localtime(shipment.shipped_at)
    info = [_field(_("Order"), f"{order.number}"), _field(_("Shipped"), f"{shipped:%Y-%m-%d %H:%M}"),
            _field(_("Carrier"), shipment.carrier or _("Own delivery")),
            _field(_("Tracking number"), f"{shipment.tracking_number or '—'}"),
            _field(_("Packages"), f"{shipment.packages}"),
            _field(_("Weight (kg)"), f"{shipment.weight_kg if shipment.weight_kg is not None else '—'}")]
    story = [_p(f"{title} {shipment.number}", st["title"]), _party_block(order, st),
             _p("    ".join(info), st["body"]), _p("", st["body"]), t, _p("", st["body"]),
             _p(_field(_("Received in good order by"), "____________") + "    " + _field(_("Date"), "____________"),
                st["body"])]
    return build_pdf(story, title=str(title), subtitle=shipment.number)


def invoice_pdf(order) -> bytes:
    """The order's invoice/statement: lines, totals, credits, payments and the balance."""
    st = styles()
    title = _("Invoice / statement")
    extra = [[_("Credited"), money_text(-order.credited_amount)], [_("Paid"), money_text(-order.paid_amount)],
             [_("Balance"), money_text(order.balance)]]
    story = [_p(f"{title} {order.number}", st["title"]), _party_block(order, st), _p("", st["body"]),
             _lines_table(order, st), _p("", st["body"]), _totals(order, st, extra)]
    c = order.customer
    if c.invoice_title or c.tax_number:
        story += [_p(_("Invoice to"), st["h2"]),
                  _p(_field(_("Invoice title"), c.invoice_title or c.name) + "  "
                     + _field(_("Tax number"), c.tax_number), st["body"])]
    pays = list(order.allocations.select_related("payment").order_by("payment__received_on"))
    if pays:
        rows = [[pgettext("orders", "Receipt"), pgettext("orders", "Received"), _("Method"), _("Amount")]]
        rows += [[a.payment.number, f"{a.payment.received_on:%Y-%m-%d}", a.payment.get_method_display(),
                  money_text(a.amount)] for a in pays]
        t = Table(rows, colWidths=[40 * mm, 30 * mm, 40 * mm, 30 * mm])
        t.setStyle(table_style(number_columns=(3,)))
        story += [_p(_("Payments"), st["h2"]), t]
    if order.due_date:
        story.append(_p(_field(_("Payment due"), f"{order.due_date:%Y-%m-%d}"), st["body"]))
    return build_pdf(story, title=str(title), subtitle=order.number)


def customer_statement_pdf(customer, data) -> bytes:
    """The customer's statement (对账单): open orders with their balances, returns, credit and refunds
    (`data` from selectors.customer_statement)."""
    st = styles()
    rows = [[_("Order"), _("Date"), _("Payment due"), _("Total"), _("Paid"), _("Credited"), _("Balance")]]
    for o in data["orders"]:
        rows.append([o.number, f"{o.order_date:%Y-%m-%d}", f"{o.due_date:%Y-%m-%d}" if o.due_date else "—",
                     money_text(o.total), money_text(o.paid_amount), money_text(o.credited_amount),
                     money_text(o.balance)])
    rows.append(["", "", "", "", "", _("Total"), money_text(data["open_balance"])])
    t = Table(rows, colWidths=[32 * mm, 22 * mm, 22 * mm, 27 * mm, 25 * mm, 25 * mm, 27 * mm], repeatRows=1)
    t.setStyle(table_style(number_columns=(3, 4, 5, 6)))
    title = _("Customer statement")
    story = [_p(f"{title} - {customer.name}", st["title"]),
             _p(_field(_("Date"), f"{timezone.localdate():%Y-%m-%d}"), st["body"]), t]
    if data["returns"]:
        rr = [[pgettext("orders", "Return"), _("Order"), _("Date"), _("Reason"), _("Credit")]]
        for r in data["returns"]:
            rr.append([r.number, r.order.number, f"{timezone.localtime(r.created_at):%Y-%m-%d}",
                       _p(r.reason, st["body"]), money_text(r.credit_amount)])
        rt = Table(rr, colWidths=[30 * mm, 32 * mm, 22 * mm, 66 * mm, 30 * mm], repeatRows=1)
        rt.setStyle(table_style(number_columns=(4,)))
        story += [_p(_("Returns"), st["h2"]), rt]
    if data["credits"]:
        cr = [[_("Customer credit"), _("From order"), _("Date"), _("Amount"), _("Used or refunded"), _("Left")]]
        for c in data["credits"]:
            cr.append([c.number, c.order.number, f"{timezone.localtime(c.created_at):%Y-%m-%d}", money_text(c.amount),
                       money_text(c.amount - c.remaining), money_text(c.remaining)])
        cr.append(["", "", "", "", _("Total"), money_text(data["credit_left"])])
        ct = Table(cr, colWidths=[30 * mm, 32 * mm, 22 * mm, 32 * mm, 32 * mm, 32 * mm], repeatRows=1)
        ct.setStyle(table_style(number_columns=(3, 4, 5)))
        story += [_p(_("Customer credit"), st["h2"]), ct]
    if data["refunds"]:
        fr = [[_("Refund"), _("Customer credit"), _("Date"), _("Status"), _("Amount")]]
        for r in data["refunds"]:
            fr.append([r.number, r.credit.number, f"{timezone.localtime(r.requested_at):%Y-%m-%d}",
                       r.get_status_display(), money_text(r.amount)])
        ft = Table(fr, colWidths=[30 * mm, 32 * mm, 22 * mm, 66 * mm, 30 * mm], repeatRows=1)
        ft.setStyle(table_style(number_columns=(4,)))
        story += [_p(_("Refunds"), st["h2"]), ft]
    story.append(_p("    ".join([_field(_("Open balance"), money_text(data["open_balance"])),
                                    _field(_("Credit left"), money_text(data["credit_left"])),
                                    _field(_("Net owed"), money_text(data["net"]))]), st["body"]))
    return build_pdf(story, title=str(title), subtitle=customer.name)
