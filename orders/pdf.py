"""Printable documents of the orders app, reportlab on the kernel helpers (hardware_erp/core/pdf.py):

报价单 (quotation), 销售订单 (sales order), 送货单 (delivery note, for the customer to sign), 销售出库单 (sales issue
note, the warehouse's record), 对账单 (statement of an order and of a customer), 收款收据 (payment receipt), and the
picking list. None is a 发票: VAT invoices are issued on the tax bureau's platform (orders/invoice_template.py).

Every document carries the company profile as its header, page numbers, and where paper needs them the amount in
capitals and a signature/stamp area. Every label is translated on its own (`pdf.field`), never inside an f-string.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from hardware_erp.core import pdf
from hardware_erp.core.pdf import (
    Paragraph,
    Spacer,
    Table,
    amount_in_words_table,
    build_pdf,
    field,
    money_text,
    price_text,
    signature_block,
    styles,
    table_style,
)
from hardware_erp.core.templatetags.erp import qty

from . import pricing, services
from .choices import DocKind

mm = pdf.mm


def _p(text, style):
    return Paragraph(pdf.escape(text), style)


def _title(text, number, st):
    return _p(f"{text}  {number}" if number else text, st["title"])


def _party_block(order, st, *, with_terms=True):
    c = order.customer
    left = [
        _p(field(_("Customer"), c.name), st["body"]),
        _p(field(_("Delivery address"), order.delivery_address or "—"), st["body"]),
        _p(field(_("Receiver"), f"{order.contact_name or '—'}  {order.contact_phone or ''}".strip()), st["body"]),
    ]
    right = [
        _p(field(_("Date"), f"{order.order_date:%Y-%m-%d}"), st["body"]),
        _p(field(_("Salesperson"), order.salesperson.get_full_name() or order.salesperson.username), st["body"]),
    ]
    if with_terms:
        right.append(_p(field(_("Payment terms (days)"), order.payment_terms_days), st["body"]))
    if order.kind == DocKind.QUOTATION and order.valid_until:
        right.append(_p(field(_("Valid until"), f"{order.valid_until:%Y-%m-%d}"), st["body"]))
    if order.requested_date:
        right.append(_p(field(_("Requested delivery date"), f"{order.requested_date:%Y-%m-%d}"), st["body"]))
    t = Table([[left, right]], colWidths=[105 * mm, 75 * mm])
    t.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONT", (0, 0), (-1, -1), pdf.register_fonts(), 9)])
    return t


def unit_price_label(order) -> str:
    return _("Unit price incl. VAT") if order.prices_include_tax else _("Unit price excl. VAT")


def tax_mode_note(order) -> str:
    if order.prices_include_tax:
        return _("Prices include VAT. Per line: VAT = amount ÷ (1 + rate) × rate, rounded to the cent; "
                 "net = amount − VAT.")
    return _("Prices exclude VAT. Per line: VAT = net × rate, rounded to the cent; amount = net + VAT.")


def _product_cell(product, st):
    return _p(f"{product.sku} {product.name}\n{product.spec_line}".strip(), st["small"])


def _lines_table(order, st):
    """The order's lines with the VAT per line: unit price (in the order's tax mode), discount, net, rate, VAT,
    amount incl. VAT; net + VAT = amount on every line (orders.pricing)."""
    head = [_("No."), _("Product"), _("Quantity"), _("Unit"), unit_price_label(order), _("Discount (%)"),
            _("Net amount"), _("VAT rate"), _("VAT"), _("Amount incl. VAT")]
    rows = [[_p(h, st["small"]) for h in head]]
    for ln in order.lines.select_related("product", "unit").order_by("position", "pk"):
        rows.append([ln.position, _product_cell(ln.product, st), qty(ln.quantity), ln.unit.name,
                     price_text(ln.unit_price), f"{ln.discount_percent.normalize():f}", money_text(ln.net_amount),
                     f"{ln.tax_rate.normalize():f}%", money_text(ln.tax_amount), money_text(ln.amount)])
    t = Table(rows, colWidths=[8 * mm, 50 * mm, 14 * mm, 10 * mm, 19 * mm, 12 * mm, 19 * mm, 11 * mm, 17 * mm,
                               20 * mm], repeatRows=1)
    style = table_style(number_columns=(2, 4, 5, 6, 7, 8, 9))
    style.add("FONT", (0, 1), (-1, -1), pdf.register_fonts(), 8)
    t.setStyle(style)
    return t


def _totals(order, extra=()):
    totals = pricing.compute_totals(order.lines.all(), prices_include_tax=order.prices_include_tax)
    rows = [[_("Amount at list prices"), money_text(totals.list_amount)],
            [_("Discount"), money_text(-totals.discount)],
            [_("Net amount"), money_text(totals.net)],
            [_("VAT"), money_text(totals.tax)],
            [_("Total incl. VAT"), money_text(totals.gross)], *extra]
    t = Table(rows, colWidths=[45 * mm, 32 * mm], hAlign="RIGHT")
    t.setStyle(table_style(header_rows=0, number_columns=(1,)))
    return t


def quotation_pdf(order) -> bytes:
    """报价单 for a quotation, 销售订单 for an order."""
    st = styles()
    title = _("Quotation") if order.kind == DocKind.QUOTATION else _("Sales order")
    story = [_title(title, order.number, st), _party_block(order, st), Spacer(1, 3 * mm),
             _lines_table(order, st), Spacer(1, 2 * mm), _totals(order), Spacer(1, 2 * mm),
             amount_in_words_table(order.total), _p(tax_mode_note(order), st["small"])]
    if order.notes:
        story += [_p(_("Notes"), st["h2"]), _p(order.notes, st["body"])]
    if order.kind == DocKind.QUOTATION:
        story.append(_p(_("Prices in CNY. This quotation is valid until the date above."), st["small"]))
        signers = [_("Prepared by"), _("Customer confirmation")]
    else:
        signers = [_("Prepared by"), _("Approved by"), _("Customer confirmation")]
    story += [Spacer(1, 4 * mm), signature_block(signers, stamp_label=_("Company stamp"))]
    return build_pdf(story, title=title, subtitle=order.number)


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
    story = [_title(title, f"{warehouse.code} {warehouse.name}", st), t, Spacer(1, 4 * mm),
             signature_block([_("Picked by"), _("Checked by")])]
    return build_pdf(story, title=title, subtitle=warehouse.code)


def _shipment_info(shipment, st):
    order = shipment.order
    shipped = timezone.localtime(shipment.shipped_at)
    info = [field(_("Order"), order.number), field(_("Shipped"), f"{shipped:%Y-%m-%d %H:%M}"),
            field(_("Carrier"), str(shipment.carrier) if shipment.carrier else _("Own delivery")),
            field(_("Tracking number"), shipment.tracking_number or "—"),
            field(_("Packages"), shipment.packages),
            field(_("Weight (kg)"), shipment.weight_kg if shipment.weight_kg is not None else "—")]
    return _p("    ".join(info), st["body"])


def _shipment_lines(shipment):
    return list(shipment.lines.select_related("order_line__product__base_unit", "order_line__unit", "location")
                .order_by("order_line__position", "pk"))


def delivery_note_pdf(shipment, *, with_prices=True) -> bytes:
    """送货单: what the customer receives, signed (and stamped) on receipt; with its prices, amounts and the total
    in capitals when printed by someone who sees money (the warehouse prints it without)."""
    st = styles()
    order = shipment.order
    head = [_("No."), _("Product"), _("Quantity"), _("Unit")]
    if with_prices:
        head += [unit_price_label(order), _("Amount incl. VAT")]
    rows = [[_p(h, st["small"]) for h in head]]
    amounts = []
    for i, sl in enumerate(_shipment_lines(shipment), 1):
        ln = sl.order_line
        q = (sl.quantity / ln.factor).quantize(ln.quantity) if ln.factor else sl.quantity
        row = [i, _product_cell(ln.product, st), qty(q), ln.unit.name]
        if with_prices:
            figures = pricing.compute_line(quantity=q, unit_price=ln.unit_price, tax_rate=ln.tax_rate,
                                           prices_include_tax=order.prices_include_tax)
            amounts.append(figures.gross)
            row += [price_text(ln.unit_price), money_text(figures.gross)]
        rows.append(row)
    total = sum(amounts, pricing.ZERO)
    if with_prices:
        rows.append(["", "", "", "", _("Total"), money_text(total)])
        widths = [9 * mm, 83 * mm, 20 * mm, 14 * mm, 25 * mm, 29 * mm]
    else:
        widths = [9 * mm, 121 * mm, 30 * mm, 20 * mm]
    t = Table(rows, colWidths=widths, repeatRows=1)
    t.setStyle(table_style(number_columns=(2, 4, 5) if with_prices else (2,)))
    title = _("Delivery note")
    story = [_title(title, shipment.number, st), _party_block(order, st, with_terms=False),
             _shipment_info(shipment, st), Spacer(1, 3 * mm), t, Spacer(1, 2 * mm)]
    if with_prices:
        story.append(amount_in_words_table(total))
    story += [Spacer(1, 4 * mm), _p(_("Goods received in good order and in the quantities above."), st["small"]),
              signature_block([_("Delivered by"), _("Received by (signature and date)")],
                              stamp_label=_("Customer stamp"))]
    return build_pdf(story, title=title, subtitle=shipment.number)


def issue_note_pdf(shipment) -> bytes:
    """销售出库单: the warehouse's record of what left which bin for which order."""
    st = styles()
    order = shipment.order
    rows = [[_("No."), _("Bin"), _("Product"), _("Quantity (base units)"), _("Unit")]]
    for i, sl in enumerate(_shipment_lines(shipment), 1):
        p = sl.order_line.product
        rows.append([i, sl.location.code, _product_cell(p, st), qty(sl.quantity), p.base_unit.name])
    t = Table(rows, colWidths=[9 * mm, 34 * mm, 92 * mm, 28 * mm, 17 * mm], repeatRows=1)
    t.setStyle(table_style(number_columns=(3,)))
    title = _("Sales issue note")
    story = [_title(title, shipment.number, st), _party_block(order, st, with_terms=False),
             _p(field(_("Warehouse"), f"{order.warehouse.code} {order.warehouse.name}"), st["body"]),
             _shipment_info(shipment, st), Spacer(1, 3 * mm), t, Spacer(1, 6 * mm),
             signature_block([_("Storekeeper"), _("Shipped by"), _("Checked by")])]
    return build_pdf(story, title=title, subtitle=shipment.number)


def order_statement_pdf(order) -> bytes:
    """对账单 of one order: lines with their VAT, totals, credits, payments and the balance."""
    st = styles()
    title = _("Statement of account")
    extra = [[_("Credited"), money_text(-order.credited_amount)], [_("Paid"), money_text(-order.paid_amount)],
             [_("Balance"), money_text(order.balance)]]
    story = [_title(title, order.number, st), _party_block(order, st), Spacer(1, 3 * mm),
             _lines_table(order, st), Spacer(1, 2 * mm), _totals(order, extra), Spacer(1, 2 * mm),
             amount_in_words_table(order.balance), _p(tax_mode_note(order), st["small"])]
    c = order.customer
    tax_id = c.tax_number or c.credit_code
    if c.invoice_title or tax_id:
        story += [_p(_("Invoice details"), st["h2"]),
                  _p("    ".join([field(_("Buyer name"), c.invoice_title or c.name),
                                  field(_("Taxpayer ID"), tax_id or "—")]), st["body"])]
    reqs = list(order.invoice_requests.filter(status="issued").order_by("issued_on", "pk"))
    if reqs:
        rows = [[_("Invoice number"), _("Invoice date"), _("Invoice type"), _("Amount incl. VAT")]]
        rows += [[r.invoice_number, f"{r.issued_on:%Y-%m-%d}" if r.issued_on else "—", r.get_invoice_type_display(),
                  money_text(r.amount)] for r in reqs]
        t = Table(rows, colWidths=[45 * mm, 28 * mm, 70 * mm, 30 * mm])
        t.setStyle(table_style(number_columns=(3,)))
        story += [_p(_("VAT invoices issued"), st["h2"]), t]
    pays = list(order.allocations.select_related("payment").order_by("payment__received_on"))
    if pays:
        rows = [[pgettext("orders", "Receipt"), pgettext("orders", "Received"), _("Method"), _("Amount")]]
        rows += [[a.payment.number, f"{a.payment.received_on:%Y-%m-%d}", a.payment.get_method_display(),
                  money_text(a.amount)] for a in pays]
        t = Table(rows, colWidths=[40 * mm, 30 * mm, 40 * mm, 30 * mm])
        t.setStyle(table_style(number_columns=(3,)))
        story += [_p(_("Payments"), st["h2"]), t]
    if order.due_date:
        story.append(_p(field(_("Payment due"), f"{order.due_date:%Y-%m-%d}"), st["body"]))
    story += [Spacer(1, 4 * mm), signature_block([_("Prepared by"), _("Customer confirmation")],
                                                 stamp_label=_("Company stamp"))]
    return build_pdf(story, title=title, subtitle=order.number)


def payment_receipt_pdf(payment) -> bytes:
    """收款收据: what was received from whom, how, in figures and in capitals, and which orders it paid."""
    st = styles()
    title = _("Payment receipt")
    info = [[_p(field(_("Received from"), payment.customer.name), st["body"]),
             _p(field(_("Date received"), f"{payment.received_on:%Y-%m-%d}"), st["body"])],
            [_p(field(_("Method"), payment.get_method_display()), st["body"]),
             _p(field(_("Reference"), payment.reference or "—"), st["body"])]]
    it = Table(info, colWidths=[105 * mm, 75 * mm])
    it.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONT", (0, 0), (-1, -1), pdf.register_fonts(), 9)])
    rows = [[_("Order"), _("Order date"), _("Amount")]]
    for a in payment.allocations.select_related("order").order_by("order__order_date", "pk"):
        rows.append([a.order.number, f"{a.order.order_date:%Y-%m-%d}", money_text(a.amount)])
    t = Table(rows, colWidths=[70 * mm, 50 * mm, 60 * mm], repeatRows=1)
    t.setStyle(table_style(number_columns=(2,)))
    story = [_title(title, payment.number, st), it, Spacer(1, 3 * mm), amount_in_words_table(payment.amount),
             Spacer(1, 3 * mm), _p(_("Applied to"), st["h2"]), t]
    if payment.note:
        story.append(_p(field(_("Note"), payment.note), st["body"]))
    story += [Spacer(1, 4 * mm), signature_block([_("Received by"), _("Cashier")],
                                                 stamp_label=_("Finance stamp"))]
    return build_pdf(story, title=title, subtitle=payment.number)


def customer_statement_pdf(customer, data) -> bytes:
    """对账单 of a customer: open orders with their balances, returns, credit and refunds
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
    title = _("Statement of account")
    story = [_title(title, customer.name, st),
             _p(field(_("Date"), f"{timezone.localdate():%Y-%m-%d}"), st["body"]), t]
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
    story.append(_p("    ".join([field(_("Open balance"), money_text(data["open_balance"])),
                                 field(_("Credit left"), money_text(data["credit_left"])),
                                 field(_("Net owed"), money_text(data["net"]))]), st["body"]))
    story += [Spacer(1, 2 * mm), amount_in_words_table(data["net"]), Spacer(1, 4 * mm),
              signature_block([_("Prepared by"), _("Customer confirmation")], stamp_label=_("Company stamp"))]
    return build_pdf(story, title=title, subtitle=customer.name)
