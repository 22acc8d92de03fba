"""Pressroom settings, read from the environment (../shared/CONTRACT.md "Environment").

With nothing set: SQLite under var/, Celery tasks run in-process, mail written to var/outbox/.
With DATABASE_URL / REDIS_URL / EMAIL_URL: PostgreSQL, a Redis broker and cache, SMTP.
With DEBUG=0 the app refuses to start without SECRET_KEY, SUPPRESSION_KEY and ALLOWED_HOSTS.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured

from config.local_keys import kept_key

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=True)

if DEBUG:
    # The embedded default: keys made at first run and kept in var/ (0600), never written in
    # the source. SUPPRESSION_KEY is its own key, so rotating SECRET_KEY keeps the list.
    SECRET_KEY = env("SECRET_KEY", default="") or kept_key(VAR_DIR / "secret_key")
    SUPPRESSION_KEY = env("SUPPRESSION_KEY", default="") or kept_key(VAR_DIR / "suppression_key")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
else:
    # Production must be configured explicitly: a guessable key would let anyone forge
    # sessions and unsubscribe tokens; the suppression key never falls back to SECRET_KEY.
    missing = [
        name
        for name in ("SECRET_KEY", "SUPPRESSION_KEY", "ALLOWED_HOSTS")
        if not env(name, default="")
    ]
    if missing:
        raise ImproperlyConfigured(f"DEBUG=0 needs {', '.join(missing)} in the environment.")
    SECRET_KEY = env("SECRET_KEY")
    SUPPRESSION_KEY = env("SUPPRESSION_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "accounts.admin_site.PressroomAdminConfig",
    "config.checks.ConfigChecks",  # start-up checks (config/checks.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI assets served by the app, never from a CDN
    "django_filters",
    "corsheaders",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "burmese",
    "accounts",
    "campaigns",
    "contacts",
    "statements",
    "publishing",
    "distribution",
    "channels",
    "desk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Kept public pages and API answers, before the rest runs (publishing/cache.py).
    "publishing.cache.PageCacheMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): logged in with a second factor.
    "django_otp.middleware.OTPMiddleware",
    # /desk/ in the staff member's chosen language (after authentication).
    "accounts.middleware.DeskLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Cache-Control: no-store on every desk, admin and staff API response.
    "accounts.middleware.StaffNoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so it sees the outcome of authentication.
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
_db = DATABASES["default"]
if _db["ENGINE"].endswith("sqlite3"):
    if _db["NAME"] not in ("", ":memory:") and not Path(_db["NAME"]).is_absolute():
        _db["NAME"] = str(BASE_DIR / _db["NAME"])
    # In-process tasks write while a request holds the database: wait instead of failing.
    _db.setdefault("OPTIONS", {})["timeout"] = 20
else:
    _db.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    _db.setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and cache -------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        },
        # Public pages, feeds and API answers (publishing/cache.py), shared by every process.
        "pages_shared": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "pages",
        },
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# ... and the same answers in this process's memory, in front of it.
CACHES["pages"] = {
    "BACKEND": "publishing.cache.KeptPages",
    "LOCATION": "pages",
    "OPTIONS": {"MAX_ENTRIES": env.int("PAGE_CACHE_ENTRIES", default=1000)},
}
# The page cache: answers kept this long at most (0 turns it off); what a proxy or CDN may
# keep a public page for (Cache-Control: public, max-age=...).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
PAGE_MAX_AGE = env.int("PAGE_MAX_AGE", default=60)

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged after it ran, and handed back if its worker dies mid-task.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# Every countdown the app uses stays below this (see distribution retry backoff).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    # Every 20 s, so a scheduled statement is public well within 60 s of its time.
    "statements-run-due": {"task": "statements.tasks.run_due_schedules", "schedule": 20.0},
    # Re-queues pending deliveries and hands back expired leases: Redis may lose messages.
    "distribution-tick": {
        "task": "distribution.tasks.tick",
        "schedule": env.float("DISTRIBUTION_TICK_SECONDS", default=10.0),
    },
    # Staff notification emails whose task was lost, whose worker died, or whose retry is due.
    "desk-notification-emails": {
        "task": "desk.tasks.sweep_notification_emails",
        "schedule": env.float("NOTIFICATION_SWEEP_SECONDS", default=30.0),
    },
}
CELERY_TIMEZONE = "UTC"

# --- Email ------------------------------------------------------------------------------
EMAIL_URL = env("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url_config(EMAIL_URL))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "outbox")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Pressroom <press@pressroom.invalid>")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# DKIM for a relay that does not sign (distribution/dkim.py): both set, every message is signed.
DKIM_SELECTOR = env("DKIM_SELECTOR", default="")
DKIM_PRIVATE_KEY_FILE = env("DKIM_PRIVATE_KEY_FILE", default="")
DKIM_DOMAIN = env("DKIM_DOMAIN", default="")  # empty: the domain of each message's From
if DKIM_SELECTOR and EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
    EMAIL_BACKEND = "distribution.dkim.SigningEmailBackend"
# Leak-tracing references of embargoed messages (distribution/leak_refs.py). Empty: derived
# from SECRET_KEY (and read with SECRET_KEY_FALLBACKS); set it to keep references readable
# across a SECRET_KEY rotation.
LEAK_REF_KEY = env("LEAK_REF_KEY", default="")

# --- Auth -------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# Proxies in front of the app: 0 (default) uses the connecting address and ignores
# X-Forwarded-For (a client could forge it); N takes the Nth address from the right. Axes and
# DRF's throttle read the same number (accounts/client_ip.py; django-ipware is not installed,
# so axes' AXES_IPWARE_* settings would not apply).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"
# Staff must log in with a TOTP code as well as a password (default in production); with it off,
# a user who has enrolled a device must still give its code.
STAFF_2FA_REQUIRED = env.bool("STAFF_2FA_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = "Pressroom"
LOGIN_URL = "/desk/login/"
# API tokens: django-rest-knox keeps a SHA-512 digest, never the token (accounts/models.py).
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 (a model name)
# knox's own migrations would create a table for its swapped-out model that nothing uses (and
# that stops PostgreSQL from flushing auth_user in tests); the table is accounts_apitoken.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.int("API_TOKEN_TTL_DAYS", default=90)),
    "AUTH_HEADER_PREFIX": "Token",
}
LOGIN_REDIRECT_URL = "/desk/"

# --- Languages and time -----------------------------------------------------------------
# Languages are data: a third language is a settings change (PRESSROOM_LANGUAGES=en,my,th),
# never a migration.
LANGUAGE_CODE = "en"
_language_codes = env.list("PRESSROOM_LANGUAGES", default=["en", "my"])
LANGUAGES = [(code, LANG_INFO.get(code, {}).get("name", code)) for code in _language_codes]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True
DISPLAY_TIME_ZONE = "Asia/Yangon"

# --- Static and media -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # accounts/policy.py decides: hashed expiring tokens, or a session with a role and (where
    # required) a verified second factor.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.policy.ApiTokenAuthentication",
        "accounts.policy.StaffSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.policy.StaffApiPermission"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api_errors.exception_handler",
    # "off" leaves it to a proxy in front (bench/api.py measures the app without it).
    "DEFAULT_THROTTLE_RATES": {
        "anon": None
        if env("API_ANON_THROTTLE", default="120/minute") in ("", "off")
        else env("API_ANON_THROTTLE", default="120/minute")
    },
    # Proxies in front of the app whose X-Forwarded-For entries identify a client for the
    # throttle; 0 (the default) uses the connecting address, which a client cannot forge.
    "NUM_PROXIES": NUM_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pressroom API",
    "DESCRIPTION": "Published releases (public) and the editorial workflow (staff).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "TargetKindEnum": "campaigns.models.Target.Kind",
        "StatementKindEnum": "statements.models.Statement.Kind",
        "AskStatusEnum": "campaigns.models.Ask.Status",
        "CampaignStatusEnum": "campaigns.models.Campaign.Status",
        "ReleaseStatusEnum": "publishing.serializers.RELEASE_STATUSES",
    },
}
CORS_URLS_REGEX = r"^/api/v1/(releases|campaigns|targets|asks)/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]

# --- Content security policy ------------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "font-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
    }
}

# --- Pressroom rules --------------------------------------------------------------------
# How many distinct editors must approve the same content before it may be published.
APPROVALS_REQUIRED = env.int("APPROVALS_REQUIRED", default=1)
# Suppression entries keep a keyed hash of the address (SUPPRESSION_KEY, set above), never
# the address.
# A scheduled publication this late is reported, never silently skipped.
SCHEDULE_OVERDUE_AFTER = timedelta(minutes=5)
# Distribution (distribution/sending.py). Defaults keep CONTRACT's timing promises: temporary
# refusals settle within 200 s (10+20+40+80 s of backoff at most), a dead worker's lease
# comes back within a minute. Tests shorten them through the environment.
DISTRIBUTION_BATCH_SIZE = env.int("DISTRIBUTION_BATCH_SIZE", default=200)
DISTRIBUTION_LEASE_SECONDS = env.float("DISTRIBUTION_LEASE_SECONDS", default=60.0)
# Tasks (so SMTP connections) on one send. Sending waits on the relay more than on the CPU:
# bench/send.py gets about a quarter more per second from 4 than from 2 on 2 CPUs. The
# worker needs as many processes (docker-compose.yml: --concurrency 4).
DISTRIBUTION_PARALLEL_TASKS = env.int("DISTRIBUTION_PARALLEL_TASKS", default=4)
DISTRIBUTION_TASK_BUDGET_SECONDS = env.float("DISTRIBUTION_TASK_BUDGET_SECONDS", default=60.0)
DISTRIBUTION_RETRY_BASE_SECONDS = env.float("DISTRIBUTION_RETRY_BASE_SECONDS", default=10.0)
DISTRIBUTION_RETRY_MAX_SECONDS = env.float("DISTRIBUTION_RETRY_MAX_SECONDS", default=80.0)
DISTRIBUTION_MAX_ATTEMPTS = env.int("DISTRIBUTION_MAX_ATTEMPTS", default=5)
# "Send a test to me" in the desk: per person, in any hour (distribution.services.test_sends_left).
DISTRIBUTION_TEST_SENDS_PER_HOUR = env.int("DISTRIBUTION_TEST_SENDS_PER_HOUR", default=10)
# A permanent refusal with one of these codes suppresses the address (a bad mailbox); other
# 5xx codes (552 mailbox full, 554 content refused) end the delivery without suppressing.
DISTRIBUTION_SUPPRESS_CODES = env.list(
    "DISTRIBUTION_SUPPRESS_CODES", cast=int, default=[550, 551, 553]
)
# A send this late (the system was down at its time) waits for a person to confirm it.
DISTRIBUTION_LATE_AFTER = timedelta(minutes=15)
DISTRIBUTION_UNSUBSCRIBE_MAILTO = env("DISTRIBUTION_UNSUBSCRIBE_MAILTO", default="")
# Bounces through your own relay (distribution/bounces.py): with BOUNCE_DOMAIN set, each
# message's envelope sender is bounces+<token>@BOUNCE_DOMAIN (mail for it must reach the
# mailbox process_bounces reads); BOUNCE_IMAP_URL (imap[s]://user:pass@host:port/INBOX) is
# polled by beat every BOUNCE_POLL_SECONDS.
BOUNCE_DOMAIN = env("BOUNCE_DOMAIN", default="").strip().lower()
if BOUNCE_DOMAIN and not all(
    label and label.replace("-", "").isalnum() and label.isascii()
    for label in BOUNCE_DOMAIN.split(".")
):
    raise ImproperlyConfigured("BOUNCE_DOMAIN must be a domain name, like bounces.example.org.")
BOUNCE_IMAP_URL = env("BOUNCE_IMAP_URL", default="")
if BOUNCE_IMAP_URL:
    CELERY_BEAT_SCHEDULE["distribution-bounces"] = {
        "task": "distribution.tasks.poll_bounces",
        "schedule": env.float("BOUNCE_POLL_SECONDS", default=120.0),
    }
# Provider webhooks (/anymail/mailgun/tracking/, /anymail/postmark/tracking/) answer only
# when ANYMAIL_WEBHOOK_SECRET ("user:password", sent by the provider as basic auth) is set;
# Mailgun's also needs MAILGUN_WEBHOOK_SIGNING_KEY (its signature on every event).
ANYMAIL = {
    name: value
    for name, value in {
        "WEBHOOK_SECRET": env("ANYMAIL_WEBHOOK_SECRET", default=""),
        "MAILGUN_WEBHOOK_SIGNING_KEY": env("MAILGUN_WEBHOOK_SIGNING_KEY", default=""),
    }.items()
    if value
}

# --- Telegram channels and mirrors (channels/) ------------------------------------------
# TELEGRAM_CHANNELS: "en=@chan,my=@chan_my" (a language may have several channels); posting is
# off while it or TELEGRAM_BOT_TOKEN is empty. Parsed and checked at start-up (channels/config.py).
TELEGRAM_BOT_TOKEN = env("TELEGRAM_BOT_TOKEN", default="")
TELEGRAM_CHANNELS = env("TELEGRAM_CHANNELS", default="")
TELEGRAM_API_URL = env("TELEGRAM_API_URL", default="https://api.telegram.org").rstrip("/")
TELEGRAM_TIMEOUT = env.float("TELEGRAM_TIMEOUT", default=30.0)
# A claimed post is the worker's for this long (renewed before each request to Telegram).
TELEGRAM_LEASE_SECONDS = env.float("TELEGRAM_LEASE_SECONDS", default=120.0)
TELEGRAM_RETRY_BASE_SECONDS = env.float("TELEGRAM_RETRY_BASE_SECONDS", default=10.0)
TELEGRAM_RETRY_MAX_SECONDS = env.float("TELEGRAM_RETRY_MAX_SECONDS", default=900.0)
TELEGRAM_MAX_ATTEMPTS = env.int("TELEGRAM_MAX_ATTEMPTS", default=8)
# MIRROR_TARGETS: comma-separated folders (or file:///path) and s3://bucket/prefix (credentials
# from AWS_*, an S3-compatible host from MIRROR_S3_ENDPOINT_URL). MIRROR_URLS: the mirrors'
# public addresses, printed in every page footer and release email.
MIRROR_TARGETS = env.list("MIRROR_TARGETS", default=[])
MIRROR_URLS = env.list("MIRROR_URLS", default=[])
MIRROR_S3_ENDPOINT_URL = env("MIRROR_S3_ENDPOINT_URL", default="")
# Changes within this many seconds of each other make one rebuild.
MIRROR_DELAY_SECONDS = env.float("MIRROR_DELAY_SECONDS", default=5.0)
MIRROR_LEASE_SECONDS = env.float("MIRROR_LEASE_SECONDS", default=900.0)
# A mirror behind the public site for longer than this is shown (and logged) as stale.
MIRROR_STALE_AFTER_SECONDS = env.float("MIRROR_STALE_AFTER_SECONDS", default=900.0)
CELERY_BEAT_SCHEDULE["channels-sweep"] = {
    # Expired leases, due retries, lost tasks, mirrors behind the site.
    "task": "channels.tasks.sweep",
    "schedule": env.float("CHANNELS_SWEEP_SECONDS", default=15.0),
}

# --- Signed releases (publishing/signing.py) --------------------------------------------
# The Ed25519 private key: SIGNING_KEY (base64 of the 32-byte seed) or SIGNING_KEY_FILE (a file
# holding it). Neither set: made at first run in var/signing_key (0600) and kept; in production
# set one of them (and back it up), so web and worker sign with the same key. Never stored in
# the database. After a rotation the old public keys stay published with their retirement date:
# those the database has seen automatically, others listed in SIGNING_OLD_KEYS
# ("<base64 public key>[@<retired ISO date>]", comma-separated).
SIGNING_KEY = env("SIGNING_KEY", default="")
SIGNING_KEY_FILE = env("SIGNING_KEY_FILE", default="") or str(VAR_DIR / "signing_key")
SIGNING_OLD_KEYS = env.list("SIGNING_OLD_KEYS", default=[])
# The public verification page (/<lang>/verify/): per client address and hour, and PDF size.
VERIFY_ATTEMPTS_PER_HOUR = env.int("VERIFY_ATTEMPTS_PER_HOUR", default=60)
VERIFY_MAX_UPLOAD_BYTES = env.int("VERIFY_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)

# --- Production hardening ---------------------------------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
