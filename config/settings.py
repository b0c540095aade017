"""The one settings module. Every deployment knob comes from an environment variable.

Defaults let a fresh clone run (SQLite in var/, tasks in-process); production sets
DEBUG=false, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL. See README.md.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_clock, env_date, env_int, env_list, env_str, env_url_map

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)
_DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=false")
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured("SECRET_KEY is the development key; set a real one")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "estates",
    "works",
    "inspections",
    "coverage",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it inspects the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "estates.context_processors.navigation",
            ],
            # ``when`` (the one time format) and ``audit_value`` in every template.
            "builtins": ["estates.templatetags.ui"],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# Persistent connections: measured ~130 req/s with CONN_MAX_AGE=0 against ~490 with reuse.
_default_db = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
try:
    DATABASES = {
        "default": dj_database_url.parse(
            env_str("DATABASE_URL", _default_db),
            conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL cannot be read: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets the demo server read while a request writes; the timeout rides out a
    # short write lock instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compiles plans whose estimated cost is high; at nation scale it spent up to 4 s
    # of a 4.3 s page compiling (measured), and the app's queries are short: off. A
    # statement timeout bounds what one request can hold (0 = none; workers running long
    # jobs may set a larger DB_STATEMENT_TIMEOUT in their own environment).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c jit=off -c statement_timeout={env_int('DB_STATEMENT_TIMEOUT', 30) * 1000}"
    )
if env_str("TEST_DB_NAME"):
    # Lets several checkouts run their PostgreSQL tests on one server side by side.
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DB_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# `manage.py bench` only: mounts /bench/floor/ (one INSERT) on the bench's own gunicorn.
BENCH_FLOOR = env_bool("BENCH_FLOOR", False)

# --- Authentication -------------------------------------------------------------------
AUTH_USER_MODEL = "estates.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading the unread-message count with the user.
    "estates.backends.Backend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "estates.passwords.SequenceValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions live in the database (not in a Redis cache) so a Redis outage never logs
# anyone out; they expire after SESSION_IDLE_MINUTES without a request. Not saved on
# every request (one UPDATE per page view): estates.sessions saves an unchanged session
# once its last save is SESSION_REFRESH_SECONDS old, which keeps the idle timeout to
# within that minute.
SESSION_ENGINE = "estates.sessions"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_REFRESH_SECONDS = 60
SESSION_SAVE_EVERY_REQUEST = False
if SESSION_COOKIE_AGE < 2 * SESSION_REFRESH_SECONDS:
    raise ImproperlyConfigured("SESSION_IDLE_MINUTES must be at least 2")
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Lockout after repeated failures, keyed on the account *and* the address together
# (ASVS 2.2.1): typing hq's name with wrong passwords from elsewhere locks only that
# pair, never hq at their own desk; a street office sits behind one address, and one
# clerk's typos lock only that clerk there. Guessing one password across many accounts
# is held back by the per-address throttles (the token endpoint; the log-in form).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_VERBOSE = False

# --- Security (manage.py check --deploy passes with DEBUG=false) -----------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the API docs page reads the token to send it back
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# SERVE_HTTPS=false is for a production-like serve on this machine over plain HTTP
# (`make run`): no redirect to HTTPS, no HSTS, cookies not limited to HTTPS.
SERVE_HTTPS = not DEBUG and env_bool("SERVE_HTTPS", True)
if SERVE_HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Content-Security-Policy (django-csp): every script and stylesheet comes from the app
# itself; no inline <script>, no on*= attributes, no <style> blocks in pages. Inline
# style *attributes* stay allowed: the server draws bars and Gantt positions as
# widths/offsets computed from the data (numbers only, escaped), never user text.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Language, time -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# The one way dates, times and grouped numbers are written: config/formats/zh_Hans.
FORMAT_MODULE_PATH = ["config.formats"]

# Every date a user can enter lies in this window (checked in the model; see
# estates/validators.py), so no page drawing a time axis meets year 9999.
DATE_MIN = env_date("DATE_MIN", "2000-01-01")
DATE_MAX = env_date("DATE_MAX", "2100-12-31")
if DATE_MIN >= DATE_MAX:
    raise ImproperlyConfigured("DATE_MIN must be before DATE_MAX")

# Ledger import (estates/importing.py): the upload, its inflated size, its rows.
IMPORT_MAX_MB = env_int("IMPORT_MAX_MB", 10)
IMPORT_MAX_INFLATED_MB = env_int("IMPORT_MAX_INFLATED_MB", 60)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20000)

# --- Files ----------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
# Uploaded photos live outside the static root and are served only by views that check
# the viewer's scope; MEDIA_URL is deliberately not routed.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# A request body without its files (form fields, a JSON body): the API honours it too
# (estates.api_base parsers). Photos are files and have their own limit (estates.photos).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("REQUEST_BODY_MAX_MB", 2) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous request is told 401 with "WWW-Authenticate: Token".
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Per address; the token endpoint's own scope is tight (password guessing).
    "DEFAULT_THROTTLE_RATES": {"token-login": env_str("API_TOKEN_LOGIN_RATE", "10/min")},
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "estates.parsers.JSONParser",
        "estates.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "estates.schema.AutoSchema",
    "EXCEPTION_HANDLER": "estates.api_base.exception_handler",
}
# API tokens expire and can be revoked (POST /api/auth/logout/, /api/auth/logout-all/).
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env_int("API_TOKEN_HOURS", 10)),
    "TOKEN_LIMIT_PER_USER": 20,
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "中原区老旧小区整治改造平台 API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Read-only fields out of request bodies, so a generated client sends what is asked.
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The eight checklist fields of a patrol share one set of choices.
    "ENUM_NAME_OVERRIDES": {"CheckResultEnum": "inspections.models.CheckResult"},
}

# --- The Tuesday cycle -----------------------------------------------------------------
# Street offices' weekly reports are due on the Tuesday of the meeting at this time
# (Asia/Shanghai); later is late, none by then is missing.
WEEKLY_REPORT_DEADLINE = env_clock("WEEKLY_REPORT_DEADLINE", "12:00")

# --- Celery ---------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
# Without a broker every task runs inside the request that enqueues it. Fine for a fresh
# clone, the tests and `make run`; in production it would hide a missing REDIS_URL, so
# with DEBUG=false it has to be asked for by name.
TASKS_IN_PROCESS = env_bool("TASKS_IN_PROCESS", DEBUG)
if not REDIS_URL and not TASKS_IN_PROCESS:
    raise ImproperlyConfigured(
        "REDIS_URL must be set when DEBUG=false "
        "(or set TASKS_IN_PROCESS=true to run Celery tasks in-process, without Redis)"
    )
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = None
    CELERY_TASK_IGNORE_RESULT = True
    # A sick Redis must not hang a request: bounded connect and publish retries.
    CELERY_BROKER_CONNECTION_TIMEOUT = 2
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_timeout": 2,
        "socket_connect_timeout": 2,
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.5,
        "interval_max": 1,
        # Longer than any task we run, so acks_late never re-delivers a running task.
        "visibility_timeout": 4 * 3600,
    }
    # One quick attempt: a job whose publish fails stays queued and the outbox sweep
    # (estates.outbox, every minute) sends it again, so the user is answered at once.
    CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_max": 0.5}
    CELERY_TASK_ACKS_LATE = True
    CELERY_WORKER_PREFETCH_MULTIPLIER = 1
else:
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
    CELERY_BROKER_URL = "memory://"
# Periodic jobs; exactly one `celery -A config beat` runs them in production. Each task is
# idempotent and can be run by hand through its management command.
CELERY_BEAT_SCHEDULE = {
    # Yesterday's unfiled patrol records, once the day is over.
    "inspections-record-missed-patrols": {
        "task": "inspections.record_missed_patrols",
        "schedule": crontab(hour=0, minute=30),
    },
    "coverage-schedule-reinspections": {
        "task": "coverage.tasks.schedule_reinspections",
        "schedule": crontab(hour=6, minute=0, day_of_week=1),
    },
}

# --- Messages and reminders ---------------------------------------------------------
# In-app messages are always on. Outside channels are off unless set: e-mail through
# Django's mail settings, and a group robot (企业微信/钉钉) URL per street office, keyed by
# its short name. A failing channel is retried by the sweep; it never blocks an action.
NOTIFY_EMAIL = env_bool("NOTIFY_EMAIL", False)
NOTIFY_WEBHOOKS = env_url_map("NOTIFY_WEBHOOKS")
NOTIFY_WEBHOOK_TIMEOUT = env_int("NOTIFY_WEBHOOK_TIMEOUT", 3)
# The hour (Asia/Shanghai) after which a street office is reminded of unfiled patrols.
NOTIFY_PATROL_HOUR = env_int("NOTIFY_PATROL_HOUR", 17)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@localhost")
# The outbox sweep: jobs whose task the broker never took (or lost) are sent again.
OUTBOX_RESEND_MINUTES = env_int("OUTBOX_RESEND_MINUTES", 10)
EXPORT_ABANDONED_HOURS = env_int("EXPORT_ABANDONED_HOURS", 4)
CELERY_BEAT_SCHEDULE["estates-requeue-stale-jobs"] = {
    "task": "estates.requeue_stale_jobs",
    "schedule": crontab(minute="*"),
}
CELERY_BEAT_SCHEDULE["estates-send-due-deliveries"] = {
    "task": "estates.send_due_deliveries",
    "schedule": crontab(minute="*/5"),
}
CELERY_BEAT_SCHEDULE["send-reminders"] = {
    "task": "estates.send_reminders",
    "schedule": crontab(minute=5),
}

# --- Roll-up (dashboards) ----------------------------------------------------------------
# The beat runs the incremental roll-up every ROLLUP_INTERVAL_MINUTES; a dashboard opened
# with no Redis (tasks in-process) recomputes when the last run is older than that.
ROLLUP_INTERVAL_MINUTES = env_int("ROLLUP_INTERVAL_MINUTES", 5)
if not 1 <= ROLLUP_INTERVAL_MINUTES <= 1440:
    raise ImproperlyConfigured("ROLLUP_INTERVAL_MINUTES must be between 1 and 1440")
# A run still "running" after this long lost its worker: the next run takes the lock.
# Shorter than the broker's visibility timeout (4 h), longer than any roll-up.
ROLLUP_LOCK_SECONDS = env_int("ROLLUP_LOCK_SECONDS", 3600)
ROLLUP_INCREMENTAL_MAX_DAYS = env_int("ROLLUP_INCREMENTAL_MAX_DAYS", 31)
ROLLUP_HISTORY_MAX_DAYS = env_int("ROLLUP_HISTORY_MAX_DAYS", 730)
CELERY_BEAT_SCHEDULE["reports-rollup"] = {
    "task": "reports.rollup_tick",
    "schedule": ROLLUP_INTERVAL_MINUTES * 60.0,
}
# The finished week's packs, frozen before the Tuesday meeting: after Monday's misses are
# registered (00:30), so the first view reads them instead of building them.
CELERY_BEAT_SCHEDULE["reports-freeze-weekly-packs"] = {
    "task": "reports.freeze_weekly_packs",
    "schedule": crontab(hour=1, minute=0, day_of_week=2),
}
# Optional map tiles under the compound markers, e.g. "https://tiles.example/{z}/{x}/{y}.png"
# (a deployment's own tile server; empty: the map is drawn from coordinates alone).
MAP_TILE_URL = env_str("MAP_TILE_URL", "")
if MAP_TILE_URL and not all(part in MAP_TILE_URL for part in ("{z}", "{x}", "{y}")):
    raise ImproperlyConfigured("MAP_TILE_URL must contain {z}, {x} and {y}")

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}
