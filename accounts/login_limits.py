"""Login protection that works behind the TLS proxy the README asks for.

django-axes locks an (e-mail, address) pair after AXES_FAILURE_LIMIT failures. Two things make
that work behind a proxy:

- ``client_ip``: the client's own address. Behind proxies every request comes from the last
  proxy's address, so each trusted proxy appends the address it received the request from to
  X-Forwarded-For; the client is the entry TRUSTED_PROXY_COUNT places from the right. Entries
  further left were written by the client and are never trusted. (django-ipware's proxy_count
  expects the proxies' own addresses in the header, which nginx and Caddy do not write, and
  gives up when a client adds entries of its own; this rule is exact for both.)
- A per-address limit across e-mails (LOGIN_ADDRESS_FAILURE_LIMIT in the cool-off window), so
  trying one password against many accounts from one address is stopped too.
"""

import logging

from axes.exceptions import AxesBackendPermissionDenied
from django.conf import settings
from django.core.cache import cache

from config.caching import CACHE_ERRORS

logger = logging.getLogger(__name__)
_KEY = "login-failures:{}"


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the one the nearest trusted proxy saw."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def _window_seconds() -> int:
    return int(float(settings.AXES_COOLOFF_TIME) * 3600)


def record_failure(sender, credentials, request=None, **kwargs) -> None:
    """user_login_failed receiver: one more failure for the client's address."""
    if request is None:
        return
    key = _KEY.format(client_ip(request))
    try:
        if not cache.add(key, 1, _window_seconds()):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, _window_seconds())
    except CACHE_ERRORS as error:
        # Logging in must keep working with the cache down; axes' own lockout still applies.
        logger.warning(
            "Login failure not counted per address: the cache is unreachable (%s).", error
        )


def address_failures(address: str | None) -> int:
    try:
        return cache.get(_KEY.format(address), 0)
    except CACHE_ERRORS as error:
        logger.warning("Per-address login limit skipped: the cache is unreachable (%s).", error)
        return 0


class AddressLimitBackend:
    """Refuses every login from an address with too many recent failures, for any e-mail.

    Listed after axes' backend: the refusal goes through axes' lockout response (429 and the
    lockout page), like an account lockout.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return
        if address_failures(client_ip(request)) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            request.axes_locked_out = True
            request.axes_credentials = {settings.AXES_USERNAME_FORM_FIELD: username}
            raise AxesBackendPermissionDenied("Too many failed logins from this address.")
        return

    # No get_user(): it never logs anyone in, so no session may name it as its backend.
