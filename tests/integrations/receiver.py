"""A webhook receiver on loopback for the tests: it records every request and answers as its
script says (a status code, or "slow": no answer within the sender's read timeout)."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict
    body: bytes


@dataclass
class Receiver:
    script: list = field(default_factory=list)  # what to answer, in order; then 200
    received: list[Received] = field(default_factory=list)
    url: str = ""

    def answer(self):
        return self.script.pop(0) if self.script else 200


def start(receiver: Receiver) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.received.append(
                Received({k.lower(): v for k, v in self.headers.items()}, body)
            )
            answer = receiver.answer()
            if answer == "slow":
                time.sleep(1.5)  # the tests' read timeout is 1 s
                answer = 200
            self.send_response(answer)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/caiq"
    return server
