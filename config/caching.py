"""Caching: what no shared cache may keep, and what the cache raises when it is down."""

from django.utils.cache import patch_cache_control
from redis.exceptions import RedisError

# What a cache backend raises when its server is down: redis-py's own errors, or socket errors.
# Callers that can do without the cache (throttles, login counters) catch these and go on.
CACHE_ERRORS = (RedisError, OSError)


class PrivateResponsesMiddleware:
    """``Cache-Control: private, no-store`` on every response to a signed-in user or to the API.

    Pages and API bodies hold an organisation's answers and evidence: a proxy or the browser's
    back/forward cache must not keep them for the next person at the same machine. Static files
    never get here (WhiteNoise answers them first), and headers a view set are merged, not
    replaced. After the response: DRF has set the user of a token request by then.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            patch_cache_control(response, private=True, no_store=True)
        return response
