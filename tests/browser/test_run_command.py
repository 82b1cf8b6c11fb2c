"""The README's first command, for real: bin/run serves the app; a demo user browses the catalog."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def running_app(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(PORT=str(port), DATA_DIR=str(tmp_path / "data"))
    log = (tmp_path / "run.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - the repository's own script
        ["/bin/bash", str(ROOT / "bin" / "run")],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 180
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(
                    f"bin/run exited {process.returncode}:\n{(tmp_path / 'run.log').read_text()}"
                )
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("bin/run did not answer within 180 s")
        yield f"http://127.0.0.1:{port}", (tmp_path / "run.log")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        log.close()


def test_the_run_command_serves_the_app_and_a_demo_user_browses_the_catalog(running_app, page):
    base, log = running_app
    printed = log.read_text()
    assert "viewer@demo.caiq.test" in printed
    password = printed.split("password for all: ")[1].split(")")[0]

    page.goto(base + "/")
    page.get_by_label("E-mail address").fill("viewer@demo.caiq.test")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Catalog", exact=True).click()

    assert page.get_by_role("cell", name="261").is_visible()
    page.get_by_role("link", name="CAIQ v4.0.3").click()
    assert page.get_by_text("UEM-14.1", exact=True).is_visible()
    assert page.get_by_text("placeholder text").first.is_visible()
