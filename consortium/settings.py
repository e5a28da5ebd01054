"""Kyoso settings: one module, driven by the environment (django-environ).

Embedded defaults (no environment at all) give a working development site: a SQLite file in the
repository, Celery tasks run eagerly, a local-memory cache and e-mail printed to the console.
Production sets DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and DEBUG=false.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "kyoso-development-only-not-secret"  # noqa: S105 - never used with DEBUG off

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
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
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_filters",
    "django_htmx",
    "import_export",
    "simple_history",
    "health_check",
    "consortium",
    "members",
    "projects",
    "events",
    "reports",
]

MIDDLEWARE = [
    # First: the request id and the request's log line cover everything below.
    "consortium.observability.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "consortium.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "consortium.middleware.RejectNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "consortium.sessions.SessionLifetimeMiddleware",
    "consortium.mfa.RequireMFAMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "consortium.urls"
WSGI_APPLICATION = "consortium.wsgi.application"

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
                "django.template.context_processors.i18n",
                "consortium.context_processors.site",
                "members.context_processors.role",
            ],
            "builtins": [
                "consortium.templatetags.fiscal",
                "consortium.templatetags.forms",
                "consortium.templatetags.lang",
                "consortium.templatetags.links",
                "consortium.templatetags.menu",
                "consortium.templatetags.paging",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
if env.str("DATABASE_URL", default="") or not env.str("DATABASE_HOST", default=""):
    DATABASES = {
        "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
    }
else:
    # PostgreSQL from its parts (docker-compose.yml): the password is taken as it is, so that one
    # with / @ : # needs no URL quoting. Read from os.environ because django-environ would take a
    # value beginning with $ for the name of another variable.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": env.str("DATABASE_HOST"),
            "PORT": env.str("DATABASE_PORT", default="5432"),
            "NAME": env.str("DATABASE_NAME", default="kyoso"),
            "USER": env.str("DATABASE_USER", default="kyoso"),
            "PASSWORD": os.environ.get("DATABASE_PASSWORD")
            or os.environ.get("POSTGRES_PASSWORD", ""),
        }
    }
# Behind PgBouncer in transaction mode (docs/deploy.md), server-side cursors do not survive.
if env.bool("DATABASE_DISABLE_SERVER_SIDE_CURSORS", default=False):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The embedded default serves several people at once too (two tablets at the door): every
# transaction takes SQLite's write lock when it begins and waits up to 20 s for it. A deferred
# transaction that reads and then writes fails at once with "database is locked" when another
# connection writes meanwhile, whatever the timeout. WAL lets pages read while a write goes on.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), **SQLITE_OPTIONS}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery ------------------------------------------------------------------------------
# One REDIS_URL serves both; CELERY_BROKER_URL and CACHE_URL separate them (docker-compose.yml
# uses two databases), so that clearing the cache (FLUSHDB) cannot wipe the task queue.
REDIS_URL = env.str("REDIS_URL", default="")
CACHE_URL = env.str("CACHE_URL", default=REDIS_URL)
if CACHE_URL:
    CACHES = {
        "default": {
            # Degrades to "not cached" while Redis is down (consortium/cache.py).
            "BACKEND": "consortium.cache.TolerantRedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL) or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL.startswith("memory://")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Tokyo"
CELERY_TASK_ACKS_LATE = True
# A task whose pool process dies (the OOM killer, SIGKILL) goes back to the queue instead of being
# acknowledged as failed. Safe because every task recomputes from the records (idempotent).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Seconds. A year's full roll-up at prefecture scale takes under a second: the limits only stop a
# run that hangs. A year still "running" after the hard limit is rolled up again
# (reports.services.rollup_pending_enqueue, every minute).
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
# Publishing from a web request never hangs on a dead broker (celery #4556): a 1 s connect
# timeout, one connection attempt (the transport's max_retries) and no publish retry, so the
# request says at once that the queue is down.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    "max_retries": 0,
    "visibility_timeout": 3600,
}
CELERY_TASK_PUBLISH_RETRY = False
# The worker and beat, on the other hand, reconnect for as long as the broker is away (only they
# read these three; the worker also retries its own publishes, see consortium/celery.py).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A year queued for longer than this and still not rolled up (its message lost with the broker's
# memory) is queued again by the sweep.
KYOSO_ROLLUP_REQUEUE_SECONDS = env.int("KYOSO_ROLLUP_REQUEUE_SECONDS", default=180)
# Sent by the worker each time it (re)connects to the broker: what waited is queued at once.
KYOSO_BROKER_CONNECTED_TASKS = ["reports.rollup_pending"]
# Beat writes its schedule file after every task it sends (the sweep, every minute): the file's
# age is the beat container's healthcheck (docker-compose.yml).
CELERY_BEAT_SYNC_EVERY = 1
CELERY_BEAT_SCHEDULE: dict = {  # nightly full recompute of the report roll-ups (02:30 JST)
    "reports-nightly-rollup": {
        "task": "reports.rollup_all",
        "schedule": __import__("celery.schedules").schedules.crontab(hour=2, minute=30),
    },
    # Years that failed, lost their queued task or whose worker died are rolled up again.
    "reports-rollup-pending": {"task": "reports.rollup_pending", "schedule": 60.0},
    # Heartbeat for the status page: beat records the send, a worker records that it ran it. A
    # heartbeat older than the page's warning threshold is of no use: it expires unrun.
    "reports-heartbeat": {
        "task": "reports.heartbeat",
        "schedule": 60.0,
        "options": {"expires": 180},
    },
    # Expired sessions still hold who was signed in: delete them every night (03:10 JST).
    "members-purge-expired-sessions": {
        "task": "members.purge_expired_sessions",
        "schedule": __import__("celery.schedules").schedules.crontab(hour=3, minute=10),
    },
    # Files held for an import preview and never confirmed nor cancelled: deleted hourly.
    "consortium-sweep-pending-uploads": {
        "task": "consortium.sweep_pending_uploads",
        "schedule": 3600.0,
    },
    # Citizens' registrations: personal data deleted KYOSO_PUBLIC_RETENTION_DAYS after the
    # meeting, unconfirmed ones deleted once their link expired (hourly).
    "events-purge-public-registrations": {
        "task": "events.purge_public_registrations",
        "schedule": 3600.0,
    },
    # The ids of marks sent from the attendance sheet (de-duplication of offline queues) are
    # kept 30 days (events.services.ATTENDANCE_MARK_DAYS): forgotten every night (03:20 JST).
    "events-purge-attendance-marks": {
        "task": "events.purge_attendance_marks",
        "schedule": __import__("celery.schedules").schedules.crontab(hour=3, minute=20),
    },
}

# Sessions live in the database so that a Redis outage never logs anybody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# A session ends after 2 hours without activity or 12 hours after login, whichever comes first.
KYOSO_SESSION_IDLE_SECONDS = env.int("KYOSO_SESSION_IDLE_SECONDS", default=60 * 60 * 2)
KYOSO_SESSION_ABSOLUTE_SECONDS = env.int("KYOSO_SESSION_ABSOLUTE_SECONDS", default=60 * 60 * 12)
SESSION_COOKIE_AGE = KYOSO_SESSION_ABSOLUTE_SECONDS
SESSION_COOKIE_HTTPONLY = True

# --- Auth, allauth ------------------------------------------------------------------------------
# Django's and allauth's backends, loading the person with the user (one query less per page).
AUTHENTICATION_BACKENDS = [
    "members.backends.PersonModelBackend",
    "members.backends.PersonAuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_SIGNUP_FORM_CLASS = "members.forms.SignupForm"
# Mails and messages name the person (members.roles.display_name), not the generated username.
ACCOUNT_USER_DISPLAY = "members.roles.display_name"
ACCOUNT_LOGOUT_ON_GET = False
# allauth's defaults (login failures, sign-ups, password resets, confirmation mails) stay on.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Administrators and staff must activate TOTP before using any page (consortium/mfa.py); off by
# default under DEBUG so that the demo accounts of `make run` sign in with a password alone.
KYOSO_REQUIRE_MFA = env.bool("KYOSO_REQUIRE_MFA", default=not DEBUG)
KYOSO_MFA_REQUIRED_FOR = "members.roles.is_secretariat"

# --- E-mail -------------------------------------------------------------------------------------
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="kyoso@localhost")

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "ja"
# A filter left open reads 「すべて」, not 「---------」 (django-filter's choice filters).
FILTERS_EMPTY_CHOICE_LABEL = _("すべて")

LANGUAGES = [("ja", _("日本語")), ("en", _("English"))]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static and media ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedStaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Materials, agreements and uploaded imports: never served by a public URL, only by views that
# check who asks. Empty means "private-media" next to MEDIA_ROOT.
KYOSO_PRIVATE_MEDIA_ROOT = env.str("KYOSO_PRIVATE_MEDIA_ROOT", default="")
KYOSO_MAX_UPLOAD_BYTES = env.int("KYOSO_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
# PDFs attached to an application (応募) for a call: each file, and how many per application.
KYOSO_CALL_ATTACHMENT_MAX_BYTES = env.int(
    "KYOSO_CALL_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024
)
KYOSO_CALL_ATTACHMENT_MAX_FILES = env.int("KYOSO_CALL_ATTACHMENT_MAX_FILES", default=10)
# Catalogue entries (技術・製品): pictures (checked by content, resized to fit the longest side,
# refused above the pixel count before they are decoded) and one brochure PDF.
KYOSO_CATALOGUE_IMAGE_MAX_BYTES = env.int(
    "KYOSO_CATALOGUE_IMAGE_MAX_BYTES", default=8 * 1024 * 1024
)
KYOSO_CATALOGUE_IMAGE_MAX_FILES = env.int("KYOSO_CATALOGUE_IMAGE_MAX_FILES", default=4)
KYOSO_CATALOGUE_IMAGE_MAX_PIXELS = env.int("KYOSO_CATALOGUE_IMAGE_MAX_PIXELS", default=40_000_000)
KYOSO_CATALOGUE_IMAGE_MAX_SIDE = env.int("KYOSO_CATALOGUE_IMAGE_MAX_SIDE", default=1600)
KYOSO_CATALOGUE_BROCHURE_MAX_BYTES = env.int(
    "KYOSO_CATALOGUE_BROCHURE_MAX_BYTES", default=10 * 1024 * 1024
)
# Spreadsheet imports (web, admin, commands) stop at these limits before memory can run out.
KYOSO_IMPORT_MAX_BYTES = env.int("KYOSO_IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
KYOSO_IMPORT_MAX_ROWS = env.int("KYOSO_IMPORT_MAX_ROWS", default=20_000)
KYOSO_IMPORT_MAX_COLUMNS = env.int("KYOSO_IMPORT_MAX_COLUMNS", default=100)
KYOSO_IMPORT_MAX_UNCOMPRESSED_BYTES = env.int(
    "KYOSO_IMPORT_MAX_UNCOMPRESSED_BYTES", default=50 * 1024 * 1024
)
KYOSO_IMPORT_MAX_COMPRESSION_RATIO = env.int("KYOSO_IMPORT_MAX_COMPRESSION_RATIO", default=100)
# A file held for an import preview is deleted when applied or cancelled, else after this long.
KYOSO_PENDING_UPLOAD_HOURS = env.int("KYOSO_PENDING_UPLOAD_HOURS", default=24)

# --- Security (production values come from the environment) -------------------------------------
# X-Forwarded-Proto and X-Forwarded-For are believed only when the deployment says that a proxy
# which sets them stands in front (docker-compose.yml: Caddy, one hop). Without one, anybody could
# send "X-Forwarded-Proto: https" over plain HTTP, or choose the address the rate limits count.
KYOSO_TRUSTED_PROXY = env.bool("KYOSO_TRUSTED_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if KYOSO_TRUSTED_PROXY else None
ALLAUTH_TRUSTED_PROXY_COUNT = env.int(
    "ALLAUTH_TRUSTED_PROXY_COUNT", default=1 if KYOSO_TRUSTED_PROXY else 0
)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
# Preloading puts the domain into the browsers' built-in HTTPS-only list, which is slow to undo:
# only when the deployment turns it on (SECURE_HSTS_PRELOAD=true). Until then check --deploy's
# reminder to preload (security.W021) is silenced, so that the check stays clean.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_FAILURE_VIEW = "consortium.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
# Browser features no page uses stay off; the 受付 page alone allows the camera for the site
# itself (scanning tickets at the door: consortium.middleware.allow_features). Empty turns the
# header off.
KYOSO_PERMISSIONS_POLICY = env.str(
    "KYOSO_PERMISSIONS_POLICY",
    default="camera=(), microphone=(), geolocation=(), payment=(), usb=()",
)
# The site's own pages run no inline script: scripts come from /static/ only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Kyoso --------------------------------------------------------------------------------------
KYOSO_SITE_NAME = env.str("KYOSO_SITE_NAME", default="Kyoso 共創ポータル")
# Dates read 令和8年12月11日（金）; true adds the western year: 令和8年（2026年）12月11日（金）.
KYOSO_DATE_WESTERN_YEAR = env.bool("KYOSO_DATE_WESTERN_YEAR", default=False)
# Account e-mails (allauth) carry the site's name in their subject.
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{KYOSO_SITE_NAME}] "
KYOSO_HOST_CITY = env.str("KYOSO_HOST_CITY", default="平塚市")
KYOSO_PREFECTURE = env.str("KYOSO_PREFECTURE", default="神奈川県")
KYOSO_AUTHORITY_CODE = env.str("KYOSO_AUTHORITY_CODE", default="142034")
# The site's public address (scheme and host, no trailing slash) for links that leave a request
# behind: calendar feeds (their UIDs too), open data, e-mails. Never the Host header a request
# came with, which differs by proxy and can be forged. Defaults from KYOSO_DOMAIN (compose).
KYOSO_DOMAIN = env.str("KYOSO_DOMAIN", default="")
KYOSO_SITE_URL = (
    env.str("KYOSO_SITE_URL", default="")  # empty (as compose passes it unset) = the default
    or (
        f"https://{KYOSO_DOMAIN}"
        if KYOSO_DOMAIN not in ("", "localhost")
        else ("http://localhost" if KYOSO_DOMAIN else "http://127.0.0.1:8000")
    )
).rstrip("/")
if not KYOSO_SITE_URL.startswith(("https://", "http://")) or "/" in KYOSO_SITE_URL.split("//")[1]:
    raise ImproperlyConfigured(
        f"KYOSO_SITE_URL must be a scheme and host such as https://kyoso.example.jp, "
        f"not {KYOSO_SITE_URL!r}"
    )
# The default column layout of the open-data event list: "standard" (自治体標準オープンデータセット)
# or "legacy" (the former 推奨データセット headers); ?layout= overrides it per download.
KYOSO_OPEN_DATA_LAYOUT = env.str("KYOSO_OPEN_DATA_LAYOUT", default="standard")
if KYOSO_OPEN_DATA_LAYOUT not in ("standard", "legacy"):
    raise ImproperlyConfigured(
        f"KYOSO_OPEN_DATA_LAYOUT must be standard or legacy, not {KYOSO_OPEN_DATA_LAYOUT!r}"
    )
# Self check-in at the door poster opens this many minutes before a meeting starts.
KYOSO_SELF_CHECKIN_OPENS_MINUTES = env.int("KYOSO_SELF_CHECKIN_OPENS_MINUTES", default=30)
# Citizens' registrations for public meetings (一般参加申込, events.public_registration): the
# most people one registration may bring, how long its confirmation link works, how many days
# after the meeting its personal data is deleted (the counts stay), and the limits against bulk
# fake registrations (attempts per client address an hour, per e-mail address a day, unconfirmed
# registrations per meeting an hour; 0 turns a limit off).
KYOSO_PUBLIC_MAX_SEATS = env.int("KYOSO_PUBLIC_MAX_SEATS", default=5)
KYOSO_PUBLIC_CONFIRM_HOURS = env.int("KYOSO_PUBLIC_CONFIRM_HOURS", default=24)
KYOSO_PUBLIC_RETENTION_DAYS = env.int("KYOSO_PUBLIC_RETENTION_DAYS", default=30)
KYOSO_PUBLIC_RATE_IP_PER_HOUR = env.int("KYOSO_PUBLIC_RATE_IP_PER_HOUR", default=5)
KYOSO_PUBLIC_RATE_EMAIL_PER_DAY = env.int("KYOSO_PUBLIC_RATE_EMAIL_PER_DAY", default=3)
KYOSO_PUBLIC_RATE_MEETING_PER_HOUR = env.int("KYOSO_PUBLIC_RATE_MEETING_PER_HOUR", default=50)

IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

# One format for web, worker and beat (consortium/observability.py): JSON lines with
# LOG_FORMAT=json, otherwise plain lines with the same fields. Every record carries the request id
# (and the Celery task id) it was logged under; every request logs one line of its own.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain").lower()
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}")
LOG_LEVEL = env.str("LOG_LEVEL", default="WARNING").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "consortium.observability.ContextFilter"}},
    "formatters": {
        "kyoso": {
            "()": "consortium.observability."
            + ("JsonFormatter" if LOG_FORMAT == "json" else "PlainFormatter"),
            "tz": TIME_ZONE,
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["context"], "formatter": "kyoso"}
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # The line of every request is written whatever LOG_LEVEL says: it is the access log.
        "consortium.request": {"level": "INFO"},
        # Django's own console handlers would write a second line in another format.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
    },
}

# Error reports (Django and Celery) go to Sentry only when SENTRY_DSN is set, without personal
# data (consortium.observability.scrub_event).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from consortium.observability import sentry_init

    sentry_init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("SENTRY_RELEASE", default="") or None,
    )
