"""The rules of a VAT invoice request (开票申请): the buyer's taxpayer ID and invoice details, what a special VAT
invoice (专票) needs, and the products' tax classification. Pure checks, no writes: the services call them."""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crm.validators import credit_code_errors, org_code_check
from hardware_erp.core.identifiers import normalize_code, resident_id_ok
from hardware_erp.core.money import price
from hardware_erp.core.phones import parse_phone

from .choices import InvoiceType
from .pricing import ZERO, compute_line, split_gross


def taxpayer_id_errors(value) -> list[str]:
    """Why `value` is not a taxpayer ID ([] when it is one). Accepted: the unified social credit code (18
    characters, checked in full), and the forms issued before it: 15 characters (a six-digit division code and
    the nine-character organisation code, checked), 17 or 20 digits/capitals (an individual's ID number with a
    suffix), 18 characters that are a resident ID number (individual businesses)."""
    code = normalize_code(value)
    if not code:
        return [_("Enter the buyer's taxpayer ID.")]
    if not re.fullmatch(r"[0-9A-Z]+", code):
        return [_("A taxpayer ID has digits and capital letters only.")]
    if len(code) == 18:
        if resident_id_ok(code):  # an individual business: a resident ID number
            return []
        return [str(e) for e in credit_code_errors(code)]
    if len(code) == 15:
        if not code[:6].isdigit():
            return [_("A 15-character taxpayer ID begins with a six-digit division code.")]
        org = code[6:]
        if org[8] != org_code_check(org[:8]):
            return [_("The organisation code in this taxpayer ID has a wrong check character.")]
        return []
    if len(code) in (17, 20):
        return []
    return [_("A taxpayer ID has 15, 17, 18 or 20 characters; this one has %(n)d.") % {"n": len(code)}]


def buyer_errors(data: dict, invoice_type: str) -> dict:
    """Every problem with the buyer's invoice details, by field (empty when they will do). `data` holds title,
    tax_number, buyer_address, buyer_phone, buyer_bank, buyer_account, deliver_email, deliver_phone."""
    errors = {}
    if not (data.get("title") or "").strip():
        errors["title"] = _("Enter the buyer's name as registered.")
    id_errors = taxpayer_id_errors(data.get("tax_number"))
    if id_errors:
        errors["tax_number"] = id_errors
    if invoice_type == InvoiceType.SPECIAL:
        for key, message in (("buyer_address", _("A special VAT invoice needs the buyer's address.")),
                             ("buyer_phone", _("A special VAT invoice needs the buyer's phone.")),
                             ("buyer_bank", _("A special VAT invoice needs the buyer's bank.")),
                             ("buyer_account", _("A special VAT invoice needs the buyer's bank account."))):
            if not (data.get(key) or "").strip():
                errors[key] = message
    phone = (data.get("buyer_phone") or "").strip()
    if phone and "buyer_phone" not in errors:
        try:
            parse_phone(phone)  # the kernel's check of every phone typed (landline with area code, extension)
        except ValidationError as exc:
            errors["buyer_phone"] = exc.messages
    account = normalize_code(data.get("buyer_account"))
    if account and not re.fullmatch(r"\d{6,32}", account):
        errors["buyer_account"] = _("A bank account number has 6 to 32 digits.")
    mobile = normalize_code(data.get("deliver_phone"))
    if mobile and not re.fullmatch(r"(\+?86)?1[3-9]\d{9}", mobile):
        errors["deliver_phone"] = _("Enter an 11-digit mobile number for the e-invoice text message.")
    if not (data.get("deliver_email") or "").strip() and not mobile:
        errors["deliver_email"] = _("Give an e-mail or a mobile number to deliver the electronic invoice to.")
    return errors


def parse_or_none(value):
    try:
        return parse_phone(value)
    except ValidationError:
        return None


def clean_buyer(data: dict) -> dict:
    """The buyer's details as stored: trimmed, the ID and account normalised, a mobile without +86."""
    out = {k: str(v or "").strip() for k, v in data.items()}
    out["tax_number"] = normalize_code(out.get("tax_number"))
    out["buyer_account"] = normalize_code(out.get("buyer_account"))
    phone = parse_or_none(out.get("buyer_phone"))
    if phone is not None:
        out["buyer_phone"] = phone.text
    mobile = normalize_code(out.get("deliver_phone"))
    out["deliver_phone"] = re.sub(r"^\+?86(?=1\d{10}$)", "", mobile)
    return out


def untaxed_products(order) -> list:
    """The products on the order without a tax classification code or short name: they cannot be invoiced."""
    seen, missing = set(), []
    for line in order.lines.select_related("product").order_by("position", "pk"):
        p = line.product
        if p.pk in seen:
            continue
        seen.add(p.pk)
        if not (p.tax_category_code and p.tax_short_name):
            missing.append(p)
    return missing


def invoice_items(order) -> list[dict]:
    """The items of the order's invoice: each line less what came back, priced as on the order (its tax mode),
    amounts from orders.pricing so they equal the order's own figures."""
    items = []
    for line in order.lines.select_related("product", "unit").order_by("position", "pk"):
        base = line.base_quantity - line.returned_quantity
        if base <= 0:
            continue
        qty = (base / line.factor).quantize(Decimal("0.001"))
        figures = compute_line(quantity=qty, unit_price=line.unit_price, tax_rate=line.tax_rate,
                               prices_include_tax=order.prices_include_tax)
        items.append({"product": line.product, "unit": line.unit.name, "quantity": qty,
                      "unit_price": price(line.unit_price), "rate": line.tax_rate / 100,
                      "amount": figures.gross if order.prices_include_tax else figures.net,
                      "net": figures.net, "tax": figures.tax, "gross": figures.gross})
    return items


def invoice_totals(order) -> tuple[Decimal, Decimal, Decimal]:
    """(net, VAT, gross) of the order's invoice: the sums of its items."""
    items = invoice_items(order)
    net = sum((it["net"] for it in items), ZERO)
    tax = sum((it["tax"] for it in items), ZERO)
    return net, tax, net + tax


def red_letter_amounts(order_return) -> tuple[Decimal, Decimal, Decimal]:
    """(net, VAT, gross) a red-letter invoice takes back for a return: each return line's credit (VAT included)
    split at its line's rate, as negative amounts."""
    net = tax = ZERO
    for rl in order_return.lines.select_related("order_line"):
        n, t = split_gross(rl.credit_amount, rl.order_line.tax_rate)
        net, tax = net + n, tax + t
    return -net, -tax, -(net + tax)
