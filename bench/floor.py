"""The counter and the warehouse floor (issue 17): four daily tasks driven in Chromium, counting keystrokes, mouse
clicks and seconds, on this tree ("after") and on the main before the issue ("before", commit FLOOR_BASE, default
d2fa4d2, checked out in a temporary worktree under /tmp and run on the same venv).

Tasks, on the demo company (`seed_demo`) of each tree, in its own database:
- order: a 10-line sales order entered by keyboard (the customer picked with one click, then keys only after);
- pick: a 20-line order picked (after: every line confirmed by scanning its bin label and product; before: the
  ship form, which confirms nothing);
- call: a phone call logged on the customer's page;
- receipt: a 5-line purchase order received (after: by scanning, into each product's own bin; before: a
  quantity typed and a bin chosen from the warehouse's list per line).

The JSON line's "project" is after, "reference" before, "ratio" the 10-line order's seconds after ÷ before,
"target" 60 (seconds for the order, with no click after the customer).
Input is scripted, so the seconds are the time the pages take to follow the input (server answers, live pricing,
page loads), not a person's thinking time. Not a test: it prints one JSON line.
"""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from .common import emit, log

REPO = Path(__file__).resolve().parent.parent
PY = str(REPO / ".venv" / "bin" / "python")
BASE = os.environ.get("FLOOR_BASE", "d2fa4d2")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
PASSWORD = "hardware-demo-2026"  # noqa: S105 - the demo company's password
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-dev-shm-usage"]

# made inside each tree's database by its own code: an approved 20-line order, a sent 5-line PO, 10 SKUs
FIXTURES = r"""
import json
from decimal import Decimal
from django.contrib.auth import get_user_model
from crm.models import Customer
from inventory import purchasing
from inventory.models import Product, StockLevel, Supplier, Warehouse
from orders import services
from orders.models import ReviewSettings
U = get_user_model().objects
rep, gm, buyer = U.get(username="rep1"), U.get(username="gm"), U.get(username="purchaser")
ReviewSettings.objects.filter(pk=ReviewSettings.current().pk).update(check_stock=False, check_credit=False,
                                                                     min_margin_percent=0, max_discount_percent=100)
wh = Warehouse.objects.order_by("code").first()
stocked = list(Product.objects.filter(active=True, levels__warehouse=wh, levels__on_hand__gte=20,
                                      barcode__isnull=False).distinct().order_by("sku")[:30])
customer = Customer.objects.for_user(rep).filter(merged_into__isnull=True).order_by("pk").first()
order = services.create_order(customer=customer, warehouse=wh, actor=rep,
                              lines=[services.LineInput(product=p, quantity=Decimal(1)) for p in stocked[:20]])
order = services.submit_order(order, actor=rep)
if order.status == "submitted":
    order = services.approve_order(order, actor=gm)
plan = [(r["location"].code if r["location"] else "", r["line"].product.barcode or r["line"].product.sku,
         str(r["quantity"])) for r in services.picking_plan(order)]
supplier = Supplier.objects.filter(active=True).order_by("pk").first()
po = purchasing.create_purchase_order(supplier=supplier, warehouse=wh, actor=buyer,
                                      lines=[(p, 3, None) for p in stocked[20:25]])
purchasing.transition(po, "approved", actor=gm)
purchasing.transition(po, "sent", actor=buyer)
bins = {p.pk: (StockLevel.objects.filter(product=p, warehouse=wh).order_by("-on_hand").values_list(
    "location__code", flat=True).first() or "") for p in stocked[20:25]}
print("FIXTURES" + json.dumps({
    "customer": customer.name, "customer_id": customer.pk, "skus": [p.sku for p in stocked[:10]],
    "order": order.pk, "plan": plan, "po": po.pk,
    "po_lines": [{"code": p.barcode or p.sku, "sku": p.sku, "bin": bins[p.pk]} for p in stocked[20:25]]}))
"""


class Counter:
    """The page with every key and click counted."""

    def __init__(self, page):
        self.page, self.keys, self.clicks = page, 0, 0

    def type(self, text):
        self.keys += len(text)
        self.page.keyboard.type(text)

    def press(self, key, times=1):
        for _i in range(times):
            self.keys += 1
            self.page.keyboard.press(key)

    def click(self, selector):
        self.clicks += 1
        self.page.click(selector)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(db):
    return {**os.environ, "DATABASE_URL": f"{PG}/{db}", "REDIS_URL": "", "DEBUG": "1", "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false", "CELERY_TASK_ALWAYS_EAGER": "true", "PYTHONDONTWRITEBYTECODE": "1"}


def _manage(src, db, *args, capture=False):
    return subprocess.run([PY, "manage.py", *args], cwd=src, env=_env(db), check=True, text=True,
                          capture_output=capture, timeout=1800)


def prepare(src, db) -> dict:
    import psycopg2

    conn = psycopg2.connect(f"{PG}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db])
        reuse = os.environ.get("FLOOR_REUSE") == "1" and cur.fetchone() is not None
        if not reuse:  # FLOOR_REUSE=1 keeps a seeded database and adds fresh fixtures to it
            cur.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{db}"')
    conn.close()
    steps = (("migrate", "--noinput", "-v", "0"),) if reuse else (
        ("migrate", "--noinput", "-v", "0"), ("sync_roles",), ("seed_demo", "-v", "0"))
    for args in steps:
        _manage(src, db, *args, capture=True)
    out = _manage(src, db, "shell", "-c", FIXTURES, capture=True).stdout
    return json.loads(out.split("FIXTURES", 1)[1])


def login(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    # the sign-in form's own button: the page has another submit button (the language switch) before it
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if "/account/agreement" in page.url or "agreement" in page.url:  # accept the confidentiality agreement once
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state()


def _choose_customer(c, data):
    c.click("[data-testid=choose-customer] .ts-control, #div_id_customer .ts-control")
    c.type(data["customer"][:4])
    c.page.wait_for_selector(f".ts-dropdown .option:has-text('{data['customer']}')")
    c.press("Enter")


def order_after(c, base, data):
    c.page.goto(base + "/orders/new/")
    _choose_customer(c, data)
    after_customer = c.clicks
    c.page.wait_for_function("() => document.querySelector('[name=contact_name]').value !== ''")
    for sku in data["skus"]:
        c.type(sku)
        c.page.wait_for_selector(f".ts-dropdown .option:has-text('{sku}') >> visible=true")
        c.press("Enter")
        # the cursor moves on to the quantity once the product is chosen (a person sees it land; keys sent
        # before that would go into the picker)
        c.page.wait_for_function("() => (document.activeElement.name || '').endsWith('-quantity')")
        c.type("12")
        c.press("Enter", 3)
        c.page.wait_for_function("() => !!document.activeElement.closest('.ts-wrapper')")
    c.page.wait_for_timeout(400)
    c.page.wait_for_function("() => !document.querySelector('#order-entry.htmx-request')")
    priced = c.page.locator("[data-testid^=line-total-]").count()
    c.press("Control+Enter")
    c.page.wait_for_url(lambda url: "/new/" not in url)
    return {"clicks_after_customer": c.clicks - after_customer, "lines_priced_before_saving": priced}


def order_before(c, base, data):
    c.page.goto(base + "/orders/new/")
    _choose_customer(c, data)
    after_customer = c.clicks
    if not c.page.input_value("select[name=warehouse]"):  # no default warehouse before: one choice
        c.clicks += 1
        c.page.select_option("select[name=warehouse]", index=1)
    for _i in range(len(data["skus"]) - 4):  # four rows are offered; the rest one click each
        c.click("[data-testid=add-line]")
    for i, sku in enumerate(data["skus"]):
        c.clicks += 1
        row = c.page.locator("#lines tbody tr.line-row").nth(i)
        row.locator(".ts-control").click()
        c.keys += len(sku)
        row.locator(".ts-control input").press_sequentially(sku)
        c.page.wait_for_selector(f".ts-dropdown .option:has-text('{sku}') >> visible=true")
        c.press("Enter")
        c.press("Tab", 2)  # the unit (none chosen), the quantity
        c.type("12")
    c.click("[data-testid=save-order]")
    c.page.wait_for_url(lambda url: "/new/" not in url)
    return {"clicks_after_customer": c.clicks - after_customer, "lines_priced_before_saving": 0}


def pick_after(c, base, data):
    c.page.goto(base + f"/orders/{data['order']}/pick/")
    current = None
    for bin_code, code, qty in data["plan"]:
        if bin_code and bin_code != current:
            c.type(bin_code)  # a bin label holds the bin code as printed
            c.press("Enter")
            current = bin_code
        for _i in range(int(float(qty))):
            c.type(code)
            c.press("Enter")
    c.page.wait_for_function("() => document.body.dataset.scanPending === '0'")
    confirmed = c.page.locator("[data-line].done").count()
    c.click("[data-testid=confirm-ship]")
    c.page.wait_for_url(lambda url: "/pick/" not in url)
    return {"lines_confirmed_by_scan": confirmed}


def pick_before(c, base, data):
    c.page.goto(base + f"/orders/{data['order']}/ship/")
    c.click("[data-testid=confirm-ship]")
    c.page.wait_for_url(lambda url: "/ship/" not in url)
    return {"lines_confirmed_by_scan": 0}


def call(c, base, data):
    c.page.goto(base + f"/crm/customers/{data['customer_id']}/")
    c.click("[data-testid=record-form] [name=summary]")
    c.type("电话回访：询价M8螺栓，下周报价")
    c.click("[data-testid=record-submit]")
    c.page.wait_for_selector("[data-testid=record-saved]")
    return {}


def receipt_after(c, base, data):
    c.page.goto(base + f"/inventory/purchase-orders/{data['po']}/receive/")
    c.page.wait_for_selector("[data-testid=scan-input]")
    for line in data["po_lines"]:
        for _i in range(3):
            c.type(line["code"])
            c.press("Enter")
    c.page.wait_for_function("() => document.body.dataset.scanPending === '0'")
    c.click("[data-testid=post-receipts]")
    c.page.wait_for_url(lambda url: "/receive/" not in url)
    return {}


def receipt_before(c, base, data):
    c.page.goto(base + f"/inventory/purchase-orders/{data['po']}/receive/")
    rows = c.page.locator("table tbody tr")
    for i in range(rows.count()):
        row = rows.nth(i)
        c.clicks += 1
        row.locator("input").click()
        c.type("3")
        c.clicks += 1  # the bin: one choice in the warehouse's whole list
        value = row.locator("select option").nth(1).get_attribute("value")
        row.locator("select").select_option(value)
    c.click("form:has(table) button[type=submit]")  # Post receipts (not the language switch)
    c.page.wait_for_url(lambda url: "/receive/" not in url)
    return {}


TASKS = {"order": (order_before, order_after, "rep1"), "pick": (pick_before, pick_after, "clerk"),
         "call": (call, call, "rep1"), "receipt": (receipt_before, receipt_after, "clerk")}


def drive(base, data, which):
    from playwright.sync_api import sync_playwright

    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                                    args=CHROMIUM_ARGS, headless=True)
        for name, (before, after, user) in TASKS.items():
            ctx = browser.new_context(viewport={"width": 1366, "height": 900})
            ctx.set_default_timeout(30000)
            page = ctx.new_page()
            login(page, base, user)
            c = Counter(page)
            t0 = time.monotonic()
            try:
                extra = (after if which == "after" else before)(c, base, data)
            except Exception:
                shot = Path(tempfile.gettempdir()) / f"floor-bench-{which}-{name}.png"
                page.screenshot(path=str(shot), full_page=True)
                raise
            out[name] = {"keystrokes": c.keys, "clicks": c.clicks, "seconds": round(time.monotonic() - t0, 1),
                         **extra}
            ctx.close()
        browser.close()
    return out


def base_tree() -> Path:
    where = Path(tempfile.mkdtemp(prefix="floor-base-"))
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(where / "tree"), BASE], check=True,
                   capture_output=True)
    (where / "tree" / ".venv").symlink_to(REPO / ".venv")
    for key in ("secret_key", "field_encryption_key", "blind_index_key", "backup_key"):
        src = REPO / "var" / key
        if src.exists():
            (where / "tree" / "var").mkdir(exist_ok=True)
            shutil.copy(src, where / "tree" / "var" / key)
    return where / "tree"


def measure(src, tag):
    db = f"hwerp_bench_floor_{tag}"
    log(f"floor: {tag}: preparing {db} from {src}")
    data = prepare(src, db)
    port = _free_port()
    server = subprocess.Popen([PY, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], cwd=src,
                              env=_env(db), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _i in range(60):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        log(f"floor: {tag}: driving Chromium")
        return drive(f"http://127.0.0.1:{port}", data, tag)
    finally:
        server.terminate()
        server.wait(timeout=20)


def run():
    after = measure(REPO, "after")
    base = base_tree()
    try:
        before = measure(base, "before")
    except Exception as exc:  # the figures after still print, with what stopped the run before
        log(f"floor: before: {exc!r}")
        before = {"order": {"seconds": float("nan")}, "error": repr(exc)[:300]}
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(base)], capture_output=True)
        shutil.rmtree(base.parent, ignore_errors=True)
    order = after["order"]
    return emit("floor", {"order_lines": 10, "pick_lines": 20, "po_lines": 5, "before": BASE}, after, before,
                ratio=order["seconds"] / before["order"]["seconds"], target=60,
                ok=order["seconds"] < 60 and order["clicks_after_customer"] == 0,
                valid=order["lines_priced_before_saving"] == 10 and after["pick"]["lines_confirmed_by_scan"] == 20)
