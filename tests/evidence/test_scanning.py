"""The ClamAV hook: uploads are scanned through clamd's INSTREAM command, and fail closed.

The scanner here is a fake clamd, started per test on loopback. It speaks the real INSTREAM
protocol (``zINSTREAM\\0``, then chunks each prefixed by a 4-byte big-endian length, ended by
a zero length; the reply ``stream: OK\\0`` or ``stream: <signature> FOUND\\0``) because a real
ClamAV daemon needs signature downloads this machine cannot make. It flags the EICAR test
string, as ClamAV does.
"""

import contextlib
import socket
import socketserver
import struct
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from evidence import scanning
from evidence.models import Evidence, StoredFile
from evidence.storage import evidence_storage
from evidence.validation import UploadRejected
from tests.evidence.conftest import upload

from .test_upload_matrix import PDF

# The industry-standard harmless test file, assembled so this source file is not itself flagged.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!" + b"$H+H*"


class FakeClamd(socketserver.ThreadingMixIn, socketserver.TCPServer):
    """A clamd answering INSTREAM; it records each scanned stream and can be told how to reply."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address):
        self.scanned: list[bytes] = []
        self.commands: list[bytes] = []
        self.reply_override: bytes | None = None
        super().__init__(address, InstreamHandler)


class UnixFakeClamd(FakeClamd):
    address_family = socket.AF_UNIX


class InstreamHandler(socketserver.BaseRequestHandler):
    def _read_exactly(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            part = self.request.recv(size - len(data))
            if not part:
                raise ConnectionError("client closed mid-stream")
            data += part
        return data

    def handle(self):
        command = self._read_exactly(len(b"zINSTREAM\0"))
        self.server.commands.append(command)
        if command != b"zINSTREAM\0":
            self.request.sendall(b"UNKNOWN COMMAND\0")
            return
        received = bytearray()
        while True:
            (length,) = struct.unpack("!L", self._read_exactly(4))
            if length == 0:
                break
            received += self._read_exactly(length)
        self.server.scanned.append(bytes(received))
        if self.server.reply_override is not None:
            reply = self.server.reply_override
        elif EICAR in received:
            reply = b"stream: Eicar-Test-Signature FOUND\0"
        else:
            reply = b"stream: OK\0"
        self.request.sendall(reply)


@contextlib.contextmanager
def serve(server: FakeClamd) -> Iterator[FakeClamd]:
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def clamd(settings) -> Iterator[FakeClamd]:
    server = FakeClamd(("127.0.0.1", 0))
    host, port = server.server_address[:2]
    settings.CLAMAV_ADDRESS = f"{host}:{port}"
    with serve(server):
        yield server


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound to learn a free number, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def assert_nothing_stored(root: Path) -> None:
    assert StoredFile.objects.count() == 0
    assert Evidence.objects.count() == 0
    assert [p for p in root.rglob("*") if p.is_file()] == []


def test_a_clean_upload_is_scanned_whole_and_stored(clamd, store, contributor):
    evidence = upload(contributor, "soc2.pdf", PDF)

    assert clamd.commands == [b"zINSTREAM\0"]
    assert clamd.scanned == [PDF]
    stored = evidence.versions.get().stored_file
    with evidence_storage().open(stored.storage_name, "rb") as handle:
        assert handle.read() == PDF


def test_a_file_larger_than_one_chunk_reaches_the_scanner_intact(clamd, store, contributor):
    data = ("audit log line\n" * 30_000).encode()  # ~450 KB: several INSTREAM chunks

    upload(contributor, "audit.log", data)

    assert clamd.scanned == [data]


def test_an_infected_upload_is_refused_naming_the_signature(clamd, store, contributor):
    with pytest.raises(UploadRejected) as refused:
        upload(contributor, "eicar.txt", EICAR)

    assert str(refused.value) == (
        "The virus scanner found Eicar-Test-Signature in the file; it was not stored."
    )
    assert_nothing_stored(store)


def test_a_signature_deep_inside_a_large_file_is_still_found(clamd, store, contributor):
    data = b"harmless text\n" * 20_000 + EICAR + b"\n"

    with pytest.raises(UploadRejected, match="Eicar-Test-Signature"):
        upload(contributor, "notes.txt", data)

    assert_nothing_stored(store)


def test_an_unreachable_scanner_refuses_the_upload(settings, closed_port, store, contributor):
    settings.CLAMAV_ADDRESS = f"127.0.0.1:{closed_port}"

    with pytest.raises(UploadRejected, match="could not be reached"):
        upload(contributor, "soc2.pdf", PDF)

    assert_nothing_stored(store)


def test_an_unexpected_scanner_answer_refuses_the_upload(clamd, store, contributor):
    clamd.reply_override = b"INSTREAM size limit exceeded. ERROR\0"

    with pytest.raises(UploadRejected, match=r"could not scan the file \(INSTREAM size limit"):
        upload(contributor, "soc2.pdf", PDF)

    assert_nothing_stored(store)


def test_a_scanner_that_hangs_up_without_answering_refuses_the_upload(clamd, store, contributor):
    clamd.reply_override = b""

    with pytest.raises(UploadRejected, match=r"could not scan the file \(no answer\)"):
        upload(contributor, "soc2.pdf", PDF)

    assert_nothing_stored(store)


def test_a_file_refused_by_type_is_never_sent_to_the_scanner(clamd, store, contributor):
    with pytest.raises(UploadRejected, match="HTML"):
        upload(contributor, "page.html", b"<html></html>")

    assert clamd.scanned == []


def test_without_a_scanner_address_nothing_is_scanned(settings, clamd, store, contributor):
    settings.CLAMAV_ADDRESS = None

    upload(contributor, "soc2.pdf", PDF)

    assert clamd.commands == []
    assert StoredFile.objects.count() == 1


def test_the_scanner_is_reachable_on_a_unix_socket():
    with tempfile.TemporaryDirectory(prefix="clamd-") as folder:
        path = f"{folder}/clamd.ctl"
        with serve(UnixFakeClamd(path)) as server:
            scanning.scan(f"unix:{path}", [b"clean ", b"bytes"])
            with pytest.raises(UploadRejected, match="Eicar-Test-Signature"):
                scanning.scan(f"unix:{path}", [EICAR[:10], EICAR[10:]])

            assert server.scanned == [b"clean bytes", EICAR]
