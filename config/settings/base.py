"""Settings shared by every environment, driven by environment variables.

Each value that differs between a laptop and production is read from the environment here;
``dev``, ``test`` and ``prod`` only change defaults and switch on what their environment needs.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


# Everything the app writes to disk lives under DATA_DIR unless told otherwise.
DATA_DIR = Path(env("DATA_DIR", str(BASE_DIR / "data")))

SECRET_KEY = env("SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "axes",
    "csp",
    "audit",
    "accounts",
    # Single sign-on (sso): django-allauth's social accounts with its OpenID Connect provider.
    # allauth.account is what socialaccount needs; its own login and signup pages are not mounted.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "sso",
    "caiq",
    "evidence",
    "frameworks",
    "consistency",
    "library",
    "responsibility",
    "integrations",
    "sharing",
    "dashboard",
]

MIDDLEWARE = [
    # First: every log line written for a request carries its id, method and path.
    "config.logs.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything that may answer on its own (redirects, 404s, lockouts): all get the header.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.caching.PrivateResponsesMiddleware",
    "accounts.middleware.CurrentOrganizationMiddleware",
    "accounts.middleware.AuditAddressMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into its response.
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
                "accounts.context_processors.organizations",
                "config.context_processors.navigation",
                "caiq.context_processors.catalog_status",
            ],
        },
    },
    {
        # The fill page's fragments (config/jinja2.py says why); views name this engine.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "config.jinja2.environment"},
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "accounts.login_limits.AddressLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Single sign-on (sso/): each organisation's OpenID Connect provider is an allauth app built from
# its OrganizationSSO row by sso.adapter, which also decides who may come in. Users log in by
# e-mail and have no username. An address is trusted only when the provider marks it verified,
# and it never logs in an existing account by itself (no e-mail authentication): the adapter
# links accounts. allauth's own e-mails and verification are off: the provider verified.
SOCIALACCOUNT_ADAPTER = "sso.adapter.OrganizationSSOAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = int(env("SSO_REQUESTS_TIMEOUT", "10"))
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_EMAIL_NOTIFICATIONS = False

# Login brute force: 5 failures for one e-mail from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Django's login forms (ours and the admin's) pass the e-mail as "username"; axes would otherwise
# look for USERNAME_FIELD ("email"), record failures without a username and never lock.
AXES_USERNAME_FORM_FIELD = "username"
# Proxies in front of the app that append the client's address to X-Forwarded-For (the README's
# TLS proxy: 1). 0 trusts no header and uses REMOTE_ADDR. accounts/login_limits.py says why.
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "accounts.login_limits.client_ip"
# Failures from one address, whatever the e-mails tried, before it is refused for the cool-off.
LOGIN_ADDRESS_FAILURE_LIMIT = int(env("LOGIN_ADDRESS_FAILURE_LIMIT", "20"))

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]

# Uploaded files (catalog templates, job inputs and results, evidence) are private: there is no
# MEDIA_URL, they are stored outside any served folder and leave only through views that check
# access. They stream through those views from either storage (never a presigned link): the
# access check, the audit record and the download headers (Content-Disposition, a sandboxing
# Content-Security-Policy) then hold for S3 as for disk, and a link cannot be passed on.
# FILE_STORAGE=s3 puts them on S3-compatible object storage (django-storages): what web
# processes and workers on separate hosts need, since none of them then keeps a file on its disk.
PRIVATE_STORAGE_ROOT = Path(env("PRIVATE_STORAGE_ROOT", str(DATA_DIR / "private")))
LOCAL_PRIVATE_STORAGE = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": PRIVATE_STORAGE_ROOT, "base_url": None},
}


def s3_storage(prefix: str, **names: str) -> dict:
    """django-storages' S3Storage on the bucket the S3_* variables name (``names`` may point a
    setting at another variable), its objects under ``prefix``."""
    options = {
        "bucket_name": env(names.get("bucket", "S3_BUCKET")),
        "endpoint_url": env(names.get("endpoint", "S3_ENDPOINT_URL")),
        "region_name": env(names.get("region", "S3_REGION"), "us-east-1"),
        "access_key": env(names.get("access_key", "S3_ACCESS_KEY")),
        "secret_key": env(names.get("secret_key", "S3_SECRET_KEY")),
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
    if prefix:
        options["location"] = prefix
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGE_KINDS = ("local", "s3")
FILE_STORAGE = env("FILE_STORAGE", "local")
EVIDENCE_STORAGE = env("EVIDENCE_STORAGE", FILE_STORAGE)
for _name, _kind in (("FILE_STORAGE", FILE_STORAGE), ("EVIDENCE_STORAGE", EVIDENCE_STORAGE)):
    # A typo must not quietly mean the local disk: on several hosts that loses files.
    if _kind not in STORAGE_KINDS:
        raise ImproperlyConfigured(f"{_name} must be local or s3, not {_kind!r}.")
if FILE_STORAGE == "s3" and not env("S3_BUCKET"):
    raise ImproperlyConfigured("FILE_STORAGE=s3 needs S3_BUCKET (and the S3_* credentials).")
STORAGES = {
    # Catalog templates, job inputs and results.
    "default": (
        s3_storage(env("S3_FILES_PREFIX", "files"))
        if FILE_STORAGE == "s3"
        else LOCAL_PRIVATE_STORAGE
    ),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# Evidence files: where FILE_STORAGE puts the other files unless EVIDENCE_STORAGE says otherwise.
# With EVIDENCE_S3_BUCKET set, the EVIDENCE_S3_* values (the settings evidence had before
# FILE_STORAGE) are used instead of the S3_* ones; its objects stay at the bucket's root unless
# EVIDENCE_S3_PREFIX is set, as they always were.
EVIDENCE_MAX_BYTES = int(env("EVIDENCE_MAX_BYTES", str(25 * 1024 * 1024)))
CLAMAV_ADDRESS = env("CLAMAV_ADDRESS")  # "host:port" or "unix:/run/clamav/clamd.ctl"


# The EVIDENCE_S3_* set or the S3_* set, never a mix: a deployment that kept evidence on AWS
# with EVIDENCE_S3_* must not pick up an S3_ENDPOINT_URL meant for another server.
_EVIDENCE_S3 = "EVIDENCE_S3" if env("EVIDENCE_S3_BUCKET") else "S3"
if EVIDENCE_STORAGE == "s3":
    STORAGES["evidence"] = s3_storage(
        env("EVIDENCE_S3_PREFIX", ""),
        bucket=f"{_EVIDENCE_S3}_BUCKET",
        endpoint=f"{_EVIDENCE_S3}_ENDPOINT_URL",
        region=f"{_EVIDENCE_S3}_REGION",
        access_key=f"{_EVIDENCE_S3}_ACCESS_KEY",
        secret_key=f"{_EVIDENCE_S3}_SECRET_KEY",
    )
else:
    STORAGES["evidence"] = LOCAL_PRIVATE_STORAGE

# Upload limits. Workbooks are checked again, entry by entry, by caiq.xlsx.guard.
WORKBOOK_MAX_BYTES = int(env("WORKBOOK_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "caiq@localhost")

# Celery: without a broker, tasks run in-process (eager), so the embedded setup needs nothing.
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Job rows carry every outcome and no task result is ever read. Storing none also keeps a
# publish away from the result store, which with Redis down retries for ~20 s and then raises
# RuntimeError instead of the OperationalError that job_start turns into a message.
CELERY_TASK_IGNORE_RESULT = True
# With the broker down, starting a job fails within a second (refused) or about four
# (connected but silent) and says so, instead of a request hanging on kombu's patient defaults.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Redis gives a dead worker's unacknowledged message to another worker after this delay
    # (default an hour). Longer than the hard time limit, or a slow job still running would be
    # started twice (acks_late with a prefetch of 1: a message is unacked only while it runs);
    # the beat reaper catches a dead worker's job after the time limit + 60 s in any case.
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + 300,
    "socket_connect_timeout": 2,
    "socket_timeout": 2,
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.api.authentication.TokenScopePermission",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["accounts.api.authentication.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": env("API_RATE", "1200/minute")},
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api_errors.exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CAIQ Manager API",
    "DESCRIPTION": "CAIQ questionnaires, answers, evidence and jobs for GRC integrations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc from the drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "EvidenceKindEnum": "evidence.models.EvidenceKind",
        "JobKindEnum": "caiq.models.jobs.JobKind",
    },
}

# Content-Security-Policy on every response (django-csp 4): scripts and styles only from our own
# static files, no inline code, no plugins, no framing. Behaviour lives in static/js, looks in
# static/css. The only relaxation is per view, on the ReDoc page (config/api_urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: for the small SVG icons that Swagger UI's stylesheet embeds.
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Logs (config/logs.py): LOG_FORMAT=json writes one JSON object per line (production's
# default), plain writes readable lines. gunicorn and Celery use the same configuration.
LOG_FORMAT = env("LOG_FORMAT", "plain")
LOG_LEVEL = env("LOG_LEVEL", "INFO")
LOGGING = logging_config(LOG_FORMAT, level=LOG_LEVEL)

# A shared cache in production (Redis); each process's memory otherwise. Its own setting, apart
# from CELERY_BROKER_URL: the cache's Redis may evict keys (allkeys-lru), the broker's must not
# (noeviction), so in production they are two servers (docker-compose.yml). REDIS_URL, the
# name this setting had before, is still read.
CACHE_URL = env("CACHE_URL") or env("REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

CELERY_BEAT_SCHEDULE = {
    "caiq-reap-stuck-jobs": {"task": "caiq.reap_stuck_jobs", "schedule": 5 * 60},
    "evidence-expiry-reminders": {
        "task": "evidence.send_expiry_reminders",
        "schedule": 24 * 60 * 60,
    },
    "star-renewal-reminders": {"task": "caiq.send_star_reminders", "schedule": 24 * 60 * 60},
    # Webhook retries that came due, and messages whose queueing failed (integrations).
    "webhook-deliveries": {"task": "integrations.deliver_due", "schedule": 15},
    "webhook-log-pruning": {"task": "integrations.prune_deliveries", "schedule": 24 * 60 * 60},
}

# Webhooks (integrations): outbound requests go to public addresses only, unless this allows
# private, loopback and link-local ones (development and tests, whose receivers are local).
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", False)
WEBHOOK_CONNECT_TIMEOUT = 5.0
WEBHOOK_READ_TIMEOUT = 10.0
# Failed attempts in a row after which an endpoint is switched off and its admins told.
WEBHOOK_DISABLE_AFTER = 30
