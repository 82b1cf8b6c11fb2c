"""The client address of the request (or job) being served, for the events it records.

Services take the actor as an argument, as they always have; the address is a property of
the transport, so the web layer binds it once per request (``accounts.middleware``) and a
worker binds the address a job was requested from, instead of every service signature
growing an ``address`` parameter.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_address: ContextVar[str | None] = ContextVar("audit_address", default=None)


@contextmanager
def bound_address(address: str | None) -> Iterator[None]:
    token = _address.set(address or None)
    try:
        yield
    finally:
        _address.reset(token)


def current_address() -> str | None:
    return _address.get()
