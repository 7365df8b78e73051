"""Benchmark data through the demo seeders (`seed_demo --scale N --only app`), loaded only when missing, so that
the benchmarks of one `make bench` run share it."""

import io
import math
import time

from .common import log


def seed_demo(scale: int, *apps: str) -> float:
    """Run `seed_demo --scale scale --only apps` (its report goes to the log, not stdout); returns seconds."""
    from django.core.management import call_command

    out = io.StringIO()
    t0 = time.monotonic()
    call_command("seed_demo", scale=scale, only=list(apps), stdout=out)
    took = time.monotonic() - t0
    for line in out.getvalue().split("Demo sign-ins")[0].splitlines():
        log(f"seed_demo: {line.strip()}")
    log(f"seed_demo --scale {scale} --only {' '.join(apps)}: {took:.0f}s")
    return took


def ensure_catalogue() -> None:
    """The demo catalogue, warehouses and stock (inventory at scale 1: a few hundred products)."""
    from inventory.models import Warehouse

    if not Warehouse.objects.filter(code="SH").exists():  # what the inventory demo looks for (other benchmarks
        seed_demo(1, "inventory")                          # may have made products of their own)


REBUILD_GIN_ABOVE = 50_000  # customers generated at once past which the GIN indexes are built after the load
DEMO_CUSTOMERS = 2000  # made by the CRM demo (with history, opportunities, tasks); the rest by generate_customers


def ensure_customers(n: int) -> int:
    """At least n customers: the CRM demo at scale 2 (its sign-ins, 2,000 customers with contacts, history,
    opportunities and tasks), then `generate_customers` for the rest."""
    from crm.models import Customer

    if Customer.objects.count() < n:
        seed_demo(max(2, math.ceil(min(n, DEMO_CUSTOMERS) / 1000)), "crm")
    missing = n - Customer.objects.count()
    if missing > 0:
        generate_customers(missing)
    return Customer.objects.count()


def _copy_rows(cur, table, columns, rows):
    """COPY rows (tuples of str/None) into table (tab-separated text format)."""
    def cell(v):
        return "\\N" if v is None else str(v).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")

    buf = io.StringIO("".join("\t".join(cell(v) for v in row) + "\n" for row in rows))
    cur.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buf)


def generate_customers(n: int, *, seed: int = 23, chunk: int = 50_000) -> dict:
    """`n` customers as the CRM demo makes them (its regions, brands, trades, surnames, legal forms: a company's
    landline, credit code and tax number; 30 % individuals), each with one or two contacts (a person's name, a
    mobile), without saving model instances (the demo makes ~100 customers a second on this machine).

    The customers are drawn in Python and written with COPY and one INSERT … SELECT; their pinyin, initials, keys and
    readings are `crm.pinyin`'s own, computed once per distinct name (names are combinations of the demo's parts: a
    few tens of thousands), the landline's `phone_norm` is its E.164 form (as `normalize_phone` gives it, checked
    on every 1,000th), the credit code `make_credit_code`'s. The contacts are generated inside PostgreSQL
    (pgcrypto, in the benchmark database only): the mobile encrypted as a Fernet token with the first
    FIELD_ENCRYPTION_KEYS key (AES-128-CBC and HMAC-SHA256, as `cryptography` writes it) and its blind index an
    HMAC-SHA256 of its digits with BLIND_INDEX_KEY; a sample is read back through the ORM and checked against
    `decrypt` and `mobile_index`. The columns no search reads (timestamps, flags, defaults) come from one
    template row saved by the ORM. No history rows (a bulk load), no contact records or opportunities."""
    import base64
    import random

    from django.conf import settings
    from django.db import connection, transaction

    from crm import demo
    from crm.models import Contact, Customer
    from crm.models.customers import mobile_index
    from crm.pinyin import keys_text, readings_text
    from crm.validators import normalize_phone
    from hardware_erp.core.fields import PREFIX
    from hardware_erp.core.identifiers import make_credit_code

    t0 = time.monotonic()
    rng = random.Random(seed)
    owners = list(Customer.objects.exclude(owner=None).values_list("owner_id", flat=True).distinct()) or [None]
    template = Customer.objects.create(name="生成模板")
    contact_template = Contact.objects.create(customer=template, name="模板")
    c_cols = ["id", "name", "kind", "customer_type", "level", "province", "city", "district", "address", "phone",
              "phone_norm", "owner_id", "credit_code", "tax_number", "invoice_title", "name_pinyin",
              "name_initials", "name_readings", "name_keys"]
    c_rest = [f.column for f in Customer._meta.concrete_fields if f.column not in c_cols]
    k_rest = [f.column for f in Contact._meta.concrete_fields if f.column not in {
        "id", "customer_id", "name", "position", "mobile", "mobile_bidx", "is_primary"}]
    derived: dict[str, tuple[str, str, str, str]] = {}

    def search_keys(parts):
        name = "".join(parts)
        keys = derived.get(name)
        if keys is None:
            pinyin = [demo._part_pinyin(p) for p in parts]  # as the demo's set_search_fields does
            keys = derived[name] = ("".join(f for f, _ in pinyin)[:400], "".join(i for _, i in pinyin)[:200],
                                    readings_text(name), keys_text(name))
        return keys

    key = base64.urlsafe_b64decode(settings.FIELD_ENCRYPTION_KEYS[0])  # Fernet: signing key, then encryption key
    with connection.cursor() as cur, transaction.atomic():
        cur.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto")
        gin = []
        if n >= REBUILD_GIN_ABOVE:  # a million rows through five GIN indexes took 20 minutes: build them after
            cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('crm_customer', "
                        "'crm_contact') AND indexdef LIKE '%%USING gin%%'")
            gin = cur.fetchall()
            for name, _definition in gin:
                cur.execute(f'DROP INDEX "{name}"')
        cur.execute("SELECT coalesce(max(id), 0) FROM crm_customer")
        first = cur.fetchone()[0] + 1
        cur.execute(f"CREATE TEMP TABLE gen_customer ({', '.join(c + ' text' for c in c_cols)}) ON COMMIT DROP")
        for start in range(0, n, chunk):
            rows = []
            for i in range(start, min(n, start + chunk)):
                province, city, districts, division = rng.choice(demo.REGIONS)
                if rng.random() < 0.3:
                    kind = "individual"
                    parts = [rng.choice(demo.SURNAMES), rng.choice(demo.GIVEN), rng.choice(demo.SHOP_SUFFIX)]
                    phone = norm = code = ""
                else:
                    kind = "company"
                    parts = [(city[:-1] if rng.random() < 0.5 else "") + rng.choice(demo.BRANDS)
                             + rng.choice(demo.TRADES), rng.choice(demo.COMPANY_SUFFIX)]
                    area, number = demo.AREA_CODES[city], rng.randrange(2 * 10**7, 9 * 10**7)
                    phone, norm = f"{area}-{number}", f"+86{area[1:]}{number}"
                    code = make_credit_code("9", "1", division, demo.org_body(rng))
                    if i % 1000 == 0:
                        assert normalize_phone(phone) == norm, (phone, norm)
                name = "".join(parts)
                rows.append((first + i, name, kind, rng.choice(demo.CUSTOMER_TYPES), rng.choice(demo.LEVELS),
                             province, city, rng.choice(districts),
                             f"{rng.choice(demo.STREETS)}{rng.randrange(1, 999)}号", phone, norm, rng.choice(owners),
                             code, code, name if kind == "company" else "", *search_keys(parts)))
            _copy_rows(cur, "gen_customer", c_cols, rows)
        casts = {"id": "::bigint", "owner_id": "::int"}
        cur.execute(f"""
            INSERT INTO crm_customer ({', '.join(c_cols + c_rest)})
            SELECT {', '.join('g.' + c + casts.get(c, '') for c in c_cols)}, {', '.join('t.' + c for c in c_rest)}
            FROM gen_customer g CROSS JOIN crm_customer t WHERE t.id = %s""", [template.pk])
        # contacts: a person's name, a mobile as the demo draws them; the token and the blind index as the app's
        cur.execute("SELECT setseed(%s)", [seed / 100])
        cur.execute(f"""
            INSERT INTO crm_contact (customer_id, name, position, mobile, mobile_bidx, is_primary,
                                     {', '.join(k_rest)})
            SELECT m.customer_id, m.name, m.position,
                   %(prefix)s || replace(translate(encode(m.body || hmac(m.body, %(sign)s, 'sha256'), 'base64'),
                                                   '+/', '-_'), E'\\n', ''),
                   substr(encode(hmac(substr(m.mobile, 2), %(blind)s, 'sha256'), 'hex'), 1, 40), m.k = 1,
                   {', '.join('t.' + c for c in k_rest)}
            FROM (SELECT c.id AS customer_id, k.k, p.name, p.position, p.mobile,
                         '\\x80'::bytea || int8send(extract(epoch FROM now())::bigint) || p.iv
                         || encrypt_iv(convert_to(p.mobile, 'UTF8'), %(crypt)s, p.iv, 'aes-cbc/pad:pkcs') AS body
                  FROM crm_customer c
                  CROSS JOIN LATERAL generate_series(1, CASE WHEN random() < 0.25 THEN 2 ELSE 1 END + c.id * 0) k
                  CROSS JOIN LATERAL (SELECT
                      (%(surnames)s::text[])[1 + floor(random() * %(n_surnames)s)::int + k * 0]
                      || (%(given)s::text[])[1 + floor(random() * %(n_given)s)::int] AS name,
                      (%(positions)s::text[])[1 + floor(random() * %(n_positions)s)::int] AS position,
                      '+86' || (%(prefixes)s::text[])[1 + floor(random() * %(n_prefixes)s)::int]
                      || lpad(floor(random() * 100000000)::int::text, 8, '0') AS mobile,
                      gen_random_bytes(16) AS iv) p
                  WHERE c.id >= %(first)s) m
            CROSS JOIN crm_contact t WHERE t.id = %(template)s""", {
            "prefix": PREFIX, "sign": key[:16], "crypt": key[16:], "blind": settings.BLIND_INDEX_KEY,
            "surnames": list(demo.SURNAMES), "n_surnames": len(demo.SURNAMES), "given": demo.GIVEN,
            "n_given": len(demo.GIVEN), "positions": demo.POSITIONS, "n_positions": len(demo.POSITIONS),
            "prefixes": demo.MOBILE_PREFIXES, "n_prefixes": len(demo.MOBILE_PREFIXES), "first": first,
            "template": contact_template.pk})
        cur.execute("DELETE FROM crm_contact WHERE id = %s", [contact_template.pk])
        cur.execute("DELETE FROM crm_customer WHERE id = %s", [template.pk])
        cur.execute("SELECT setval(pg_get_serial_sequence('crm_customer', 'id'), (SELECT max(id) FROM crm_customer))")
        if gin:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred key checks now: no index is built over them
        for _name, definition in gin:
            cur.execute(definition)
    sample = list(Contact.objects.filter(customer_id__gte=first).order_by("?")[:200])
    for contact in sample:  # decrypted by the field, indexed as the app indexes it
        assert contact.mobile.startswith("+86") and len(contact.mobile) == 14, contact.pk
        assert mobile_index(contact.mobile) == contact.mobile_bidx, contact.pk
    with connection.cursor() as cur:
        # the pieces (migration 0019) were written by the insert's trigger; vacuumed, their walks read the index alone
        for table in ("crm_customer", "crm_contact", "crm_customer_piece"):
            cur.execute(f"VACUUM ANALYZE {table}")
        cur.execute("SELECT count(*) FROM crm_contact WHERE customer_id >= %s", [first])
        contacts = cur.fetchone()[0]
    took = time.monotonic() - t0
    log(f"generated {n} customers and {contacts} contacts in {took:.0f}s ({len(derived)} distinct names)")
    return {"customers": n, "contacts": contacts, "seconds": round(took, 1), "distinct_names": len(derived)}


def ensure_order_lines(n: int) -> int:
    """About n order lines of twelve months of history (the orders demo makes ~1,600 lines per scale); the
    catalogue and 2,000 customers first. Returns the number of lines."""
    from orders.models import OrderLine

    ensure_catalogue()
    ensure_customers(2000)
    if not OrderLine.objects.exists():
        seed_demo(max(1, math.ceil(n / 1600)), "orders")
    return OrderLine.objects.count()


def multiply_orders(target_lines: int, base_scale: int = 10) -> int:
    """At least target_lines order lines: the orders demo at base_scale (its twelve months of history, states
    and seasonality), then copies of its orders and lines made inside PostgreSQL (new ids and numbers, same
    dates, customers and products) until the target is reached. Returns the number of lines."""
    from django.db import connection, transaction

    from orders.models import OrderLine, SalesOrder

    ensure_order_lines(base_scale * 1600)
    have = OrderLine.objects.count()
    if have >= target_lines:
        return have

    def columns(model, skip):
        return [f.column for f in model._meta.concrete_fields if f.column not in skip]

    order_cols = columns(SalesOrder, {"id", "number", "status_token"})
    line_cols = columns(OrderLine, {"id", "order_id"})
    t0 = time.monotonic()
    with connection.cursor() as cur:
        cur.execute("SELECT max(id) FROM orders_salesorder")
        top = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM orders_orderline WHERE order_id <= %s", [top])
        base = cur.fetchone()[0]
        copies = math.ceil((target_lines - have) / base)
        for k in range(1, copies + 1):
            with transaction.atomic():
                cur.execute(
                    f"INSERT INTO orders_salesorder (id, number, status_token, {', '.join(order_cols)}) "
                    f"SELECT id + %s, number || '-' || %s, gen_random_uuid(), {', '.join(order_cols)} "
                    f"FROM orders_salesorder WHERE id <= %s", [k * top, k, top])
                cur.execute(
                    f"INSERT INTO orders_orderline (order_id, {', '.join(line_cols)}) "
                    f"SELECT order_id + %s, {', '.join(line_cols)} FROM orders_orderline WHERE order_id <= %s",
                    [k * top, top])
            if k % 10 == 0:
                log(f"orders copied {k}/{copies}")
        for table in ("orders_salesorder", "orders_orderline"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            cur.execute(f"ANALYZE {table}")
    lines = OrderLine.objects.count()
    log(f"{copies} copies of {base} order lines in {time.monotonic() - t0:.0f}s: {lines} lines")
    return lines


def generate_history(lines: int, *, products: int, customers: int, reps: int = 20, seed: int = 19) -> dict:
    """A year of sales generated, not copied: `customers` customers and `products` products (bulk-created), then
    about `lines` order lines in orders of 1–8 lines, each order drawn at random (customer, its owner as the
    salesperson, a day of the last twelve months with more sales on weekdays and towards the year's end, a state
    with most orders sold), each line a random product, quantity and price, some partly returned. Orders and lines
    are written by INSERT … SELECT over generate_series inside PostgreSQL from one template order and line (so
    every column the models need is filled), then each order's totals are set from its lines."""
    import random
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from crm.models import Customer
    from inventory.models import Category, Product, UnitOfMeasure, Warehouse
    from orders.models import OrderLine, SalesOrder

    t0 = time.monotonic()
    rng = random.Random(seed)
    User = get_user_model()
    sellers = [User.objects.create_user(f"bench-rep{i}", password=None, first_name=f"{i}", last_name="销售")
               for i in range(reps)]
    unit, _ = UnitOfMeasure.objects.get_or_create(code="pcs", defaults={"name_zh": "个", "name_en": "piece"})
    cats = Category.objects.bulk_create([Category(code=f"gen-{i}", name_zh=f"类别{i}", name_en=f"Category {i}")
                                         for i in range(40)])
    wh = Warehouse.objects.create(code="GEN", name_zh="生成仓", name_en="Generated")
    Product.objects.bulk_create([
        Product(sku=f"G-{i:06d}", name_zh=f"五金件{i}", name_en=f"Part {i}", category=cats[i % len(cats)],
                base_unit=unit, list_price=Decimal(rng.randint(50, 50000)) / 100,
                standard_cost=Decimal(rng.randint(30, 30000)) / 100) for i in range(products)], batch_size=5000)
    provinces = ["浙江省", "江苏省", "广东省", "上海市", "山东省", "福建省", "河南省", "四川省", ""]
    from crm.choices import CustomerSourceChoices, CustomerTypeChoices
    from orders.choices import SOLD_STATES

    types, sources = list(CustomerTypeChoices.values), list(CustomerSourceChoices.values)
    Customer.objects.bulk_create([
        Customer(name=f"生成客户{i}五金", province=rng.choice(provinces), customer_type=rng.choice(types),
                 source=rng.choice(sources), owner=rng.choice(sellers)) for i in range(customers)], batch_size=5000)
    template = SalesOrder.objects.create(number="GEN-TEMPLATE", customer=Customer.objects.order_by("pk").first(),
                                         salesperson=sellers[0], created_by=sellers[0], warehouse=wh)
    OrderLine.objects.create(order=template, product=Product.objects.order_by("pk").first(), unit=unit,
                             quantity=Decimal(1), base_quantity=Decimal(1))
    orders = max(1, lines // 4)  # 1–8 lines an order: 4.5 on average
    order_cols = [f.column for f in SalesOrder._meta.concrete_fields if f.column not in {
        "id", "number", "status_token", "customer_id", "salesperson_id", "created_by_id", "order_date", "status",
        "approved_at", "shipped_at", "delivered_at", "created_at"}]
    line_cols = [f.column for f in OrderLine._meta.concrete_fields if f.column not in {
        "id", "order_id", "product_id", "position", "quantity", "base_quantity", "unit_price", "net_amount",
        "cost_amount", "returned_quantity", "shipped_quantity", "gross_amount", "amount"}]
    sold = "{" + ",".join(str(v) for v in SOLD_STATES) + "}"
    with connection.cursor() as cur, transaction.atomic():
        cur.execute("SELECT setseed(%s)", [seed / 100])
        cur.execute("SELECT min(id), max(id) FROM crm_customer")
        c_lo, c_hi = cur.fetchone()
        cur.execute("SELECT min(id), max(id) FROM inventory_product")
        p_lo, p_hi = cur.fetchone()
        # orders: a random customer (its owner sells), a day weighted towards weekdays and the year's end
        cur.execute(f"""
            INSERT INTO orders_salesorder (number, status_token, customer_id, salesperson_id, created_by_id,
                order_date, status, approved_at, shipped_at, delivered_at, created_at, {', '.join(order_cols)})
            SELECT 'G' || g, gen_random_uuid(), c.id, c.owner_id, c.owner_id, d.day,
                   CASE WHEN random() < 0.9 THEN (%s::text[])[1 + floor(random() * %s)::int] ELSE 'cancelled' END,
                   d.day + interval '10 hours', d.day + interval '10 hours' + random() * interval '72 hours',
                   CASE WHEN random() < 0.6 THEN d.day + interval '4 days' + random() * interval '48 hours' END,
                   d.day + interval '9 hours', {', '.join('t.' + c for c in order_cols)}
            FROM generate_series(1, %s) g
            CROSS JOIN LATERAL (SELECT %s + floor(random() * (%s - %s + 1))::int + g * 0 AS cid) r
            JOIN crm_customer c ON c.id = r.cid
            CROSS JOIN LATERAL (SELECT (current_date - (floor(365 * sqrt(random())) + g * 0)::int) AS day) d0
            CROSS JOIN LATERAL (SELECT CASE WHEN extract(isodow FROM d0.day) > 5 AND random() < 0.6
                                       THEN d0.day - 2 ELSE d0.day END AS day) d
            CROSS JOIN orders_salesorder t WHERE t.id = %s""", [sold, len(SOLD_STATES), orders, c_lo, c_hi, c_lo,
                                                                template.pk])
        cur.execute("SELECT min(id), max(id) FROM orders_salesorder WHERE number LIKE 'G%%' AND id <> %s",
                    [template.pk])
        o_lo, o_hi = cur.fetchone()
        cur.execute(f"""
            INSERT INTO orders_orderline (order_id, product_id, position, quantity, base_quantity, unit_price,
                gross_amount, net_amount, amount, cost_amount, shipped_quantity, returned_quantity,
                {', '.join(line_cols)})
            SELECT o.id, x.pid, n, x.q, x.q, x.price, round(x.q * x.price, 2), round(x.q * x.price, 2),
                   round(x.q * x.price * 1.13, 2), round(x.q * x.price * (0.55 + random() * 0.3)::numeric, 2), x.q,
                   CASE WHEN random() < 0.03 THEN floor(x.q / 2) ELSE 0 END, {', '.join('t.' + c for c in line_cols)}
            FROM generate_series(%s, %s) o(id)
            CROSS JOIN LATERAL generate_series(1, 1 + floor(random() * 8)::int + o.id * 0) n
            CROSS JOIN LATERAL (SELECT %s + floor(random() * (%s - %s + 1))::int + n * 0 AS pid,
                                       (1 + floor(random() * 200) + n * 0)::numeric AS q,
                                       round((0.5 + random() * 300)::numeric + n * 0, 2) AS price) x
            CROSS JOIN orders_orderline t WHERE t.order_id = %s""", [o_lo, o_hi, p_lo, p_hi, p_lo, template.pk])
        cur.execute("""
            UPDATE orders_salesorder o SET net_total = s.net, subtotal = s.net, total = s.amount, cost_total = s.cost
            FROM (SELECT order_id, sum(net_amount) AS net, sum(amount) AS amount, sum(cost_amount) AS cost
                  FROM orders_orderline WHERE order_id BETWEEN %s AND %s GROUP BY order_id) s
            WHERE o.id = s.order_id""", [o_lo, o_hi])
        cur.execute("DELETE FROM orders_orderline WHERE order_id = %s", [template.pk])
        cur.execute("DELETE FROM orders_salesorder WHERE id = %s", [template.pk])
        for table in ("orders_salesorder", "orders_orderline", "crm_customer", "inventory_product"):
            cur.execute(f"ANALYZE {table}")
    made = OrderLine.objects.count()
    log(f"generated {made} order lines in {orders} orders, {products} products, {customers} customers "
        f"in {time.monotonic() - t0:.0f}s")
    return {"order_lines": made, "orders": orders, "products": products, "customers": customers}
