"""Demo orders: twelve months of history with seasonality in every state, shipments with tracking, payments.

History is bulk inserted (numbers, totals and dates computed here; its shipments carry no stock movements, so
the stock ledger is left to the inventory demo). The last days are made through the services, so that open
orders hold real reservations and shipments real issue movements. About 1,600 order lines per --scale
(85,690 at --scale 53): --scale 620 gives more than a million.
"""

import bisect
import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from crm.models import Customer
from hardware_erp.core.models import CompanyProfile
from hardware_erp.core.money import money, price, quantity
from hardware_erp.core.seeding import bulk_create_with_history, explicit_timestamps
from inventory.models import Product, StockLevel, Warehouse

from . import pricing, services
from .choices import CarrierAdapter, DocKind, EventKind, PaymentMethod, ReviewRole, ShipmentStatus
from .choices import OrderStatus as S
from .models import (
    Carrier,
    DocumentCounter,
    OrderEvent,
    OrderLine,
    Payment,
    PaymentAllocation,
    PriceRule,
    ReviewSettings,
    ReviewStep,
    SalesOrder,
    Shipment,
    ShipmentLine,
    TrackingEvent,
)

SEASON = {1: 0.9, 2: 0.45, 3: 1.2, 4: 1.25, 5: 1.2, 6: 1.1, 7: 0.9, 8: 0.85, 9: 1.15, 10: 1.0, 11: 1.2, 12: 1.05}
ORDERS_PER_MONTH = 40
TAX = Decimal("13.00")
CARRIERS = [("顺丰速运", "shunfeng", CarrierAdapter.KUAIDI100, "https://www.sf-express.com/chn/sc/waybill/list?no={number}"),
            ("中通快递", "zhongtong", CarrierAdapter.KUAIDI100, ""),
            ("德邦物流", "debangwuliu", CarrierAdapter.MANUAL, ""),
            ("自有车辆配送", "", CarrierAdapter.MANUAL, "")]
# each carrier's waybill numbers as printed on its labels (the kuaidi100 code is the key); own vans have none
WAYBILLS = {
    "shunfeng": lambda rng: f"SF{rng.choice('1234')}{rng.randrange(10**11, 10**12)}",  # SF + 13 digits
    "zhongtong": lambda rng: rng.choice([f"7{rng.choice('35')}{rng.randrange(10**9, 10**10)}",  # 12 digits
                                         f"7{rng.choice('358')}{rng.randrange(10**11, 10**12)}"]),  # 14 digits
    "debangwuliu": lambda rng: f"DPK{rng.choice('36')}{rng.randrange(10**10, 10**11)}",  # DPK + 12 digits
}


def order_quantity(product, rng):
    """What a customer orders of a product: fasteners by the hundred, tools by the piece."""
    price = product.list_price or Decimal(0)
    if price >= 50:
        choices = [1, 2, 2, 3, 5, 10, 20]
    elif price >= 5:
        choices = [5, 10, 10, 20, 50, 100]
    else:
        choices = [100, 200, 500, 500, 1000, 2000, 5000]
    return Decimal(rng.choice(choices))


def payment_method(amount, rng):
    """Large sums by bank transfer or acceptance bill, small shops by WeChat Pay, Alipay or cash."""
    if amount >= 50000:
        return rng.choice([PaymentMethod.BANK, PaymentMethod.BANK, PaymentMethod.BILL])
    if amount >= 2000:
        return rng.choice([PaymentMethod.BANK] * 4 + [PaymentMethod.WECHAT, PaymentMethod.ALIPAY])
    return rng.choice([PaymentMethod.WECHAT, PaymentMethod.ALIPAY, PaymentMethod.CASH, PaymentMethod.BANK])


def payment_reference(method, day, rng) -> str:
    """The reference finance copies from the bank slip, the payment app or the receipt book."""
    if method == PaymentMethod.WECHAT:  # WeChat Pay transaction id, 28 digits
        return f"42000{rng.randrange(10**5):05d}{day:%Y%m%d}{rng.randrange(10**10):010d}"
    if method == PaymentMethod.ALIPAY:  # Alipay trade number, 32 digits
        return f"{day:%Y%m%d}2200{rng.randrange(10**20):020d}"
    if method == PaymentMethod.BILL:  # electronic bank acceptance bill, 30 digits
        return f"1{rng.randrange(10**12):012d}{day:%Y%m%d}{rng.randrange(10**9):09d}"
    if method == PaymentMethod.CASH:
        return f"XJ{day:%Y%m%d}{rng.randrange(10**4):04d}"
    return f"{day:%Y%m%d}{rng.randrange(10**12):012d}"  # bank transfer serial


def waybill(carrier, rng) -> str:
    make = WAYBILLS.get(carrier.code)
    return make(rng) if make else ""
TRACK = ["【%s】快件已揽收", "【%s】已发往转运中心", "【%s】到达目的地网点", "【%s】快件派送中",
         "【%s】已签收，签收人：本人"]
CITIES = ["杭州", "宁波", "温州", "上海", "苏州", "广州", "深圳", "成都", "武汉", "郑州"]


def _state_for(age_days, rng):
    r = rng.random()
    if age_days > 60:
        table = [(0.70, S.CLOSED), (0.84, S.PAID), (0.89, S.CANCELLED), (0.95, S.PARTIALLY_PAID), (1, S.DELIVERED)]
    elif age_days > 25:
        table = [(0.35, S.PAID), (0.50, S.PARTIALLY_PAID), (0.80, S.DELIVERED), (0.86, S.CANCELLED), (1, S.SHIPPED)]
    else:
        table = [(0.25, S.DELIVERED), (0.50, S.SHIPPED), (0.62, S.PAID), (0.72, S.SUBMITTED), (0.80, S.REJECTED),
                 (0.90, S.DRAFT), (1, S.CANCELLED)]
    return next(s for limit, s in table if r <= limit)


PATH = [S.DRAFT, S.SUBMITTED, S.APPROVED, S.PICKING, S.SHIPPED, S.DELIVERED, S.PARTIALLY_PAID, S.PAID, S.CLOSED]


def _path(final):
    if final in (S.DRAFT, S.SUBMITTED):
        return PATH[:PATH.index(final) + 1]
    if final == S.REJECTED:
        return [S.DRAFT, S.SUBMITTED, S.REJECTED]
    if final == S.CANCELLED:
        return [S.DRAFT, S.SUBMITTED, S.APPROVED, S.CANCELLED]
    steps = PATH[:PATH.index(final) + 1]
    if final in (S.PAID, S.CLOSED):
        steps.remove(S.PARTIALLY_PAID)
    return steps


def seed(ctx):
    products = list(Product.objects.filter(active=True).order_by("pk")[:400])
    customers = list(Customer.objects.filter(merged_into__isnull=True).order_by("pk")[:2000])
    warehouse = Warehouse.objects.filter(active=True).order_by("pk").first()
    if not products or not customers or warehouse is None:
        ctx.log("orders: no products, customers or warehouse yet; nothing to seed")
        return
    ReviewSettings.current()
    _company_profile(ctx)
    carriers = _carriers()
    _price_rules(products)
    if SalesOrder.objects.exists():
        ctx.log("orders: orders exist already; history not seeded again")
    else:
        reps = [u for key in ("sales_rep", "sales_manager") for u in ctx.users.get(key, [])]
        finance = (ctx.users.get("finance_clerk") or ctx.users["general_manager"])[0]
        manager = (ctx.users.get("sales_manager") or ctx.users["general_manager"])[0]
        n = _history(ctx, products, customers, warehouse, carriers, reps, manager, finance)
        ctx.log(f"orders: {n['orders']} orders, {n['lines']} lines, {n['shipments']} shipments, "
                f"{n['payments']} payments of history")
        _live(ctx, products, customers, warehouse, carriers, manager, finance)
        services.refresh_last_order_dates()
        from .rollups import rebuild

        ctx.log(f"orders: sales rollup of the history, {rebuild()} rows")  # the history was bulk-created


def _company_profile(ctx):
    """The demo company's letterhead (every document prints it), with a drawn logo."""
    if CompanyProfile.objects.exists():
        return
    import io

    from django.core.files.base import ContentFile
    from PIL import Image, ImageDraw

    profile = CompanyProfile(name="温州华丰五金有限公司", name_en="Wenzhou Huafeng Hardware Co., Ltd.",
                             credit_code="91330302MA2AR8XQ1M", address="浙江省温州市鹿城区五金城路 88 号",
                             phone="0577-8888 8888", bank_name="中国工商银行温州鹿城支行",
                             bank_account="1203203109000123456")
    img = Image.new("RGB", (120, 120), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    draw.ellipse((6, 6, 114, 114), outline=(176, 58, 46), width=8)
    draw.rectangle((38, 38, 82, 82), fill=(44, 62, 80))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    profile.logo.save("huafeng-logo.png", ContentFile(buf.getvalue()), save=False)
    profile.save()
    ctx.log("orders: company profile (letterhead) seeded")


def _carriers():
    out = []
    for name, code, adapter, url in CARRIERS:
        c, _ = Carrier.objects.get_or_create(name=name, defaults={"code": code, "adapter": adapter,
                                                                 "tracking_url": url})
        out.append(c)
    return out


def _price_rules(products):
    if PriceRule.objects.exists():
        return
    PriceRule.objects.bulk_create([
        PriceRule(level="vip", min_quantity=0, discount_percent=Decimal("8")),
        PriceRule(level="a", min_quantity=0, discount_percent=Decimal("5")),
        PriceRule(level="b", min_quantity=0, discount_percent=Decimal("2")),
        PriceRule(level="", min_quantity=Decimal("1000"), discount_percent=Decimal("3")),
        PriceRule(level="", min_quantity=Decimal("5000"), discount_percent=Decimal("6")),
    ])


def _aware(day, rng, hour_from=8, hour_to=18):
    return timezone.make_aware(datetime.combine(day, time(rng.randint(hour_from, hour_to), rng.randint(0, 59))))


@transaction.atomic
def _history(ctx, products, customers, warehouse, carriers, reps, manager, finance):
    rng = ctx.rng
    today = timezone.localdate()
    counts = {"orders": 0, "lines": 0, "shipments": 0, "payments": 0}
    owner_of = {c.pk: c.owner for c in customers}
    # a customer orders only once it is a customer
    customers = sorted(customers, key=lambda c: (c.created_at, c.pk))
    since = [timezone.localdate(c.created_at) for c in customers]
    warehouse_staff = [u for key in ("warehouse_manager", "warehouse_clerk") for u in ctx.users.get(key, [])]
    shipper = warehouse_staff or [manager]
    seq = {}
    pay_seq = [0]
    start = (today.replace(day=1) - timedelta(days=335)).replace(day=1)
    day = start
    while day <= today - timedelta(days=2):
        n = rng.gauss(ORDERS_PER_MONTH * ctx.scale * SEASON[day.month] / 30, 1 + ctx.scale ** 0.5)
        n = max(0, round(n if day.weekday() < 5 else n * 0.35))
        known = customers[:bisect.bisect_right(since, day)]
        if n and known:
            _one_day(ctx, day, n, products, known, warehouse, carriers, reps, manager, finance, shipper, owner_of,
                     seq, pay_seq, counts)
        day += timedelta(days=1)
    for prefix, last in seq.items():  # shipments and receipts of history reuse the order's number
        for kind in ("SO", "SH", "RC"):
            DocumentCounter.objects.update_or_create(prefix=kind + prefix[2:], defaults={"last": last})
    return counts


def _one_day(ctx, day, n, products, customers, warehouse, carriers, reps, manager, finance, shipper, owner_of, seq,
             pay_seq, counts):
    rng = ctx.rng
    now = timezone.now()
    today = timezone.localdate(now)
    orders, plans = [], []
    prefix = f"SO{day:%Y%m}"
    for _ in range(n):
        customer = rng.choice(customers)
        rep = owner_of.get(customer.pk) or rng.choice(reps)
        final = _state_for((today - day).days, rng)
        seq[prefix] = seq.get(prefix, 0) + 1
        created = _aware(day, rng)
        o = SalesOrder(kind=DocKind.ORDER, number=f"{prefix}{seq[prefix]:05d}", status=final, customer=customer,
                       salesperson=rep, created_by=rep, warehouse=warehouse, order_date=day,
                       payment_terms_days=customer.payment_terms_days or 30,
                       delivery_address=" ".join(p for p in (customer.province, customer.city, customer.address) if p),
                       requested_date=day + timedelta(days=rng.randint(2, 10)),
                       prices_include_tax=customer.prices_include_tax)
        lines = []
        for pos, product in enumerate(rng.sample(products, k=min(len(products), rng.choice([1, 2, 3, 4, 5, 6, 7]))),
                                      start=1):
            qty = quantity(order_quantity(product, rng))
            disc = Decimal(rng.choice([0, 0, 2, 3, 5, 8]))
            list_price = pricing.unit_price_in_mode(product.list_price, TAX, o.prices_include_tax)
            unit_price = price(list_price * (1 - disc / 100))
            figures = pricing.compute_line(quantity=qty, unit_price=unit_price, list_price=list_price, tax_rate=TAX,
                                           prices_include_tax=o.prices_include_tax)
            cost = Decimal(product.average_cost or product.standard_cost or 0)
            shipped = qty if final in (S.SHIPPED, S.DELIVERED, S.PARTIALLY_PAID, S.PAID, S.CLOSED) else Decimal(0)
            lines.append(OrderLine(position=pos, product=product, unit_id=product.base_unit_id, quantity=qty,
                                   factor=Decimal(1), base_quantity=qty, list_price=list_price,
                                   unit_price=unit_price, discount_percent=disc, tax_rate=TAX,
                                   gross_amount=figures.list_amount, net_amount=figures.net,
                                   tax_amount=figures.tax, amount=figures.gross, unit_cost=cost,
                                   cost_amount=money(qty * cost),
                                   shipped_quantity=shipped))
        totals = pricing.compute_totals(lines, prices_include_tax=o.prices_include_tax)
        o.subtotal, o.discount_total = totals.list_amount, totals.discount
        o.net_total, o.tax_total, o.total = totals.net, totals.tax, totals.gross
        o.cost_total = sum(ln.cost_amount for ln in lines)
        steps = _path(final)
        stamps = {}
        t = created
        for st in steps:
            stamps[st] = t
            t += timedelta(hours=rng.uniform(0.3, 30) if st in (S.DRAFT, S.SUBMITTED, S.APPROVED)
                           else rng.uniform(10, 70))
        latest = now - timedelta(hours=1)
        if stamps[steps[-1]] > latest:  # a young order went through its steps faster: all of them are past
            scale = (latest - created) / (stamps[steps[-1]] - created)
            stamps = {st: created + (at - created) * scale for st, at in stamps.items()}
        o.created_at = created
        o.submitted_at = stamps.get(S.SUBMITTED)
        o.approved_at = stamps.get(S.APPROVED)
        if o.approved_at:
            o.approved_by = manager
        o.shipped_at = stamps.get(S.SHIPPED)
        o.delivered_at = stamps.get(S.DELIVERED)
        o.paid_at = stamps.get(S.PAID)
        part_paid_at = stamps.get(S.PARTIALLY_PAID)
        o.closed_at = stamps.get(S.CLOSED)
        o.cancelled_at = stamps.get(S.CANCELLED)
        if final == S.REJECTED:
            o.rejection_reason = "价格低于公司底线"
        if o.shipped_at:
            o.due_date = timezone.localdate(o.shipped_at) + timedelta(days=o.payment_terms_days)
        if final in (S.PAID, S.CLOSED):
            o.paid_amount = o.total
        elif final == S.PARTIALLY_PAID:
            o.paid_amount = money(o.total * Decimal(rng.choice(["0.3", "0.5", "0.7"])))
        orders.append(o)
        plans.append((lines, steps, stamps, part_paid_at))
    with explicit_timestamps(SalesOrder):
        bulk_create_with_history(orders, batch_size=1000)
    all_lines, events, shipments, ship_plans = [], [], [], []
    paid_on = {}
    for o, (lines, steps, stamps, part_paid_at) in zip(orders, plans, strict=True):
        for ln in lines:
            ln.order = o
        all_lines += lines
        prev = ""
        packer = rng.choice(shipper)
        for st in steps:
            actor = (o.salesperson if st in (S.DRAFT, S.SUBMITTED) else finance if st in (S.PARTIALLY_PAID, S.PAID)
                     else packer if st in (S.PICKING, S.SHIPPED) else manager)
            events.append(OrderEvent(order=o, kind=EventKind.TRANSITION, actor=actor, at=stamps[st], from_status=prev,
                                     to_status=st, note="" if st != S.REJECTED else o.rejection_reason))
            prev = st
        paid_on[o.pk] = o.paid_at or part_paid_at
        if o.shipped_at:
            carrier = rng.choice(carriers)
            sh = Shipment(order=o, number=f"SH{o.number[2:]}", warehouse=o.warehouse, carrier=carrier,
                          tracking_number=waybill(carrier, rng),
                          packages=rng.randint(1, 6), weight_kg=Decimal(rng.randint(5, 400)),
                          status=ShipmentStatus.DELIVERED if o.delivered_at else ShipmentStatus.IN_TRANSIT,
                          shipped_at=o.shipped_at, delivered_at=o.delivered_at, push_subscribed=bool(carrier.code),
                          created_by=packer)
            shipments.append(sh)
            ship_plans.append((sh, lines))
    OrderLine.objects.bulk_create(all_lines, batch_size=2000)
    OrderEvent.objects.bulk_create(events, batch_size=2000)
    # orders waiting for review wait on a sales manager's step
    ReviewStep.objects.bulk_create([ReviewStep(order=o, role=ReviewRole.SALES) for o in orders
                                    if o.status == S.SUBMITTED], batch_size=1000)
    Shipment.objects.bulk_create(shipments, batch_size=1000)
    locations = warehouse.locations.filter(active=True).order_by("code").first()
    slines, tracks = [], []
    for sh, lines in ship_plans:
        slines += [ShipmentLine(shipment=sh, order_line=ln, location=locations, quantity=ln.shipped_quantity)
                   for ln in lines] if locations else []
        city = rng.choice(CITIES)
        end = sh.delivered_at or min(sh.shipped_at + timedelta(hours=40), timezone.now())
        steps = TRACK if sh.delivered_at else TRACK[:3]
        for i, text in enumerate(steps):
            at = sh.shipped_at + (end - sh.shipped_at) * (i / max(1, len(steps) - 1))
            status = ShipmentStatus.DELIVERED if "签收" in text else (
                ShipmentStatus.OUT_FOR_DELIVERY if "派送" in text else ShipmentStatus.IN_TRANSIT)
            tracks.append(TrackingEvent(shipment=sh, occurred_at=at, status=status, description=text % city,
                                        location=city, source="push" if sh.push_subscribed else "manual"))
    ShipmentLine.objects.bulk_create(slines, batch_size=2000)
    TrackingEvent.objects.bulk_create(tracks, batch_size=2000)
    payments, allocs = [], []
    for o in orders:
        if o.paid_amount > 0:
            pay_seq[0] += 1
            when = timezone.localdate(paid_on[o.pk])
            method = payment_method(o.paid_amount, rng)
            p = Payment(number=f"RC{o.number[2:]}", customer=o.customer, method=method, amount=o.paid_amount,
                        received_on=when, reference=payment_reference(method, when, rng), recorded_by=finance)
            payments.append(p)
            allocs.append((p, o))
    Payment.objects.bulk_create(payments, batch_size=1000)
    PaymentAllocation.objects.bulk_create([PaymentAllocation(payment=p, order=o, amount=p.amount) for p, o in allocs],
                                          batch_size=1000)
    counts["orders"] += len(orders)
    counts["lines"] += len(all_lines)
    counts["shipments"] += len(shipments)
    counts["payments"] += len(payments)


def _live(ctx, products, customers, warehouse, carriers, manager, finance):
    """A few open orders made through the services: they hold reservations and post real movements."""
    rng = random.Random(ctx.rng.random())
    stocked = dict(StockLevel.objects.filter(warehouse=warehouse, on_hand__gt=200).values("product_id")
                   .annotate(m=Max("on_hand")).values_list("product_id", "m")[:40])
    if not stocked:
        ctx.log("orders: no stock on hand; live orders skipped")
        return
    live_products = [p for p in products if p.pk in stocked] or products
    made = 0
    for i in range(8):
        customer = rng.choice([c for c in customers if c.owner_id] or customers)
        rep = customer.owner or manager
        lines = [{"product": p, "quantity": min(order_quantity(p, rng), (stocked.get(p.pk, 200) // 40) * 10)}
                 for p in rng.sample(live_products, k=min(2, len(live_products)))]  # a quarter of the stock at most
        try:
            with transaction.atomic():
                kind = DocKind.QUOTATION if i == 0 else DocKind.ORDER
                order = services.create_order(customer=customer, lines=lines, actor=rep, warehouse=warehouse,
                                              kind=kind, customer_email=f"buyer{i}@example.com")
                if kind == DocKind.ORDER and i >= 2:
                    order = services.submit_order(order, actor=rep)
                    if order.status == S.SUBMITTED and i >= 4:
                        ReviewSettings.current()
                        for step in list(order.review_steps.all()):
                            order = services.approve_order(
                                order, step=step, actor=finance if step.role == ReviewRole.FINANCE else manager)
                    if order.status == S.APPROVED and i >= 6:
                        line = order.lines.order_by("pk").first()
                        packer = (ctx.users.get("warehouse_clerk") or [manager])[0]
                        services.ship_order(order, quantities={line.pk: line.base_quantity / 2}, actor=packer,
                                            carrier=carriers[2], tracking_number=waybill(carriers[2], rng))
                made += 1
        except Exception as exc:  # noqa: BLE001 - the demo goes on without this order
            ctx.log(f"orders: live order skipped ({exc})")
    ctx.log(f"orders: {made} live orders through the services")
