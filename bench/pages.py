"""Pages under load: the Procfile's processes (gunicorn with 3 workers, the Celery worker and beat, started by
honcho as `make run` does) on PostgreSQL and Redis, and 20 signed-in clients (each with its own session) asking
as fast as they can, one page at a time for PAGES_SECONDS each: the customer list (filtered, paginated), a
product's stock page, an order's page, the stocktake scan endpoint (POST, a clerk's session) and the dashboard.
References under the same load: a trivial signed-in view of the same app (the notification bell: session,
middleware, two indexed queries, a small template) and a static file (WhiteNoise). Figures: requests per second,
p50/p95/p99; target: every page's p95 within 5x the trivial view's p95, and no errors."""

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
TARGET = 5.0


def seconds() -> float:
    return float(os.environ.get("PAGES_SECONDS", "20"))


def customers_wanted() -> int:
    return int(100_000 * float(os.environ.get("BENCH_SCALE", "1")))


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
    """Customers, the catalogue with stock, order history, an open stocktake; the URLs of each phase."""
    from django.contrib.auth import get_user_model

    from crm.models import Customer
    from inventory import stocktakes
    from inventory.models import Location, Product, StockLevel, Warehouse
    from orders.models import SalesOrder

    from .data import ensure_customers, ensure_order_lines

    ensure_customers(customers_wanted())
    ensure_order_lines(20_000)
    rng = random.Random(6)
    users = get_user_model().objects
    gm, clerk = users.get(username="gm"), users.get(username="clerk")
    province = (Customer.objects.order_by().values_list("province", flat=True).first() or "")
    customer_pages = [f"/crm/customers/?{urlencode({'province': province, 'level': level, 'page': page})}"
                      for level in ("b", "c") for page in (1, 2, 5)]
    customer_pages += [f"/crm/customers/?{urlencode({'last_contact': 'stale30', 'page': page})}" for page in (1, 3)]
    stocked = list(StockLevel.objects.filter(on_hand__gt=0).order_by("product_id")
                   .values_list("product_id", flat=True).distinct()[:200])
    product_pages = [f"/inventory/products/{pk}/" for pk in rng.sample(stocked, min(40, len(stocked)))]
    order_ids = list(SalesOrder.objects.orders().filter(lines__isnull=False).order_by("-pk")
                     .values_list("pk", flat=True).distinct()[:2000])
    order_pages = [f"/orders/{pk}/" for pk in rng.sample(order_ids, min(60, len(order_ids)))]
    warehouse = Warehouse.objects.get(code="SH")
    locations = list(Location.objects.filter(warehouse=warehouse).order_by("code"))
    st = stocktakes.open_stocktake(warehouse=warehouse, actor=gm, locations=locations, note="bench")
    in_count = list(st.lines.select_related("location", "product").order_by("pk")[:300])
    scans = [{"location": ln.location.code, "code": ln.product.barcode or ln.product.sku} for ln in in_count]
    products = Product.objects.count()
    scale = {"customers": Customer.objects.count(), "products": products, "orders": SalesOrder.objects.count(),
             "stocktake_lines": st.lines.count(), "users": USERS, "seconds_per_page": seconds()}
    phases = [  # name, session user, method, targets
        ("trivial_view", "gm", "GET", ["/notifications/bell/"]),
        ("static_file", "gm", "GET", ["/static/css/app.css"]),
        ("customer_list", "gm", "GET", customer_pages),
        ("product_stock", "gm", "GET", product_pages),
        ("order_detail", "gm", "GET", order_pages),
        ("stocktake_scan", "clerk", "POST", [f"/inventory/stocktakes/{st.pk}/scan/"]),
        ("dashboard", "gm", "GET", ["/"]),
    ]
    return scale, phases, scans, {"gm": sessions(gm.username, USERS), "clerk": sessions(clerk.username, USERS)}


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
    """USERS clients in a closed loop for `duration` seconds: [(latency s, ok)], wall seconds."""
    from tests.faults.stack import Browser

    results, lock = [], threading.Lock()
    stop_at = time.monotonic() + duration

    def client(n):
        rng = random.Random(seed * 100 + n)
        b = Browser(base, keys[n])
        mine = []
        while time.monotonic() < stop_at:
            path = rng.choice(targets)
            t0 = time.perf_counter()
            if method == "POST":
                status, body = b.post(path, rng.choice(scans), timeout=60)
                ok = status == 200 and '"ok": true' in body
            else:
                status, body = b.get(path, timeout=60)
                ok = status == 200
            mine.append((time.perf_counter() - t0, ok, status))
        with lock:
            results.extend(mine)

    t0 = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(USERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.monotonic() - t0


def run():
    scale, phases, scans, keys = build()
    tmp = Path(tempfile.mkdtemp(prefix="hwerp-bench-pages-"))
    proc, base, log_file = start_server(tmp)
    out = {}
    try:
        for i, (name, who, method, targets) in enumerate(phases):
            load(base, keys[who], method, targets, scans, 3, seed=1000 + i)  # warm the workers and caches
            results, wall = load(base, keys[who], method, targets, scans, seconds(), seed=i)
            lat = [r[0] for r in results]
            errors = [r[2] for r in results if not r[1]]
            out[name] = {"requests": len(results), "per_second": round(len(results) / wall, 1),
                         **{f"p{q}_ms": round(percentile(lat, q) * 1000, 1) for q in (50, 95, 99)},
                         "errors": len(errors), "error_statuses": sorted({str(s) for s in errors})}
            log(f"pages: {name} {out[name]}")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log_file.close()
    floor = out["trivial_view"]["p95_ms"]
    pages = {k: v for k, v in out.items() if k not in ("trivial_view", "static_file")}
    for v in pages.values():
        v["p95_vs_trivial"] = round(v["p95_ms"] / floor, 2)
    worst = max(v["p95_vs_trivial"] for v in pages.values())
    errors = sum(v["errors"] for v in out.values())
    return emit("pages", scale, pages, {k: out[k] for k in ("trivial_view", "static_file")}, ratio=worst,
                target=TARGET, ok=worst <= TARGET and errors == 0, errors=errors, valid=errors == 0,
                note="ratio = the slowest page's p95 / the trivial view's p95 under the same load (20 clients)")
