"""DRF authentication and permissions for API tokens."""

import logging

from rest_framework import authentication, exceptions, permissions, throttling

from config.caching import CACHE_ERRORS

from ..models import ApiToken, TokenScope
from ..tokens import acting_user, api_token_verify

logger = logging.getLogger(__name__)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer caiq_…``; the request then acts as the token's user."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header.")
        token = api_token_verify(header[1].decode(errors="replace"))
        if token is None:
            raise exceptions.AuthenticationFailed("Unknown, expired or revoked API token.")
        user = acting_user(token)
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed("This token's owner is inactive.")
        return user, token

    def authenticate_header(self, request):
        return self.keyword


class TokenScopePermission(permissions.BasePermission):
    """A read-only token may only read, whatever its owner's role."""

    message = "This API token is read-only."

    def has_permission(self, request, view):
        token = request.auth
        if isinstance(token, ApiToken) and token.scope == TokenScope.READ:
            return request.method in permissions.SAFE_METHODS
        return True


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """Per token (or per signed-in user for browser sessions).

    The counts live in the cache (Redis in production). While the cache is unreachable the API
    answers unthrottled, with a warning logged, instead of failing every request with a 500:
    the throttle protects the service, and an outage of the cache should not become one of the
    API.
    """

    scope = "api"

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as error:
            logger.warning("API request not throttled: the cache is unreachable (%s).", error)
            return True

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
