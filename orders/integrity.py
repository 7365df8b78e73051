"""Invariants of the orders module (run by `manage.py check_integrity`)."""

from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from inventory.models import Reservation

from .choices import RefundStatus
from .models import (
    CreditApplication,
    CustomerCredit,
    OrderLine,
    OrderReturn,
    PaymentAllocation,
    Refund,
    SalesOrder,
    ShipmentLine,
)

ZERO = Value(0, output_field=DecimalField(max_digits=16, decimal_places=3))
LIMIT = 50


def _sum(model, fk, field, qs=None):
    qs = model.objects.all() if qs is None else qs
    return Coalesce(Subquery(qs.filter(**{fk: OuterRef("pk")}).values(fk).annotate(
        s=Sum(field)).values("s")[:1]), ZERO)


def checks():
    # money on an order: its payment allocations and the credit applied to it, less what left it as credit
    paid = (SalesOrder.objects.annotate(alloc=_sum(PaymentAllocation, "order", "amount")
                                        + _sum(CreditApplication, "order", "amount")
                                        - _sum(CustomerCredit, "order", "amount"))
            .exclude(paid_amount=F("alloc")).values_list("number", "paid_amount", "alloc")[:LIMIT])
    kept = Refund.objects.exclude(status=RefundStatus.REJECTED)
    credit = (CustomerCredit.objects.annotate(used=_sum(CreditApplication, "credit", "amount")
                                              + _sum(Refund, "credit", "amount", kept))
              .exclude(remaining=F("amount") - F("used")).values_list("number", "remaining", "amount", "used")[:LIMIT])
    credited = (SalesOrder.objects.annotate(ret=_sum(OrderReturn, "order", "credit_amount"))
                .exclude(credited_amount=F("ret")).values_list("number", "credited_amount", "ret")[:LIMIT])
    shipped = (OrderLine.objects.annotate(sl=_sum(ShipmentLine, "order_line", "quantity"))
               .exclude(shipped_quantity=F("sl")).values_list("order__number", "position", "shipped_quantity",
                                                              "sl")[:LIMIT])
    reserved = []
    lines = OrderLine.objects.filter(reserved_quantity__gt=0).select_related("order")[:5000]
    active = {r.key: r.quantity for r in Reservation.objects.active().filter(
        key__in=[ln.reservation_key for ln in lines])}
    for ln in lines:
        if active.get(ln.reservation_key) != ln.reserved_quantity:
            reserved.append(f"order {ln.order.number} line {ln.position}: reserved {ln.reserved_quantity}, "
                            f"inventory holds {active.get(ln.reservation_key, 0)}")
    return [
        ("paid amount equals the payment allocations and credit applied, less credit made",
         [f"order {n}: paid {p}, allocations and credit {a}" for n, p, a in paid]),
        ("credit left equals the credit less what was applied or refunded",
         [f"credit {n}: left {r} of {a}, used {u}" for n, r, a, u in credit]),
        ("credited amount equals the returns", [f"order {n}: credited {c}, returns {r}" for n, c, r in credited]),
        ("shipped quantity equals the shipment lines",
         [f"order {n} line {pos}: shipped {q}, shipment lines {s}" for n, pos, q, s in shipped]),
        ("reserved quantity equals the inventory reservation", reserved[:LIMIT]),
    ]
