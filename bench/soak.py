"""`make soak MINUTES=10`: a bounded mixed load against make run's processes (gunicorn, Celery worker and beat
from the Procfile) on PostgreSQL and Redis, then check_integrity. Prints one JSON report: requests, errors,
latency percentiles per kind, memory (RSS) of each process at the start and the end.

Environment: SOAK_DB (hwerp_rel_soak, created fresh on BENCH_PG), SOAK_REDIS_URL (redis://127.0.0.1:6379/12),
SOAK_USERS (8 concurrent clients)."""

import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import psycopg2

from bench.common import PG_SERVER, percentile
from tests.faults.stack import SETUP_CODE, Browser, _get_status, free_port, wait_for

BASE = Path(__file__).resolve().parent.parent
# the soak user accepts the published confidentiality agreement (else every page redirects to it); customers the
# orders of the load are written for: the demo's, or one made here when the demo data is missing
CUSTOMERS_CODE = """
import json
from decimal import Decimal
from django.contrib.auth import get_user_model
from crm.models import Customer
from governance.accounts import accept_agreement, current_agreement_id
from governance.models import AgreementVersion
if current_agreement_id():
    accept_agreement(get_user_model().objects.get(username="faultclerk"),
                     AgreementVersion.objects.get(pk=current_agreement_id()))
ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True)[:50])
if not ids:
    ids = [Customer.objects.create(name="压测五金", credit_limit=Decimal("1000000")).pk]
print(json.dumps(ids))
"""
PY = sys.executable


def rss_kb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def tree(pid):
    """pid and its children (gunicorn workers, celery pool)."""
    out = [pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry))
    return out


def main():
    minutes = float(os.environ.get("MINUTES", "10"))
    users = int(os.environ.get("SOAK_USERS", "8"))
    db = os.environ.get("SOAK_DB", "hwerp_rel_soak")
    conn = psycopg2.connect(f"{PG_SERVER.rstrip('/')}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{db}"')
    conn.close()
    tmp = Path(tempfile.mkdtemp(prefix="hwerp-soak-"))
    port = free_port()
    env = dict(os.environ, DATABASE_URL=f"{PG_SERVER.rstrip('/')}/{db}",
               REDIS_URL=os.environ.get("SOAK_REDIS_URL", "redis://127.0.0.1:6379/12"), DEBUG="false",
               OTP_ENFORCE="false", SECURE_SSL_REDIRECT="false", SECURE_COOKIES="false", SECURE_HSTS_SECONDS="0",
               STATIC_ROOT=str(tmp / "static"), EMAIL_URL="dummymail://", BIND=f"127.0.0.1:{port}")

    def manage(*args):
        return subprocess.run([PY, "manage.py", *args], cwd=BASE, env=env, check=True, capture_output=True,
                              text=True, timeout=900).stdout

    print("[soak] migrate, roles, demo data, static files", file=sys.stderr, flush=True)
    manage("migrate", "--noinput")
    manage("sync_roles")
    demo = subprocess.run([PY, "manage.py", "seed_demo", "--if-empty"], cwd=BASE, env=env, capture_output=True,
                          text=True, timeout=900)
    if demo.returncode != 0:  # the load needs only the products made below; say so and go on
        print(f"[soak] seed_demo failed, going on without demo data: {demo.stderr.strip()[-500:]}",
              file=sys.stderr, flush=True)
    manage("collectstatic", "--noinput", "--verbosity", "0")
    data = json.loads(manage("shell", "-c", SETUP_CODE).strip().splitlines()[-1])
    data["customers"] = json.loads(manage("shell", "-c", CUSTOMERS_CODE).strip().splitlines()[-1])
    procs = {}
    for name, cmd in (("web", [PY, "-m", "gunicorn", "hardware_erp.wsgi:application", "--bind", f"127.0.0.1:{port}",
                               "--workers", "3", "--timeout", "60"]),
                      ("worker", [PY, "-m", "celery", "-A", "hardware_erp", "worker", "--concurrency", "2",
                                  "--without-gossip", "--without-mingle", "--loglevel", "WARNING"]),
                      ("beat", [PY, "-m", "celery", "-A", "hardware_erp", "beat", "--loglevel", "WARNING",
                                "--schedule", str(tmp / "beat-schedule")])):
        procs[name] = subprocess.Popen(cmd, cwd=BASE, env=env, stdout=open(tmp / f"{name}.log", "w"),
                                       stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _get_status(base + "/healthz") in (200, 503), 90, "gunicorn")
        time.sleep(3)
        mem_start = {n: {pid: rss_kb(pid) for pid in tree(p.pid)} for n, p in procs.items()}
        lat: dict[str, list] = {}
        errors: dict[str, int] = {}
        lock = threading.Lock()
        stop_at = time.monotonic() + minutes * 60
        pages = ["/", "/inventory/", "/inventory/stock/", "/inventory/products/", "/inventory/movements/",
                 "/crm/customers/", "/support/tickets/", "/orders/"] + \
            [f"/inventory/products/{p}/" for p in data["products"]] + [f"/crm/customers/{c}/" for c in
                                                                      data["customers"][:10]]
        searches = ["/inventory/products/lookup/?q=M8", "/crm/customers/lookup/?q=zh",
                    f"/crm/customers/?q={quote('五金')}", f"/inventory/products/?q={quote('螺栓')}",
                    "/orders/lookup/products/?q=FLT", "/orders/?q=SO"]

        def client(n):
            rng = random.Random(n)
            b = Browser(base, data["session"])
            i = 0
            while time.monotonic() < stop_at:
                i += 1
                roll = rng.random()
                if roll < 0.2:
                    kind = "posting"
                    ref = f"soak-{n}-{i}"
                    issue = rng.random() < 0.3
                    form = {"product": rng.choice(data["products"]), "quantity": "1", "reference": ref,
                            "idempotency_key": ref, "reason": ""}
                    form["from_location" if issue else "to_location"] = rng.choice(data["locations"])
                    t0 = time.perf_counter()
                    status, _ = b.post("/inventory/movements/issue/" if issue else "/inventory/movements/receipt/",
                                       form, timeout=60)
                    ok = status in (302, 200)  # 200: the form again (not enough stock for an issue)
                elif roll < 0.27:
                    kind = "order"
                    products = rng.sample(data["products"], 2)
                    form = {"customer": rng.choice(data["customers"]), "warehouse": data["warehouse"],
                            "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0",
                            "lines-MAX_NUM_FORMS": "200", "lines-0-product": products[0], "lines-0-quantity": "3",
                            "lines-1-product": products[1], "lines-1-quantity": str(rng.randint(1, 20))}
                    t0 = time.perf_counter()
                    status, _ = b.post("/orders/new/", form, timeout=60)
                    ok = status == 302
                elif roll < 0.30:
                    kind = "ticket"
                    form = {"category": "inventory", "priority": "normal", "subject": f"soak {n}-{i}",
                            "description": "扫码枪在盘点页面没有反应 / the scanner does not react on the count page"}
                    t0 = time.perf_counter()
                    status, _ = b.post("/support/tickets/new/", form, timeout=60)
                    ok = status == 302
                elif roll < 0.40:
                    kind = "search"
                    t0 = time.perf_counter()
                    status, _ = b.get(rng.choice(searches), timeout=60)
                    ok = status == 200
                else:
                    kind = "page"
                    t0 = time.perf_counter()
                    status, _ = b.get(rng.choice(pages), timeout=60)
                    ok = status in (200, 404)  # a redirect would be a gate (agreement, two-factor) in the way
                with lock:
                    lat.setdefault(kind, []).append(time.perf_counter() - t0)
                    if not ok:
                        errors[f"{kind} {status}"] = errors.get(f"{kind} {status}", 0) + 1

        threads = [threading.Thread(target=client, args=(n,)) for n in range(users)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        mem_end = {n: {pid: rss_kb(pid) for pid in tree(p.pid)} for n, p in procs.items()}
    finally:
        for p in procs.values():
            try:
                os.killpg(p.pid, 15)
                p.wait(timeout=20)
            except Exception:  # noqa: BLE001 - best effort
                p.kill()
    integrity = subprocess.run([PY, "manage.py", "check_integrity"], cwd=BASE, env=env, capture_output=True,
                               text=True, timeout=600)
    report = {
        "minutes": minutes, "users": users,
        "requests": {k: len(v) for k, v in lat.items()},
        "errors": errors,
        "latency_ms": {k: {q: round(percentile(v, q) * 1000, 1) for q in (50, 95, 99)} for k, v in lat.items()},
        "rss_mb": {n: {"start": round(sum(v for v in mem_start[n].values() if v) / 1024, 1),
                       "end": round(sum(v for v in mem_end[n].values() if v) / 1024, 1),
                       "processes": len(mem_end[n])} for n in procs},
        "check_integrity_ok": integrity.returncode == 0,
        "check_integrity": integrity.stdout.strip().splitlines()[-6:],
    }
    print(json.dumps(report, ensure_ascii=False))
    return 0 if integrity.returncode == 0 and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
