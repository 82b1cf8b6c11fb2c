"""WSGI entry point (gunicorn config.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")

application = get_wsgi_application()

# Everything loaded so far lives as long as the process. Freezing it keeps the cyclic garbage
# collector from rescanning it on every full collection: without this, a full collection in
# the middle of rendering the 261-answer fill page adds 50-200 ms (see bench/fill_page.py).
gc.collect()
gc.freeze()
