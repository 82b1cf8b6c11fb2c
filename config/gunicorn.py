"""gunicorn settings for the web container: ``gunicorn -c config/gunicorn.py config.wsgi``.

Access and error lines use the same logging configuration as Django (config/logs.py): one JSON
object per line in production, with the access fields (method, path, status, duration, request
id) as keys. Sizes and timeouts come from the environment (listed in .env.example).
"""

import os

# As config/wsgi.py does; set before the config package (and its Celery app) is imported.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")

from config.logs import logging_config

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")  # all interfaces of the container
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Threads per worker (gthread): a slow fill page no longer holds up the quick saves queued behind
# it. 3 x 4 gave the best p95 of the load test on 2 cores (docs/benchmarks.md).
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Exports and imports run in Celery; a request that takes longer than this is stuck.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# No runtime control socket (gunicornc): nobody administers a container from inside it.
control_socket_disable = True

# The access log is on because a logging configuration is given; both go to the container's log.
logconfig_dict = logging_config(
    os.environ.get("LOG_FORMAT", "json"), level=os.environ.get("LOG_LEVEL", "INFO")
)
