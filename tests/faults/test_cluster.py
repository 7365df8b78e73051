"""The multi-host layout on one machine (issue 20): a PostgreSQL primary and a streaming replica (pg_basebackup -R), an
S3-compatible object store (moto's server), Redis, two gunicorn instances on different ports, Celery workers on
separate queues, and PgBouncer in transaction mode when Debian's pgbouncer is installed.

`make cluster` runs this file (it is also part of `make faults`). Ports and the data directory can be pinned with
CLUSTER_PG_PORTS="5442,5443,5444,5445" (primary, replica, object store, pgbouncer) and CLUSTER_DIR; Redis is private
unless CLUSTER_REDIS_URL names one (its database is flushed)."""

import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest

from .stack import (
    PG_BIN,
    PYTHON,
    SETUP_CODE,
    Browser,
    PrivatePostgres,
    PrivateRedis,
    Stack,
    _as_postgres,
    free_port,
    wait_for,
)

pytestmark = pytest.mark.cluster

BUCKET = "hwerp-cluster"
METRICS_TOKEN = "cluster-metrics-" + "t" * 24
WRITERS = 4

SESSIONS_CODE = """
import json
WRITERS = {writers}
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from hardware_erp.core.roles import ROLES
User = get_user_model()
out = {}
for name in [f"writer{i}" for i in range(WRITERS)] + ["reader"]:
    user, _ = User.objects.get_or_create(username=name, defaults={"email": f"{name}@example.com"})
    for role in ("warehouse_clerk", "general_manager"):
        user.groups.add(Group.objects.get(name=ROLES[role].group))
    user.is_superuser = True
    user.save()
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    out[name] = s.session_key
print(json.dumps(out))
"""


def _ports():
    pinned = [int(p) for p in os.environ.get("CLUSTER_PG_PORTS", "").split(",") if p.strip()]
    return pinned + [free_port() for _ in range(4 - len(pinned))]


class Replica(PrivatePostgres):
    """A hot standby of `primary`, made with pg_basebackup -R (streaming replication, recovery settings written)."""

    def __init__(self, root: Path, primary: PrivatePostgres, port: int):
        super().__init__(root)
        self.primary, self.port = primary, port

    def init(self):
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        subprocess.run(_as_postgres([str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.primary.port),
                                     "-U", "postgres", "-D", str(self.data), "-R", "-X", "stream", "--no-sync"]),
                       check=True, capture_output=True, timeout=300)
        with open(self.data / "postgresql.conf", "a") as fh:
            fh.write(f"\nport = {self.port}\nunix_socket_directories = '{self.root}'\nhot_standby = on\n")
        return self


class Cluster(Stack):
    def __init__(self):
        root = os.environ.get("CLUSTER_DIR")
        if root:
            Path(root).mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix="hwerp-cluster-", dir=root or None))
        os.chmod(self.root, 0o755)  # noqa: S103 - the postgres user must reach its data directory
        pg_port, replica_port, self.s3_port, self.bouncer_port = _ports()
        self.pg = PrivatePostgres(self.root / "pg")
        self.pg.port = pg_port
        self.replica = Replica(self.root / "replica", self.pg, replica_port)
        self.shared_redis = os.environ.get("CLUSTER_REDIS_URL", "")
        self.redis = PrivateRedis(self.root / "redis")
        self.procs = []
        self.outbox = self.root / "mail"
        self.outbox.mkdir()
        self.static = self.root / "static"
        self.with_replica = False
        self.bouncer = None

    def redis_url(self):
        return self.shared_redis or self.redis.url()

    def env(self, **extra):
        env = super().env(**extra)
        env.update(REDIS_URL=self.redis_url(), STORAGE_URL=f"s3://{BUCKET}/erp?endpoint={self.s3_url()}&region=us-east-1",
                   AWS_ACCESS_KEY_ID="cluster", AWS_SECRET_ACCESS_KEY="cluster-secret",  # noqa: S106 - moto
                   METRICS_TOKEN=METRICS_TOKEN, REPLICA_CHECK_SECONDS="0.5", REPLICA_RETRY_SECONDS="2",
                   REPLICA_MAX_LAG_SECONDS="5", BACKUP_KEYS="", ALLOW_GENERATED_KEYS="true")
        if self.with_replica:
            env["DATABASE_REPLICA_URL"] = self.replica.url()
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def s3_url(self):
        return f"http://127.0.0.1:{self.s3_port}"

    def s3(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.s3_url(), region_name="us-east-1",
                            aws_access_key_id="cluster", aws_secret_access_key="cluster-secret")  # noqa: S106

    def start(self):
        self.pg.init()
        with open(self.pg.data / "postgresql.conf", "a") as fh:
            fh.write("wal_level = replica\nmax_wal_senders = 5\nhot_standby = on\n")
        self.pg.start()
        self.pg.psql("CREATE DATABASE hwerp_faults", db="postgres")
        if self.shared_redis:
            import redis

            redis.Redis.from_url(self.shared_redis).flushdb()
        else:
            self.redis.start()
        s3 = self.spawn("s3", [PYTHON, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.s3_port)])
        wait_for(lambda: _port_open(self.s3_port), 60, "object store")
        assert s3.poll() is None
        self.s3().create_bucket(Bucket=BUCKET)
        self.manage("migrate", "--noinput", timeout=900)  # minutes when the shared machine is busy
        self.manage("sync_roles")
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        self.data = self.shell(SETUP_CODE)
        self.data["sessions"] = self.shell(SESSIONS_CODE.replace("{writers}", str(WRITERS)))
        self.replica.init().start()
        self.with_replica = True
        wait_for(lambda: self.replica_has("auth_user", "username = 'reader'"), 60, "replica caught up")
        return self

    def replica_has(self, table, where):
        try:
            return bool(self.replica.psql(f"SELECT 1 FROM {table} WHERE {where}"))  # noqa: S608 - test literals
        except Exception:
            return False

    def start_bouncer(self):
        """PgBouncer in transaction mode in front of the primary (Debian's package)."""
        root = self.root / "bouncer"
        root.mkdir()
        (root / "users.txt").write_text('"postgres" ""\n')
        ini = root / "pgbouncer.ini"
        ini.write_text(f"""[databases]
hwerp_faults = host=127.0.0.1 port={self.pg.port} dbname=hwerp_faults
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.bouncer_port}
unix_socket_dir = {root}
auth_type = trust
auth_file = {root / 'users.txt'}
pool_mode = transaction
default_pool_size = 10
max_client_conn = 200
ignore_startup_parameters = extra_float_digits,options
logfile = {root / 'pgbouncer.log'}
pidfile = {root / 'pgbouncer.pid'}
""")
        if os.geteuid() == 0:
            shutil.chown(root, "postgres")
            for f in root.iterdir():
                shutil.chown(f, "postgres")
        self.bouncer = self.spawn("pgbouncer", _as_postgres([shutil.which("pgbouncer"), str(ini)]))
        wait_for(lambda: _port_open(self.bouncer_port), 30, "pgbouncer")
        return f"postgres://postgres@127.0.0.1:{self.bouncer_port}/hwerp_faults"

    def cleanup(self):
        super().cleanup()
        self.replica.cleanup()
        if self.shared_redis:
            import redis

            with contextlib.suppress(Exception):
                redis.Redis.from_url(self.shared_redis).flushdb()

    def metrics(self, base) -> dict:
        import requests

        text = requests.get(base + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10).text
        values = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                values[name] = float(value)
        return values


def _port_open(port):
    import socket

    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def server_errors(cluster, limit=6000) -> str:
    """The web instances' logged server errors (Django's "Internal Server Error" with its traceback, gunicorn's
    "Error handling request"): what an assertion on a 500 shows, since the cluster's logs go with it."""
    found = []
    for web in (cluster.web_a, cluster.web_b):
        text = web.log_path.read_text(errors="replace") if web.log_path.exists() else ""
        for block in re.split(r"\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d|\[\d{4}-)", text):
            if "Internal Server Error" in block or "Error handling request" in block or "Traceback" in block:
                found.append(f"[{web.log_path.name}] {block}")
    return "\n".join(found)[-limit:] or "(no server error in the web logs)"


def reads(metrics, target):
    return sum(v for k, v in metrics.items() if k.startswith("hwerp_db_reads_total") and f'target="{target}"' in k)


@pytest.fixture(scope="module")
def cluster():
    if not (PG_BIN / "pg_basebackup").exists() or not shutil.which("redis-server"):
        pytest.skip("the cluster test needs PostgreSQL 15 binaries and redis-server")
    c = Cluster()
    try:
        c.start()
        c.web_a = c.gunicorn(workers=2, name="web-a")
        c.web_b = c.gunicorn(workers=2, name="web-b")
        yield c
    finally:
        c.cleanup()


def _writer(cluster, n, seconds, results):
    """Post a receipt through one instance, then read the movements list through the other: the posting must be
    there in the very next read (read-your-writes), whichever database served it."""
    session = cluster.data["sessions"][f"writer{n}"]
    write = Browser((cluster.web_a if n % 2 else cluster.web_b).base, session)
    read = Browser((cluster.web_b if n % 2 else cluster.web_a).base, session)
    products, locations = cluster.data["products"], cluster.data["locations"]
    deadline, i = time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        ref = f"RYW-{n}-{i}-{uuid.uuid4().hex[:6]}"
        status, body = write.post("/inventory/movements/receipt/",
                                  {"product": products[i % len(products)], "quantity": "1",
                                   "to_location": locations[n % len(locations)], "reference": ref,
                                   "idempotency_key": ref, "reason": ""}, timeout=30)
        results["writes"].append((ref, status))
        if status == 302:
            status, body = read.get(f"/inventory/movements/?reference={ref}", timeout=30)
            results["reads"].append((ref, status, ref in body))
        i += 1


def _reader(cluster, seconds, results, paths):
    session = cluster.data["sessions"]["reader"]
    browsers = [Browser(cluster.web_a.base, session), Browser(cluster.web_b.base, session)]
    deadline, i = time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        status, _ = browsers[i % 2].get(paths[i % len(paths)], timeout=30)
        results["reports"].append(status)
        i += 1


REPORTS = ["/inventory/movements/", "/inventory/reports/no-movement/", "/inventory/stock/"]


def run_load(cluster, seconds, fault=None, fault_after=3.0):
    results = {"writes": [], "reads": [], "reports": []}
    threads = [threading.Thread(target=_writer, args=(cluster, n, seconds, results)) for n in range(WRITERS)]
    threads += [threading.Thread(target=_reader, args=(cluster, seconds, results, REPORTS)) for _ in range(2)]
    for t in threads:
        t.start()
    if fault is not None:
        time.sleep(fault_after)
        fault()
    for t in threads:
        t.join(timeout=seconds + 120)
    return results


def test_reports_from_replica_and_every_client_reads_its_own_writes(cluster):
    before = cluster.metrics(cluster.web_a.base)
    results = run_load(cluster, seconds=20)
    after = cluster.metrics(cluster.web_b.base)

    assert results["writes"] and all(st == 302 for _, st in results["writes"]), results["writes"][:5]
    stale = [r for r in results["reads"] if not (r[1] == 200 and r[2])]
    assert not stale, f"a client did not see its own posting in its next read: {stale[:5]}"
    assert len(results["reads"]) == len(results["writes"])
    assert results["reports"] and all(st == 200 for st in results["reports"]), server_errors(cluster)
    on_replica = reads(after, "replica") - reads(before, "replica")
    on_primary = reads(after, "primary") - reads(before, "primary")
    # every report page of the reader (who never writes) and most of the writers' reads ran on the replica
    assert on_replica >= len(results["reports"]), (on_replica, on_primary, len(results["reports"]))
    stored = cluster.pg.psql("SELECT count(*) FROM inventory_stockmovement WHERE reference LIKE 'RYW-%'")[0][0]
    assert stored == len(results["writes"])
    print(json.dumps({"writes": len(results["writes"]), "reports": len(results["reports"]),
                      "replica_reads": on_replica, "primary_reads": on_primary}))

    status, body = Browser(cluster.web_a.base, "").get("/healthz")
    checks = json.loads(body)["checks"]  # 503 here only for the missing worker heartbeat (no worker yet)
    assert status in (200, 503) and checks["replica"]["ok"] and checks["database"]["ok"]
    assert "hwerp_replica_lag_seconds" in after and after["hwerp_replica_up"] == 1


def test_replica_stopped_mid_run_reads_fall_back_without_error(cluster):
    before = cluster.metrics(cluster.web_a.base)
    try:
        results = run_load(cluster, seconds=15, fault=lambda: cluster.replica.stop("immediate"))
        after = cluster.metrics(cluster.web_a.base)
        assert all(st == 302 for _, st in results["writes"]), \
            ([w for w in results["writes"] if w[1] != 302][:5], server_errors(cluster))
        assert all(r[1] == 200 and r[2] for r in results["reads"]), [r for r in results["reads"] if not r[2]][:5]
        assert results["reports"] and all(st == 200 for st in results["reports"]), \
            (sorted(set(results["reports"])), server_errors(cluster))
        fell_back = sum(v for k, v in after.items() if k.startswith("hwerp_db_reads_total") and 'target="primary"' in k
                        and ('reason="unreachable"' in k or 'reason="failed_over"' in k)) - \
            sum(v for k, v in before.items() if k.startswith("hwerp_db_reads_total") and 'target="primary"' in k
                and ('reason="unreachable"' in k or 'reason="failed_over"' in k))
        assert fell_back > 0
        assert after.get("hwerp_replica_up") == 0
        status, body = Browser(cluster.web_b.base, "").get("/healthz")
        health = json.loads(body)
        # the replica is shown failing, but is not what decides the overall status (no worker: 503 for that)
        assert not health["checks"]["replica"]["ok"] and health["checks"]["database"]["ok"]
        assert (status == 200) == all(c["ok"] for name, c in health["checks"].items() if name != "replica")
    finally:
        cluster.replica.start()
    # back: after REPLICA_RETRY_SECONDS the reports read from the replica again
    wait_for(lambda: cluster.replica_has("auth_user", "username = 'reader'"), 60, "replica back")
    time.sleep(2.5)
    reader = Browser(cluster.web_a.base, cluster.data["sessions"]["reader"])
    before = cluster.metrics(cluster.web_a.base)
    for _ in range(6):
        assert reader.get("/inventory/movements/")[0] == 200
    assert reads(cluster.metrics(cluster.web_a.base), "replica") > reads(before, "replica")


def test_upload_through_one_instance_downloads_through_the_other(cluster):
    import requests

    session = cluster.data["sessions"]["writer0"]
    cookies = {"sessionid": session, "csrftoken": Browser.CSRF}
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + os.urandom(64)
    subject = f"cluster upload {uuid.uuid4().hex[:8]}"
    resp = requests.post(cluster.web_a.base + "/support/tickets/new/", cookies=cookies, allow_redirects=False,
                         headers={"X-CSRFToken": Browser.CSRF, "Referer": cluster.web_a.base + "/"}, timeout=30,
                         data={"category": "other", "priority": "normal", "subject": subject,
                               "description": "screenshot attached", "page_url": "", "_once": uuid.uuid4().hex},
                         files={"attachments": ("screen.png", png, "image/png")})
    assert resp.status_code == 302, resp.text[-2000:]
    att_id, name = cluster.pg.psql(
        "SELECT a.id, a.file FROM support_ticketattachment a JOIN support_ticket t ON t.id = a.ticket_id "
        f"WHERE t.subject = '{subject}'")[0]  # noqa: S608 - the test's own literal
    # stored in the bucket, not on the web host's disk
    obj = cluster.s3().get_object(Bucket=BUCKET, Key=f"erp/media/{name}")
    assert obj["Body"].read() == png
    assert not list((cluster.root / "var").rglob(Path(name).name))
    got = requests.get(f"{cluster.web_b.base}/support/attachments/{att_id}/", cookies=cookies, timeout=30)
    assert got.status_code == 200 and got.content == png
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    # the access check still applies: signed out, no file
    anon = requests.get(f"{cluster.web_b.base}/support/attachments/{att_id}/", allow_redirects=False, timeout=30)
    assert anon.status_code in (302, 403, 404) and anon.content != png


def test_workers_take_only_their_queues(cluster):
    workers = {"default": cluster.worker(name="wdefault", queues="default"),
               "io": cluster.worker(name="wio", queues="io"),
               "reports": cluster.worker(name="wreports", queues="reports,backup")}
    try:
        wait_for(lambda: all("ready" in cluster.log_tail(f"worker-w{q}", 20000) for q in workers), 90, "workers")
        cluster.shell("from hardware_erp.celery import app\n"
                      "for name in ('performance.compute_ended_periods_task', 'core.record_heartbeat_task', "
                      "'core.send_pending_emails_task', 'governance.run_backup_task'):\n"
                      "    app.send_task(name)\nprint('{}')")

        def ran(worker, task):  # "Task <name>[<id>] received" (the start banner lists every task without an id)
            return f"{task}[" in cluster.log_tail(f"worker-{worker}", 50000)

        def done():
            return (ran("wreports", "performance.compute_ended_periods_task")
                    and ran("wreports", "governance.run_backup_task")
                    and ran("wio", "core.send_pending_emails_task") and ran("wdefault", "core.record_heartbeat_task"))
        wait_for(done, 120, "tasks on their queues", interval=1)
        wait_for(lambda: re.search(r"governance.run_backup_task\[[^\]]+\] succeeded",
                                   cluster.log_tail("worker-wreports", 50000)), 180, "backup done", interval=1)
        for worker, task in (("wio", "performance.compute_ended_periods_task"),
                             ("wdefault", "governance.run_backup_task"),
                             ("wreports", "core.send_pending_emails_task"), ("wio", "core.record_heartbeat_task")):
            assert not ran(worker, task), (worker, task)
        m = cluster.metrics(cluster.web_a.base)
        assert m.get('hwerp_celery_tasks_total{state="succeeded",task="governance.run_backup_task"}', 0) >= 1
        assert "hwerp_backup_age_seconds" in m
    finally:
        for w in workers.values():
            cluster.stop_process(w)


def test_backup_in_object_storage_restore_verifies_the_download(cluster):
    # the worker's backup (previous test), or one made here
    out = cluster.manage("backup")
    keys = [o["Key"] for o in cluster.s3().list_objects_v2(Bucket=BUCKET, Prefix="erp/backups/").get("Contents", [])]
    names = sorted(k.rsplit("/", 1)[1] for k in keys if k.endswith(".hwbk"))
    assert names and all(f"erp/backups/{n}.sha256" in keys for n in names), (out, keys)
    name = names[-1]
    # restore on another host: nothing in its BACKUP_DIR, the file comes from the bucket and is checked
    cluster.pg.psql("CREATE DATABASE hwerp_restored", db="postgres")
    other = cluster.root / "other-host"
    target = cluster.pg.url("hwerp_restored")
    cluster.manage("restore", name, "--database-url", target, "--no-media", BACKUP_DIR=str(other))
    assert (other / name).exists()
    assert cluster.pg.psql("SELECT count(*) FROM auth_user", db="hwerp_restored")[0][0] == \
        cluster.pg.psql("SELECT count(*) FROM auth_user")[0][0]
    # a changed byte in the bucket: the download is refused before anything is decrypted or restored
    s3 = cluster.s3()
    body = bytearray(s3.get_object(Bucket=BUCKET, Key=f"erp/backups/{name}")["Body"].read())
    body[-10] ^= 0xFF
    s3.put_object(Bucket=BUCKET, Key=f"erp/backups/{name}", Body=bytes(body))
    with pytest.raises(RuntimeError, match="fails its checksum"):
        cluster.manage("restore", name, "--database-url", target, "--force", "--no-media",
                       BACKUP_DIR=str(cluster.root / "third-host"))


def test_behind_pgbouncer_in_transaction_mode(cluster):
    if not shutil.which("pgbouncer"):
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer)")
    url = cluster.start_bouncer()
    env = {"DATABASE_URL": url, "DISABLE_SERVER_SIDE_CURSORS": "true", "PG_OPTIONS": "", "DATABASE_REPLICA_URL": ""}
    # a server-side cursor (iterator) and an ordinary session through the pool, from a command
    out = cluster.manage("shell", "-c", "import json\nfrom inventory.models import StockMovement\n"
                         "n = sum(1 for _ in StockMovement.objects.all().iterator(chunk_size=5))\n"
                         "print(json.dumps({'n': n}))", **env)
    assert json.loads(out.strip().splitlines()[-1])["n"] > 0
    web = cluster.spawn("web-bouncer", [PYTHON, "-m", "gunicorn", "hardware_erp.wsgi:application", "--bind",
                                        f"127.0.0.1:{(port := free_port())}", "--workers", "2"], **env)
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: _port_open(port), 60, "gunicorn behind pgbouncer")
    time.sleep(1)
    writer = Browser(base, cluster.data["sessions"]["writer1"])
    for i in range(10):
        ref = f"BOUNCER-{i}-{uuid.uuid4().hex[:6]}"
        status, _ = writer.post("/inventory/movements/receipt/", {
            "product": cluster.data["products"][0], "quantity": "1", "to_location": cluster.data["locations"][0],
            "reference": ref, "idempotency_key": ref, "reason": ""})
        assert status == 302
        status, body = writer.get(f"/inventory/movements/?reference={ref}")
        assert status == 200 and ref in body
    assert writer.get("/inventory/movements/?_export=csv")[0] == 200
    cluster.stop_process(web)
