"""Optional virus scan through ClamAV's daemon (clamd), using its INSTREAM command.

Used when ``CLAMAV_ADDRESS`` is set ("host:port" or "unix:/path/to/clamd.ctl"). A daemon that
cannot be reached refuses the upload (fail closed): evidence that was never scanned is not
accepted once scanning is configured. The protocol is a few lines, so no client library.
"""

import socket
import struct
from collections.abc import Iterable

from .validation import UploadRejected

CHUNK = 64 * 1024
TIMEOUT_SECONDS = 30


def _connect(address: str) -> socket.socket:
    if address.startswith("unix:"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(TIMEOUT_SECONDS)
        sock.connect(address.removeprefix("unix:"))
        return sock
    host, _, port = address.rpartition(":")
    return socket.create_connection((host, int(port)), timeout=TIMEOUT_SECONDS)


def scan(address: str, chunks: Iterable[bytes]) -> None:
    """Raise UploadRejected when clamd finds something or cannot be asked."""
    try:
        with _connect(address) as sock:
            sock.sendall(b"zINSTREAM\0")
            for chunk in chunks:
                for start in range(0, len(chunk), CHUNK):
                    part = chunk[start : start + CHUNK]
                    sock.sendall(struct.pack("!L", len(part)) + part)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                data = sock.recv(4096)
                if not data:
                    break
                reply += data
    except OSError as exc:
        raise UploadRejected(
            "The virus scanner could not be reached, so the file was not accepted; try again "
            "later or ask an administrator."
        ) from exc
    answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if answer.endswith("OK"):
        return
    if answer.endswith("FOUND"):
        name = answer.removeprefix("stream:").removesuffix("FOUND").strip()
        raise UploadRejected(f"The virus scanner found {name} in the file; it was not stored.")
    raise UploadRejected(f"The virus scanner could not scan the file ({answer or 'no answer'}).")
