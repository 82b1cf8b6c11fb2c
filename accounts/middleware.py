import ipaddress

from django.utils.functional import SimpleLazyObject

from audit.context import bound_address

from .login_limits import client_ip
from .selectors import memberships_for

SESSION_KEY = "current_organization_id"


def request_memberships(request) -> list:
    """The user's memberships, read once per request (the header's switcher needs them too)."""
    if not hasattr(request, "_memberships"):
        request._memberships = list(memberships_for(request.user))
    return request._memberships


def current_membership(request):
    """The membership the user is working in: the one chosen in this session, else the first."""
    memberships = request_memberships(request)
    chosen = request.session.get(SESSION_KEY)
    for membership in memberships:
        if membership.organization_id == chosen:
            return membership
    return memberships[0] if memberships else None


class CurrentOrganizationMiddleware:
    """Puts ``request.membership`` (lazy; None without one) on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = SimpleLazyObject(lambda: current_membership(request))
        return self.get_response(request)


class AuditAddressMiddleware:
    """Binds the client's address for the audit events this request records.

    The address comes from the same trusted-proxy rule as login protection; text that is not
    an address (a forged header) is recorded as unknown rather than failing the act.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        address = client_ip(request)
        try:
            address = str(ipaddress.ip_address(address)) if address else None
        except ValueError:
            address = None
        with bound_address(address):
            return self.get_response(request)
