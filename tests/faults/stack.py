"""Private servers for the fault tests: a PostgreSQL 15 cluster, a Redis, gunicorn and Celery workers, each on its
own loopback port under a temporary directory, so that stopping or killing them never touches the shared
PostgreSQL (5432) and Redis (6379) that other test runs use. Everything here is bounded in time."""

import contextlib
import http.client
import http.cookiejar
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("FAULTS_PG_BIN", "/usr/lib/postgresql/15/bin"))
PYTHON = sys.executable


# Ports are drawn below the kernel's ephemeral range (32768-60999 by default): a port the kernel hands out for
# bind(0) is also what it gives the next outgoing connection, and two xdist workers' stacks drew the same one. Each
# server below also checks that the process answering on its port is its own, and draws again when it is not.
PORT_RANGE = (20000, 32000)
_handed_out: set[int] = set()


def free_port() -> int:
    for _ in range(500):
        port = random.randint(*PORT_RANGE)  # noqa: S311 - not a secret
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError(f"no free loopback port in {PORT_RANGE}")


def wait_for(predicate, timeout, what, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return time.monotonic()
        time.sleep(interval)
    raise TimeoutError(f"{what} not ready after {timeout}s")


def _as_postgres(cmd):
    """initdb and postgres refuse root: run them as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


class PrivatePostgres:
    def __init__(self, root: Path):
        self.root = root
        self.data = root / "pgdata"
        self.port = free_port()
        self.log = root / "postgres.log"

    def init(self):
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                                     "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]),
                       check=True, capture_output=True, timeout=120)
        with open(self.data / "postgresql.conf", "a") as fh:
            fh.write(f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\nunix_socket_directories = '{self.root}'\n"
                     "fsync = on\nmax_connections = 60\nshared_buffers = 32MB\n")
        return self

    def ctl(self, *args, timeout=60):
        return subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                                            "-w", "-t", str(timeout), *args]),
                              check=True, capture_output=True, timeout=timeout + 10)

    def start(self):
        """Start; on the first start a port taken meanwhile by another process is drawn again (up to 3 times)."""
        first = not getattr(self, "_started", False)
        for attempt in range(3):
            try:
                self.ctl("start")
                break
            except subprocess.CalledProcessError:
                if not first or attempt == 2 or "already in use" not in self._log_tail():
                    raise
                self.port = free_port()
                with open(self.data / "postgresql.conf", "a") as fh:
                    fh.write(f"\nport = {self.port}\n")
        self._started = True
        return self

    def _log_tail(self):
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def stop(self, mode="fast"):
        self.ctl("stop", "-m", mode)

    def restart(self, mode="immediate"):
        """Crash-stop (immediate: no checkpoint, recovery on start) and start again."""
        self.ctl("restart", "-m", mode)

    def running(self) -> bool:
        return subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "status"]),
                              capture_output=True).returncode == 0

    def url(self, db="hwerp_faults"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def psql(self, sql, db="hwerp_faults"):
        import psycopg2

        conn = psycopg2.connect(self.url(db))
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
                return cur.fetchall() if cur.description else None
        finally:
            conn.close()

    def cleanup(self):
        if self.data.exists() and self.running():
            with contextlib.suppress(Exception):
                self.stop("immediate")


class PrivateRedis:
    def __init__(self, root: Path):
        self.root = root
        self.port = free_port()
        self.proc = None

    def start(self):
        """Start and check that the Redis answering on the port is this one. On the first start a port taken by
        another process is drawn again; a restart keeps its port (the web and workers already have the URL)."""
        self.root.mkdir(parents=True, exist_ok=True)
        first = self.proc is None
        for attempt in range(3):
            self.proc = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
                 "--appendfsync", "always", "--dir", str(self.root), "--logfile", str(self.root / "redis.log")],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_for(lambda: self.proc.poll() is not None or self.ping(), 15, "private redis")
            if self.proc.poll() is None and self._pid() == self.proc.pid:
                return self
            self.stop()
            if not first or attempt == 2:
                raise RuntimeError(f"private redis could not take port {self.port}")
            self.port = free_port()
        return self

    def _send(self, command: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
            s.sendall(command)
            return s.recv(8192)

    def ping(self):
        try:
            return self._send(b"PING\r\n").startswith(b"+PONG")
        except OSError:
            return False

    def _pid(self):
        try:
            info = self._send(b"INFO server\r\n").decode("ascii", "replace")
        except OSError:
            return None
        for line in info.splitlines():
            if line.startswith("process_id:"):
                return int(line.split(":", 1)[1])
        return None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=15)

    def url(self, db=0):
        return f"redis://127.0.0.1:{self.port}/{db}"


class Stack:
    """A private PostgreSQL + Redis with the project migrated into it; gunicorn and workers started on demand."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="hwerp-faults-"))
        os.chmod(self.root, 0o755)  # noqa: S103 - the postgres user must reach its data directory
        self.pg = PrivatePostgres(self.root / "pg")
        self.redis = PrivateRedis(self.root / "redis")
        self.procs: list[subprocess.Popen] = []
        self.outbox = self.root / "mail"
        self.outbox.mkdir()
        self.static = self.root / "static"

    def env(self, **extra):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
        env.update(DATABASE_URL=self.pg.url(), REDIS_URL=self.redis.url(), DEBUG="false", OTP_ENFORCE="false",
                   SECRET_KEY="faults-" + "x" * 50, SECURE_SSL_REDIRECT="false", SECURE_COOKIES="false",
                   SECURE_HSTS_SECONDS="0", STATIC_ROOT=str(self.static), CONN_MAX_AGE="60",
                   EMAIL_URL=f"filemail:///{self.outbox}", CELERY_VISIBILITY_TIMEOUT="6", LOG_LEVEL="INFO",
                   PYTHONDONTWRITEBYTECODE="1", VAR_DIR=str(self.root / "var"))
        (self.root / "var").mkdir(exist_ok=True)
        for name in ("secret_key", "field_encryption_key", "blind_index_key"):
            src = BASE_DIR / "var" / name
            if src.exists() and not (self.root / "var" / name).exists():
                shutil.copy(src, self.root / "var" / name)
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def manage(self, *args, timeout=300, **env):
        out = subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, env=self.env(**env), capture_output=True,
                             text=True, timeout=timeout)
        if out.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
        return out.stdout

    def shell(self, code, timeout=120):
        """Run Python in a Django shell of the stack; returns the last line it prints, parsed as JSON."""
        out = self.manage("shell", "-c", code, timeout=timeout)
        return json.loads(out.strip().splitlines()[-1])

    def start(self):
        self.pg.init().start()
        self.pg.psql("CREATE DATABASE hwerp_faults", db="postgres")
        self.redis.start()
        self.manage("migrate", "--noinput")
        self.manage("sync_roles")
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        return self

    # --- processes ---
    def spawn(self, name, cmd, **env):
        log = open(self.root / f"{name}.log", "a")
        proc = subprocess.Popen(cmd, cwd=BASE_DIR, env=self.env(**env), stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        proc.log_path = self.root / f"{name}.log"
        self.procs.append(proc)
        return proc

    def gunicorn(self, workers=2, timeout=30, threads=1, name="gunicorn"):
        for attempt in range(3):
            port = free_port()
            proc = self.spawn(name, [PYTHON, "-m", "gunicorn", "hardware_erp.wsgi:application", "--bind",
                                     f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
                                     "--timeout", str(timeout), "--graceful-timeout", "5"])
            proc.base = f"http://127.0.0.1:{port}"
            # gunicorn says "Listening at" once it holds the port (a taken port: it retries, then exits)
            wait_for(lambda p=proc: p.poll() is not None or f"Listening at: {p.base}" in self.log_tail(name, 20000),
                     60, "gunicorn bound")
            if proc.poll() is None:
                wait_for(lambda p=proc: _get_status(p.base + "/healthz") in (200, 503), 60, "gunicorn")
                return proc
            self.procs.remove(proc)
            if attempt == 2:
                raise RuntimeError(f"gunicorn exited on start:\n{self.log_tail(name)}")
        return proc

    def worker(self, name="w1", pool="solo", queues="default,io,reports,backup", include=""):
        cmd = [PYTHON, "-m", "celery", "-A", "hardware_erp", "worker", "--pool", pool, "--concurrency", "1",
               "--without-gossip", "--without-mingle", "--loglevel", "INFO", "-Q", queues, "-n", f"{name}@faults"]
        if include:
            cmd += ["--include", include]
        return self.spawn(f"worker-{name}", cmd)

    def kill(self, proc, sig=signal.SIGKILL):
        if proc.poll() is None:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=20)

    def stop_process(self, proc):
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=15)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                self.kill(proc)

    def cleanup(self):
        for proc in self.procs:
            with contextlib.suppress(Exception):
                self.stop_process(proc)
        self.redis.stop()
        self.pg.cleanup()
        # the logs of the last run stay in var/faults-logs for a look after a failure
        keep = BASE_DIR / "var" / "faults-logs"
        shutil.rmtree(keep, ignore_errors=True)
        keep.mkdir(parents=True, exist_ok=True)
        for log in [*self.root.glob("*.log"), self.pg.log]:
            if log.exists():
                shutil.copy(log, keep / log.name)
        shutil.rmtree(self.root, ignore_errors=True)

    def integrity(self) -> dict:
        """check_integrity on the stack's database: {"ok": bool, "problems": [...]}."""
        return self.shell(
            "import json\nfrom hardware_erp.core.integrity import run_checks\nr = run_checks()\n"
            "print(json.dumps({'ok': r.ok, 'problems': [x for x in r.results if not x['ok']]}))")

    def log_tail(self, name, n=3000):
        path = self.root / f"{name}.log"
        return path.read_text(errors="replace")[-n:] if path.exists() else ""


def _get_status(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - loopback http only
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


class Browser:
    """A signed-in HTTP client for a gunicorn of the stack: a session cookie and a CSRF cookie made by the test."""

    CSRF = "f" * 32

    def __init__(self, base, session_key):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.session_key = session_key
        self.opener = urllib.request.build_opener(_NoRedirect)

    def _headers(self, extra=None):
        h = {"Cookie": f"sessionid={self.session_key}; csrftoken={self.CSRF}", "X-CSRFToken": self.CSRF,
             "Referer": self.base + "/"}
        h.update(extra or {})
        return h

    def request(self, method, path, data=None, timeout=15):
        """(status, body) — status None when the connection failed or timed out."""
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        headers = self._headers({"Content-Type": "application/x-www-form-urlencoded"} if body else None)
        req = urllib.request.Request(self.base + path,  # noqa: S310 - loopback http only
                                     data=body, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=timeout) as resp:
                return resp.status, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as exc:
            return None, repr(exc)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, data, **kw):
        return self.request("POST", path, data=data, **kw)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


SETUP_CODE = """
import json
from decimal import Decimal
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from inventory.models import Category, Location, Product, UnitOfMeasure, Warehouse
from inventory.services import post_movement
User = get_user_model()
user, _ = User.objects.get_or_create(username="faultclerk", defaults={"email": "clerk@example.com"})
from hardware_erp.core.roles import ROLES
for role in ("warehouse_clerk", "purchaser", "general_manager"):
    user.groups.add(Group.objects.get(name=ROLES[role].group))
user.is_superuser = True
user.save()
unit, _ = UnitOfMeasure.objects.get_or_create(code="pcs", defaults={"name_zh": "个", "name_en": "piece"})
cat, _ = Category.objects.get_or_create(code="faults", defaults={"name_zh": "故障", "name_en": "Faults"})
wh, _ = Warehouse.objects.get_or_create(code="FLT", defaults={"name_zh": "故障仓", "name_en": "Fault warehouse"})
locs = [Location.objects.get_or_create(warehouse=wh, code=f"F-{i:02d}")[0] for i in range(4)]
products = [Product.objects.get_or_create(sku=f"FLT-{i:03d}", defaults=dict(name_zh=f"螺母{i}", name_en=f"Nut {i}",
            category=cat, base_unit=unit, standard_cost=Decimal("0.30"), list_price=Decimal("0.50")))[0]
            for i in range(6)]
s = SessionStore()
s[SESSION_KEY] = str(user.pk)
s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
s[HASH_SESSION_KEY] = user.get_session_auth_hash()
s.create()
print(json.dumps({"user": user.pk, "session": s.session_key, "warehouse": wh.pk, "locations": [l.pk for l in locs],
                  "products": [p.pk for p in products]}))
"""
