"""Sending one signed message to an endpoint: the address checked, the connection pinned to
it, a timeout on everything. Pure (no ORM).

Server-side request forgery: an endpoint's URL is the organisation's input, so its host is
resolved here and every address it resolves to must be public (not private, loopback,
link-local, shared or reserved) unless the WEBHOOKS_ALLOW_PRIVATE setting says otherwise (tests
and development). The connection then goes to the address that was checked, never to a second
lookup that a rebinding DNS server could answer differently; HTTPS still verifies the
certificate against the URL's host name. Redirects are not followed.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import urllib3
from standardwebhooks import Webhook

USER_AGENT = "CAIQ-Manager-Webhooks/1"


class Refused(Exception):
    """The URL may not be called; the message says why, in one sentence."""


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    duration_ms: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(url: str, *, allow_private: bool) -> tuple[str, str, int, str]:
    """(scheme, host, port, address to connect to), or Refused."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("A webhook URL must start with http:// or https:// and name a host.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise Refused(f"The host {parts.hostname} could not be resolved.") from error
    addresses = [info[4][0] for info in infos]
    if not allow_private:
        blocked = [a for a in addresses if not _public(a)]
        if blocked:
            raise Refused(
                f"The host {parts.hostname} resolves to {blocked[0]}, a private, loopback or "
                "link-local address: webhooks go to public addresses only."
            )
    return parts.scheme, parts.hostname, port, addresses[0]


def signed_headers(secret: str, message_id: str, sent_at: datetime, body: bytes) -> dict:
    """The Standard Webhooks headers, signed with the endpoint's secret."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, sent_at, body),
    }


def send(
    url: str,
    body: bytes,
    headers: dict,
    *,
    allow_private: bool,
    connect_timeout: float,
    read_timeout: float,
) -> Outcome:
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        scheme, host, port, address = resolve(url, allow_private=allow_private)
    except Refused as refused:
        return Outcome(None, took(), str(refused))
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    timeout = urllib3.Timeout(connect=connect_timeout, read=read_timeout)
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address, port, timeout=timeout, retries=False, server_hostname=host,
            assert_hostname=host, cert_reqs="CERT_REQUIRED",
        )  # fmt: skip
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
    host_header = host if parts.port is None else f"{host}:{port}"
    try:
        with pool:
            response = pool.urlopen(
                "POST",
                path,
                body=body,
                headers={
                    **headers,
                    "Host": host_header,
                    "Content-Type": "application/json",
                    "User-Agent": USER_AGENT,
                },
                redirect=False,
                preload_content=False,
            )
            # Only the status counts: the body is never read (a receiver cannot make the
            # worker download anything), and the connection is closed with the pool.
            return Outcome(response.status, took())
    except urllib3.exceptions.TimeoutError:
        return Outcome(None, took(), "No answer within the time limit.")
    except urllib3.exceptions.HTTPError as error:
        return Outcome(None, took(), f"Could not connect: {type(error).__name__}.")
