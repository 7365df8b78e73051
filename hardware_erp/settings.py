"""Hardware ERP settings: one module, every value from the environment (django-environ).

Every variable is documented in .env.example and the README.
"""

import secrets
import sys
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")
DEBUG = env.bool("DEBUG", default=False)


def _secret_key() -> str:
    key = env.str("SECRET_KEY", default="")
    if key:
        return key
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    if TESTING:
        return "test-only-" + secrets.token_urlsafe(32)
    if DEBUG:
        key_file.write_text(secrets.token_urlsafe(50))
        return key_file.read_text().strip()
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set the SECRET_KEY environment variable (see .env.example), "
        "or run 'make run', which generates var/secret_key once."
    )


SECRET_KEY = _secret_key()


def _key_file(name: str, make) -> str:
    """A key kept in var/ for `make run`; tests use fixed keys; production must set the variable."""
    path = VAR_DIR / name
    if path.exists():
        return path.read_text().strip()
    if TESTING:
        return make(seed=name)
    if not DEBUG and not env.bool("ALLOW_GENERATED_KEYS", default=False):
        raise ImproperlyConfigured(f"{name.upper()} is not set: see .env.example (field encryption keys).")
    try:
        with open(path, "x") as fh:
            fh.write(make())
    except FileExistsError:
        pass
    return path.read_text().strip()


def _fernet_key(seed=None) -> str:
    import base64
    import hashlib

    raw = hashlib.sha256(seed.encode()).digest() if seed else secrets.token_bytes(32)
    return base64.urlsafe_b64encode(raw).decode()


# Field encryption (hardware_erp/core/fields.py): the first key encrypts, all decrypt; rotate with `rotate_keys`.
FIELD_ENCRYPTION_KEYS = (env.list("FIELD_ENCRYPTION_KEYS", default=[])
                         or [_key_file("field_encryption_key", _fernet_key)])
# Backups (governance/backup.py): where, the encryption keys (first encrypts, all decrypt), retention counts.
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(VAR_DIR / "backups")))
# Without BACKUP_KEYS (production must set it) a key under var/ is used in development; otherwise backups
# refuse to run, say why and notify IT.
BACKUP_KEYS = env.list("BACKUP_KEYS", default=[]) or (
    [_key_file("backup_key", _fernet_key)]
    if DEBUG or TESTING or env.bool("ALLOW_GENERATED_KEYS", default=False) or (VAR_DIR / "backup_key").exists()
    else [])
BACKUP_KEEP_DAILY = env.int("BACKUP_KEEP_DAILY", default=7)
BACKUP_KEEP_WEEKLY = env.int("BACKUP_KEEP_WEEKLY", default=4)
BACKUP_KEEP_MONTHLY = env.int("BACKUP_KEEP_MONTHLY", default=6)
# a run with no finish time after this many hours was killed mid-run: the next run marks it failed with that reason
BACKUP_STALE_HOURS = env.int("BACKUP_STALE_HOURS", default=6)
# A customer status link works this many days after it was made (sent); the rep renews it from the order page.
STATUS_LINK_DAYS = env.int("STATUS_LINK_DAYS", default=90)
# Keyed hash for exact-match search on encrypted fields; never rotates with the encryption keys.
BLIND_INDEX_KEY = env.str("BLIND_INDEX_KEY", default="") or _key_file("blind_index_key", _fernet_key)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "import_export",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from static files, no CDN
    "hardware_erp.core",
    "inventory",
    "crm",
    "orders",
    "governance",
    "training",
    "support",
    "performance",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "hardware_erp.core.metrics.MetricsMiddleware",
    "support.middleware.RequestMonitorMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "hardware_erp.core.middleware.BodySizeLimitMiddleware",  # before anything reads the body
    "django.contrib.messages.middleware.MessageMiddleware",
    "hardware_erp.core.middleware.InputGuardMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "governance.middleware.SecurityLogMiddleware",
    "governance.middleware.AccountGateMiddleware",
    "hardware_erp.core.db_routing.ReplicaReadsMiddleware",  # last: it runs the view itself (read pages only)
]

ROOT_URLCONF = "hardware_erp.urls"
WSGI_APPLICATION = "hardware_erp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hardware_erp.core.context_processors.shell",
                "support.context_processors.banners",
            ],
        },
    },
]

# --- Database: PostgreSQL from DATABASE_URL, else an embedded SQLite file under var/ ---
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT spends 0.5-1 s compiling any plan whose estimate passes jit_above_cost (a search with an
    # OR-ed EXISTS over 100,000 customers): a loss for an ERP's short queries, so the app's sessions go without it
    if "postgresql" in DATABASES["default"]["ENGINE"]:  # DATABASE_URL may also name an SQLite file
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options",
                                                                   env.str("PG_OPTIONS", default="-c jit=off"))
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE",
                        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
            # a file, not memory, so that a real worker process started by a test sees the data
            "TEST": {"NAME": str(VAR_DIR / "test_db.sqlite3")},
        }
    }
# Covering indexes (INCLUDE) are PostgreSQL's: on SQLite the index is made with its key columns only, which is all
# the embedded default needs, so its warning (models.W040) is not shown on every `make run`
SILENCED_SYSTEM_CHECKS = ["models.W040"] if "sqlite" in DATABASES["default"]["ENGINE"] else []
# PgBouncer in transaction mode (docs/deployment.md): a server connection serves a different client after every
# transaction, so named server-side cursors (.iterator() on PostgreSQL) cannot live across transactions there
DISABLE_SERVER_SIDE_CURSORS = env.bool("DISABLE_SERVER_SIDE_CURSORS", default=False)
if "postgresql" in DATABASES["default"]["ENGINE"]:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = DISABLE_SERVER_SIDE_CURSORS
# A PostgreSQL streaming replica for reads that may be served from it (hardware_erp/core/db_routing.py):
# reports, analytics, dashboards, exports, list pages, the KPI engine, suggestions, the data-quality scan.
# Unset: everything reads the primary.
if env.str("DATABASE_REPLICA_URL", default="") and "postgresql" in DATABASES["default"]["ENGINE"]:
    DATABASES["replica"] = {**env.db("DATABASE_REPLICA_URL"), "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
                            "CONN_HEALTH_CHECKS": True, "DISABLE_SERVER_SIDE_CURSORS": DISABLE_SERVER_SIDE_CURSORS,
                            "TEST": {"MIRROR": "default"}}
    DATABASES["replica"].setdefault("OPTIONS", {}).update(
        {"options": DATABASES["default"]["OPTIONS"]["options"],
         "connect_timeout": env.int("REPLICA_CONNECT_TIMEOUT", default=2)})
    DATABASE_ROUTERS = ["hardware_erp.core.db_routing.ReplicaRouter"]
# reads fall back to the primary past this replay lag, and while the replica is unreachable (asked again after
# REPLICA_RETRY_SECONDS); a user's reads stay on the primary after their write until the replica has replayed it,
# at most REPLICA_RYW_SECONDS (keep it above REPLICA_MAX_LAG_SECONDS)
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=10.0)
REPLICA_RYW_SECONDS = env.int("REPLICA_RYW_SECONDS", default=60)
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=1.0)
REPLICA_RETRY_SECONDS = env.float("REPLICA_RETRY_SECONDS", default=10.0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and Django cache when REDIS_URL is set ---
REDIS_URL = env.str("REDIS_URL", default="")
BROKER_DIR = Path(env.str("BROKER_DIR", default=str(VAR_DIR / "broker")))
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL, "KEY_PREFIX": "hwerp"}}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
else:
    # No server: a file cache under var/ that every process shares (each gunicorn worker, the Celery worker and
    # beat, manage.py commands), so a change one process makes (a published agreement, an incident banner) is
    # seen by the others at once, as with Redis. A per-process memory cache would not be (docs/deployment.md).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": env.str("CACHE_DIR", default=str(VAR_DIR / "cache")),
                          "OPTIONS": {"MAX_ENTRIES": 5000}}}
    CELERY_BROKER_URL = "filesystem://"
    for _sub in ("queue", "processed", "control"):
        (BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(BROKER_DIR / "control"),
    }
    # the filesystem transport has no fan-out exchange for remote control
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False

CELERY_TIMEZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
if REDIS_URL:
    # beat's schedule and its lock in Redis (celery-redbeat): a second beat on another host waits for the lock
    # and takes over when the first dies, without firing anything twice
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = REDIS_URL
    CELERY_REDBEAT_KEY_PREFIX = env.str("REDBEAT_KEY_PREFIX", default="hwerp:redbeat:")
    CELERY_REDBEAT_LOCK_TIMEOUT = env.int("REDBEAT_LOCK_TIMEOUT", default=60)
    CELERY_BEAT_MAX_LOOP_INTERVAL = 5  # how often beat renews the lock; a standby takes over within the timeout
# Queues by kind, so that a slow carrier API or a long report never delays stock alerts (docs/deployment.md):
# default (alerts, outbox, heartbeats, everything not named), io (e-mail, carrier and webhook calls), reports (KPI,
# suggestions, integrity, exports), backup. A worker started without -Q consumes all four.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue(name) for name in ("default", "io", "reports", "backup")]
CELERY_TASK_ROUTES = [{
    "*email*": {"queue": "io"}, "*digest*": {"queue": "io"}, "*webhook*": {"queue": "io"},
    "orders.*tracking*": {"queue": "io"}, "*carrier*": {"queue": "io"}, "api.*deliver*": {"queue": "io"},
    "performance.compute_*": {"queue": "reports"}, "inventory.compute_suggestions_task": {"queue": "reports"},
    "*export*": {"queue": "reports"}, "core.check_integrity_task": {"queue": "reports"},
    "governance.*quality*": {"queue": "reports"},
    "governance.*backup*": {"queue": "backup"},
}]
# The beat schedule, one dict per app (each app edits only its own line or block).
BEAT_CORE = {
    "worker-heartbeat": {"task": "core.record_heartbeat_task", "schedule": 15.0},
    "drain-notification-email": {"task": "core.send_pending_emails_task", "schedule": 60.0},
    "drain-outbox": {"task": "core.drain_outbox_task", "schedule": 60.0},
    "prune-form-submissions": {"task": "core.prune_form_submissions_task", "schedule": crontab(hour=3, minute=10)},
    "prune-exports": {"task": "core.prune_exports_task", "schedule": 3600.0},
    "check-integrity-nightly": {"task": "core.check_integrity_task",
                                "schedule": crontab(hour=2, minute=30)},
}

BEAT_INVENTORY = {"inventory-check-thresholds": {"task": "inventory.check_thresholds_task", "schedule": 900.0},
                  "inventory-purchase-suggestions": {"task": "inventory.compute_suggestions_task",
                                                     "schedule": crontab(hour=2, minute=30)}}

CRM_DIGEST_HOUR = env.int("CRM_DIGEST_HOUR", default=8)  # the morning digest: once a day at this hour, local time
BEAT_CRM = {"crm-followup-reminders": {"task": "crm.send_followup_reminders_task", "schedule": 300.0},
            "crm-morning-digest": {"task": "crm.send_morning_digest_task",
                                   "schedule": crontab(hour=CRM_DIGEST_HOUR, minute=0)},
            "crm-stale-opportunities": {"task": "crm.flag_stale_opportunities_task", "schedule": 3600.0}}

BEAT_ORDERS = {"orders-poll-tracking": {"task": "orders.poll_tracking_task", "schedule": 1800.0}, "orders-customer-emails": {"task": "orders.send_pending_customer_emails_task", "schedule": 600.0}, "orders-overdue-reminders": {"task": "orders.send_overdue_reminders_task", "schedule": 21600.0}}  # noqa: E501

BEAT_GOVERNANCE = {
    "nightly-backup": {"task": "governance.run_backup_task", "schedule": crontab(hour=2, minute=30)},
    "weekly-backup-verification": {"task": "governance.verify_backup_task",
                                   "schedule": crontab(hour=4, minute=0, day_of_week="sunday")},
}

BEAT_TRAINING = {"training-reminders": {"task": "training.send_training_reminders_task", "schedule": 3600.0}}

BEAT_SUPPORT = {"check-ticket-slas": {"task": "support.check_ticket_slas_task", "schedule": 300.0}, "create-due-inspections": {"task": "support.create_due_inspections_task", "schedule": 3600.0}, "check-systems": {"task": "support.check_systems_task", "schedule": 300.0}, "prune-request-records": {"task": "support.prune_request_records_task", "schedule": 86400.0}}  # noqa: E501

BEAT_API = {"api-retry-deliveries": {"task": "api.retry_deliveries_task", "schedule": 60.0},
            "api-prune": {"task": "api.prune_task", "schedule": 86400.0}}

BEAT_PERFORMANCE = {"compute-ended-periods": {"task": "performance.compute_ended_periods_task", "schedule": 3600.0}}

CELERY_BEAT_SCHEDULE = {**BEAT_CORE, **BEAT_INVENTORY, **BEAT_CRM, **BEAT_ORDERS, **BEAT_GOVERNANCE, **BEAT_TRAINING,
                        **BEAT_SUPPORT, **BEAT_PERFORMANCE, **BEAT_API}

# --- Auth ---
AUTHENTICATION_BACKENDS = [
    "training.backends.TrainingGateBackend",  # first: denies gated permissions until the course is passed
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind a reverse proxy: how many proxies in front of gunicorn append to X-Forwarded-For (nginx alone: 1). The client
# address of the lock-out, the security log and the session list is taken from there (hardware_erp/core/network.py);
# 0 (no proxy) ignores the header, which any client can send.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "hardware_erp.core.network.client_ip"
# Two-factor sign-in (TOTP, django-otp): with OTP_ENFORCE on, superusers and these roles must set it up;
# everyone else may. On by default with DEBUG off (production); `make run` (the demo) and the tests turn it off,
# and `manage.py check --deploy` warns while it is off (hardware_erp/core/checks.py).
OTP_ENFORCE = env.bool("OTP_ENFORCE", default=not DEBUG and not TESTING)
OTP_REQUIRED_ROLES = ("general_manager", "sales_manager", "it_admin")
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Hardware ERP")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # no key, no otpauth QR code in the admin (governance/admin.py)
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=120) * 60
SESSION_SAVE_EVERY_REQUEST = True  # the expiry counts from the last request: an idle timeout
SESSION_EXPIRE_AT_BROWSER_CLOSE = False

# --- Security (production values unless DEBUG) ---
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response (django-csp): scripts and style sheets only from this site (every script
# is a static file: no inline <script>, no on*= attributes, no eval); style="" attributes are allowed on purpose
# (style-src-attr: layout widths in templates, and they cannot run code); images also from data: (Bootstrap's icons
# in its CSS) and blob: (labels, camera frames); the training videos' players in frames; nothing may frame us.
SELF, NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "media-src": [SELF, "blob:"],
        "worker-src": [SELF, "blob:"],
        "frame-src": ["https://player.bilibili.com", "https://www.youtube-nocookie.com"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# A whole request (a form with several attachments) above this is refused by its Content-Length before it is read;
# nginx's client_max_body_size should say the same (docs/deployment.md).
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=25 * 1024 * 1024)
# List exports: up to this many rows the file is answered at once; past it a worker writes it (core/export_jobs.py)
LIST_EXACT_COUNT_MAX = env.int("LIST_EXACT_COUNT_MAX", default=10000)  # list pages count past it by estimate
# a list searched lookup by lookup (core.pagination.AnyOf) counts each lookup's first rows only, up to this
LIST_PARTS_EXACT_COUNT_MAX = env.int("LIST_PARTS_EXACT_COUNT_MAX", default=1000)
EXPORT_SYNC_MAX_ROWS = env.int("EXPORT_SYNC_MAX_ROWS", default=2000)
EXPORT_KEEP_HOURS = env.int("EXPORT_KEEP_HOURS", default=24)  # a written export is offered this long, then deleted
# shared by the web and the workers that write exports (one host, or a shared volume)
EXPORT_DIR = Path(env.str("EXPORT_DIR", default=str(VAR_DIR / "exports")))

# --- Internationalisation ---
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["hardware_erp.formats"]  # zh_Hans: thousands grouped with a comma
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True
CURRENCY = "CNY"
# a list filter's empty choice reads "All" (全部), not django-filter's "---------"
FILTERS_EMPTY_CHOICE_LABEL = _("All")

# --- Static and media ---
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                    if not (DEBUG or TESTING) else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Object storage (S3 or S3-compatible, django-storages) for uploads and backups, shared by every host:
# STORAGE_URL=s3://<bucket>[/<prefix>]?endpoint=<url>&region=<name>, credentials from AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY. Uploads go under <prefix>/media, backups under <prefix>/backups (or BACKUP_STORAGE_URL;
# BACKUP_DIR is then only where a backup is written before its upload and where a restore downloads it).
# The bucket stays private: files are downloaded through the app's views, which check access first.
STORAGE_URL = env.str("STORAGE_URL", default="")


def _s3_storage(url: str, location: str) -> dict:
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ImproperlyConfigured("STORAGE_URL must look like s3://bucket/prefix?endpoint=...&region=...")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    prefix = parts.path.strip("/")
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": parts.netloc, "location": f"{prefix}/{location}".strip("/"),
        "endpoint_url": query.get("endpoint") or None, "region_name": query.get("region") or None,
        "addressing_style": query.get("addressing", "path"), "default_acl": None, "file_overwrite": False,
        "querystring_auth": True, "querystring_expire": env.int("STORAGE_URL_EXPIRE_SECONDS", default=60),
        # the SDK checks each upload against a checksum it sends along
        "object_parameters": {"ChecksumAlgorithm": "SHA256"},
    }}


if STORAGE_URL:
    STORAGES["default"] = _s3_storage(STORAGE_URL, "media")
if env.str("BACKUP_STORAGE_URL", default="") or STORAGE_URL:
    STORAGES["backups"] = _s3_storage(env.str("BACKUP_STORAGE_URL", default="") or STORAGE_URL, "backups")
MEDIA_URL = "media/"

# --- E-mail: console by default, EMAIL_URL (smtp://user:pass@host:port) for real mail ---
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Hardware ERP <erp@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Libraries ---
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False
SIMPLE_HISTORY_REVERT_DISABLED = True  # history is append-only; key data changes go through change requests

# --- Metrics (hardware_erp/core/metrics.py): /metrics for these addresses or networks, or with the bearer token ---
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# --- Project ---
HEARTBEAT_MAX_AGE_SECONDS = env.int("HEARTBEAT_MAX_AGE_SECONDS", default=90)
# /healthz tells anyone ok / not ok per component; staff, or a monitor sending "Authorization: Bearer <this>", also
# get the details (error text, host names)
HEALTHZ_TOKEN = env.str("HEALTHZ_TOKEN", default="")
# links in e-mails; by default the address the web process listens on (BIND, as `make run` and the Procfile use it)
SITE_URL = env.str("SITE_URL", default=f"http://{env.str('BIND', default='127.0.0.1:8000')}")

# --- CRM reminders (crm/services.py) ---
CRM_REMINDER_LEAD_MINUTES = env.int("CRM_REMINDER_LEAD_MINUTES", default=60)
CRM_STALE_DAYS = env.int("CRM_STALE_DAYS", default=14)

# --- Orders: the Kuaidi100 carrier adapter (orders/carriers.py); unset customer/key: tracking by hand only ---
KUAIDI100_CUSTOMER = env.str("KUAIDI100_CUSTOMER", default="")
KUAIDI100_KEY = env.str("KUAIDI100_KEY", default="")
KUAIDI100_SALT = env.str("KUAIDI100_SALT", default="")
KUAIDI100_QUERY_URL = env.str("KUAIDI100_QUERY_URL", default="https://poll.kuaidi100.com/poll/query.do")
KUAIDI100_POLL_URL = env.str("KUAIDI100_POLL_URL", default="https://poll.kuaidi100.com/poll")
KUAIDI100_TIMEOUT = env.float("KUAIDI100_TIMEOUT", default=10.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
CSRF_FAILURE_VIEW = "hardware_erp.core.views.csrf_failure"

# --- The open API (/api/v1/, docs/api.md): Django REST framework, schema by drf-spectacular ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.TokenAuthentication",
                                       "api.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ModulePermission"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend",
                                "rest_framework.filters.OrderingFilter"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Hardware ERP API",
    "DESCRIPTION": "Customers, stock, orders, purchasing, stocktakes and tickets under the same roles and rules "
                   "as the screens. See docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"CustomerKindEnum": "crm.choices.CustomerKindChoices",
                            "TicketStatusEnum": "support.choices.TicketStatus",
                            "ShipmentStatusEnum": "orders.choices.ShipmentStatus",
                            "StocktakeStatusEnum": "inventory.choices.StocktakeStatus",
                            "PurchaseOrderStatusEnum": "inventory.choices.POStatus"},
}
