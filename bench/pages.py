"""Pages under load: the Procfile's processes (gunicorn with 3 workers, the Celery worker and beat, started by
honcho as `make run` does) on PostgreSQL and Redis, and 20 signed-in clients (each with its own session) asking
as fast as they can for PAGES_SECONDS a phase. In every phase the page and its reference, the notification bell
(the lightest signed-in page: session, middleware, two indexed queries, a small template), take turns: all clients
ask for the bell three times each, wait for each other, ask for the page three times, wait, and so on; the two
are measured under the same load on the machine, interleaved, neither queued behind the other.

Phases: the customer list searched (terms drawn from the data: name pieces, pinyin initials, phones, mobiles), at a
deep page (page 200 of the unfiltered list), sorted (last order, owner, region), filtered (province + level, not
contacted for 30 days); the order list filtered (status, customer type, a date range); the product list sorted by
on-hand; an order's page (orders that have shipments, payments and history, made by the orders demo); a
customer's page (customers of those orders); a product's stock page; stocktake scans (POST, a clerk); the
dashboard. Figures: requests per second, p50/p95/p99 of the page and of the bell in the same phase; target:
every page's p95 within 3x the bell's p95 of its phase, and no errors."""

import os
import random
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from .common import REDIS_URL, dsn, emit, log, percentile

USERS = 20
BASE = Path(__file__).resolve().parent.parent
TARGET = 3.0
BELL = "/notifications/bell/"
TURN = 3  # requests a client makes in a turn of the bell or of the page


def seconds() -> float:
    return float(os.environ.get("PAGES_SECONDS", "20"))


def bench_scale() -> float:
    return float(os.environ.get("BENCH_SCALE", "1"))


def customers_wanted() -> int:
    return int(100_000 * bench_scale())


def order_lines_wanted() -> int:
    return max(2_000, int(20_000 * bench_scale()))


def sessions(username, n):
    """n signed-in sessions of a user, made as the login view would (with the current confidentiality agreement
    accepted, when one is published)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model

    store = import_module(settings.SESSION_ENGINE).SessionStore
    from governance.accounts import AGREEMENT_SESSION_KEY, accept_agreement
    from governance.models import AgreementVersion

    user = get_user_model().objects.get(username=username)
    agreement = AgreementVersion.objects.current()
    if agreement is not None:
        accept_agreement(user, agreement)
    keys = []
    for _ in range(n):
        s = store()
        s[SESSION_KEY] = str(user.pk)
        s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        if agreement is not None:
            s[AGREEMENT_SESSION_KEY] = agreement.pk
        s.create()
        keys.append(s.session_key)
    return keys


def build():
    """Customers, the catalogue with stock, order history with shipments and payments, an open stocktake; the
    URLs of each phase."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from crm.models import Customer
    from inventory import stocktakes
    from inventory.models import Location, Product, StockLevel, Warehouse
    from orders.models import SalesOrder

    from .data import ensure_customers, ensure_order_lines
    from .search import queries

    ensure_customers(customers_wanted())
    ensure_order_lines(order_lines_wanted())
    with connection.cursor() as cur:  # as seed_demo leaves it: statistics for the planner after the loads
        cur.execute("ANALYZE")
    rng = random.Random(6)
    users = get_user_model().objects
    gm, clerk = users.get(username="gm"), users.get(username="clerk")
    customers = Customer.objects.count()
    province = (Customer.objects.order_by().values_list("province", flat=True).first() or "")
    filtered = [f"/crm/customers/?{urlencode({'province': province, 'level': level, 'page': page})}"
                for level in ("b", "c") for page in (1, 2, 5)]
    filtered += [f"/crm/customers/?{urlencode({'last_contact': 'stale30', 'page': page})}" for page in (1, 3)]
    searched = [f"/crm/customers/?{urlencode({'q': q})}" for _kind, q in queries(40, seed=19)]
    deep = max(1, min(200, customers // 25 // 2))  # page 200 (of 4,000 at 100,000 customers)
    deep_pages = [f"/crm/customers/?page={n}" for n in (deep, max(1, deep - 37), deep + 41)]
    sorted_pages = [f"/crm/customers/?{urlencode({'sort': key, 'page': page})}"
                    for key in ("-last_order_date", "owner", "region", "-credit_limit") for page in (1, 3)]
    order_lists = [f"/orders/list/?{urlencode(q)}" for q in (
        {"status": "shipped"}, {"status": "paid", "page": 3}, {"customer_type": "retailer"},
        {"date_from": "2026-01-01", "date_to": "2026-06-30", "page": 2}, {"overdue": "true"})]
    product_lists = [f"/inventory/products/?{urlencode({'sort': key, 'page': page})}"
                     for key in ("-on_hand", "on_hand") for page in (1, 2)]
    stocked = list(StockLevel.objects.filter(on_hand__gt=0).order_by("product_id")
                   .values_list("product_id", flat=True).distinct()[:200])
    product_pages = [f"/inventory/products/{pk}/" for pk in rng.sample(stocked, min(40, len(stocked)))]
    full = SalesOrder.objects.orders().filter(shipments__isnull=False, allocations__isnull=False,
                                               events__isnull=False, lines__isnull=False)
    order_ids = list(full.order_by("-pk").values_list("pk", flat=True).distinct()[:2000])
    if not order_ids:
        raise RuntimeError("no order with shipments, payments and history to measure")
    picked = rng.sample(order_ids, min(60, len(order_ids)))
    order_pages = [f"/orders/{pk}/" for pk in picked]
    customer_ids = sorted(set(SalesOrder.objects.filter(pk__in=picked).values_list("customer_id", flat=True)))
    customer_pages = [f"/crm/customers/{pk}/" for pk in customer_ids]
    warehouse = Warehouse.objects.get(code="SH")
    locations = list(Location.objects.filter(warehouse=warehouse).order_by("code"))
    st = stocktakes.open_stocktake(warehouse=warehouse, actor=gm, locations=locations, note="bench")
    in_count = list(st.lines.select_related("location", "product").order_by("pk")[:300])
    scans = [{"location": ln.location.code, "code": ln.product.barcode or ln.product.sku} for ln in in_count]
    from orders.models import OrderLine

    scale = {"customers": customers, "products": Product.objects.count(), "orders": SalesOrder.objects.count(),
             "order_lines": OrderLine.objects.count(), "orders_measured": len(order_pages),
             "stocktake_lines": st.lines.count(), "deep_page": deep, "users": USERS, "seconds_per_page": seconds()}
    phases = [  # name, session user, method, targets
        ("customer_search", "gm", "GET", searched),
        ("customer_deep_page", "gm", "GET", deep_pages),
        ("customer_sorted", "gm", "GET", sorted_pages),
        ("customer_filtered", "gm", "GET", filtered),
        ("order_list_filtered", "gm", "GET", order_lists),
        ("product_list_by_on_hand", "gm", "GET", product_lists),
        ("order_detail", "gm", "GET", order_pages),
        ("customer_detail", "gm", "GET", customer_pages),
        ("product_stock", "gm", "GET", product_pages),
        ("stocktake_scan", "clerk", "POST", [f"/inventory/stocktakes/{st.pk}/scan/"]),
        ("dashboard", "gm", "GET", ["/"]),
    ]
    only = os.environ.get("PAGES_PHASES")  # a comma-separated subset of the phases (the scale benchmark's)
    if only:
        phases = [p for p in phases if p[0] in only.split(",")]
    return scale, phases, scans, {"gm": sessions(gm.username, USERS), "clerk": sessions(clerk.username, USERS)}


def stop_server(proc, log_file):
    """Stop what `start_server` started (its whole process group) and close its log."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    log_file.close()


def start_server(tmp: Path):
    from tests.faults.stack import _get_status, free_port, wait_for

    port = free_port()
    env = dict(os.environ, DATABASE_URL=dsn(), REDIS_URL=os.environ.get("REDIS_URL", REDIS_URL), DEBUG="false",
               OTP_ENFORCE="false", SECURE_SSL_REDIRECT="false", SECURE_COOKIES="false", SECURE_HSTS_SECONDS="0",
               LOG_LEVEL="WARNING", EMAIL_URL="dummymail://", BIND=f"127.0.0.1:{port}")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run([str(BASE / ".venv/bin/python"), "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                   cwd=BASE, env=env, check=True, timeout=600)
    log_file = open(tmp / "honcho.log", "w")  # noqa: SIM115 - closed with the server
    proc = subprocess.Popen([str(BASE / ".venv/bin/honcho"), "start", "-f", "Procfile"], cwd=BASE, env=env,
                            stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: _get_status(base + "/static/css/app.css") == 200, 120, "gunicorn")
    return proc, base, log_file


def load(base, keys, method, targets, scans, duration, seed):
    """USERS clients in a closed loop for `duration` seconds, taking turns: every client makes TURN requests of the
    bell, waits for the others, TURN requests of the page, waits, and so on, so that the page and the bell see the
    same load on the machine (each turn under the same 20 clients, and no page still running in a bell's turn):
    ({"page": [(latency s, ok, status)], "bell": [...]}, wall seconds)."""
    from tests.faults.stack import Browser

    results, lock = {"page": [], "bell": []}, threading.Lock()
    stop_at = time.monotonic() + duration
    state = {"turn": 0, "stop": False}

    def next_turn():  # run by one client when all have finished the turn
        state["turn"] += 1
        state["stop"] = state["turn"] % 2 == 0 and time.monotonic() >= stop_at  # always as many page as bell turns

    barrier = threading.Barrier(USERS, action=next_turn)

    def client(n):
        rng = random.Random(seed * 100 + n)
        b = Browser(base, keys[n])
        mine = {"page": [], "bell": []}
        while not state["stop"]:
            for _ in range(TURN):
                t0 = time.perf_counter()
                if state["turn"] % 2 == 0:
                    status, _body = b.get(BELL, timeout=60)
                    mine["bell"].append((time.perf_counter() - t0, status == 200, status))
                elif method == "POST":
                    status, body = b.post(rng.choice(targets), rng.choice(scans), timeout=60)
                    mine["page"].append((time.perf_counter() - t0, status == 200 and '"ok": true' in body, status))
                else:
                    status, _body = b.get(rng.choice(targets), timeout=60)
                    mine["page"].append((time.perf_counter() - t0, status == 200, status))
            barrier.wait()
        with lock:
            for k, v in mine.items():
                results[k].extend(v)

    t0 = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(USERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.monotonic() - t0


def summary(results, wall):
    lat = [r[0] for r in results]
    errors = [r[2] for r in results if not r[1]]
    return {"requests": len(results), "per_second": round(len(results) / wall, 1),
            **{f"p{q}_ms": round(percentile(lat, q) * 1000, 1) if lat else None for q in (50, 95, 99)},
            "errors": len(errors), "error_statuses": sorted({str(s) for s in errors})}


def measure(phases, scans, keys, base):
    """{phase: {"page": figures, "bell": figures, "p95_vs_bell": x}} for every phase."""
    out = {}
    for i, (name, who, method, targets) in enumerate(phases):
        load(base, keys[who], method, targets, scans, 3, seed=1000 + i)  # warm the workers and caches
        results, wall = load(base, keys[who], method, targets, scans, seconds(), seed=i)
        page, bell = summary(results["page"], wall), summary(results["bell"], wall)
        ratio = round(page["p95_ms"] / bell["p95_ms"], 2) if page["p95_ms"] and bell["p95_ms"] else None
        out[name] = {"page": page, "bell": bell, "p95_vs_bell": ratio}
        log(f"pages: {name}: page p50 {page['p50_ms']} p95 {page['p95_ms']} ms ({page['requests']}), bell p95 "
            f"{bell['p95_ms']} ms ({bell['requests']}): {ratio}x, errors {page['errors'] + bell['errors']}")
    return out


def run():
    scale, phases, scans, keys = build()
    tmp = Path(tempfile.mkdtemp(prefix="hwerp-bench-pages-"))
    proc, base, log_file = start_server(tmp)
    try:
        out = measure(phases, scans, keys, base)
    finally:
        stop_server(proc, log_file)
    worst = max((v["p95_vs_bell"] or float("inf")) for v in out.values())
    errors = sum(v["page"]["errors"] + v["bell"]["errors"] for v in out.values())
    missed = sorted(k for k, v in out.items() if (v["p95_vs_bell"] or float("inf")) > TARGET)
    return emit("pages", scale, {k: {**v["page"], "p95_vs_bell": v["p95_vs_bell"]} for k, v in out.items()},
                {k: v["bell"] for k, v in out.items()}, ratio=worst, target=TARGET,
                ok=worst <= TARGET and errors == 0, errors=errors, missed=missed, valid=errors == 0,
                note="ratio = the slowest page's p95 / the bell's p95 in the same phase (20 clients; the page and the "
                     "bell take turns of 3 requests a client); reference = the bell of each phase")
