"""Production: PostgreSQL, Redis and a Celery worker (see docker-compose.yml).

Refuses to start without SECRET_KEY; every setting `manage.py check --deploy` asks for is on.
"""

import logging

from django.core.exceptions import ImproperlyConfigured

from config.logs import logging_config

from .base import *  # noqa: F403
from .base import env, env_bool

if not SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured("SECRET_KEY must be set in production (environment variable).")

# Without a broker, tasks would run inside the web process: a 10-minute import inside a request
# that gunicorn kills after 60 seconds. Production says so, unless asked for on purpose.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
if not CELERY_BROKER_URL and not CELERY_TASK_ALWAYS_EAGER:  # noqa: F405
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL must be set in production (e.g. redis://broker:6379/0), or "
        "CELERY_TASK_ALWAYS_EAGER=true to run tasks inside the web process on purpose."
    )

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# A load balancer's probe may come over plain HTTP on the private network: answer it there.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Persistent connections: CONN_MAX_AGE is a per-database key (a top-level setting of that name
# does nothing). Health checks drop a connection the server closed before it is reused.
DATABASES["default"]["CONN_MAX_AGE"] = int(env("CONN_MAX_AGE", "60"))  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # A database that stops answering fails a request (and /healthz) instead of hanging it.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5  # noqa: F405
if CACHE_URL:  # noqa: F405
    # The same for Redis: redis-py waits forever on a silent server unless told otherwise.
    CACHES["default"]["OPTIONS"] = {"socket_connect_timeout": 2, "socket_timeout": 5}  # noqa: F405

# One JSON object per line, for the log collector (LOG_FORMAT=plain to read them by eye).
LOG_FORMAT = env("LOG_FORMAT", "json")
LOGGING = logging_config(LOG_FORMAT, level=LOG_LEVEL)  # noqa: F405
# Python warnings become log records ("py.warnings") instead of raw text between the lines.
logging.captureWarnings(True)

# Invitation links sent outside a request (e.g. from a management command) need the address.
SITE_URL = env("SITE_URL", "")
