"""Take the README's screenshot of the fill page, from a throwaway demo installation.

Migrates and seeds a SQLite database in a temporary DATA_DIR, fills in a few answers through
the services, serves the app with runserver and photographs the fill page as the demo
contributor sees it, in Debian's Chromium. Nothing outside the temporary folder
and the output files are touched: the cards at 1366x900 (the file named), the grid beside it
(``-grid``) and the cards on a 390x844 phone (``-phone``).

Run: .venv/bin/python bench/screenshot_fill_page.py docs/fill-page.png
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
VIEWPORT = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
CONTRIBUTOR = "contributor@demo.caiq.test"
QUESTIONNAIRE_NAME = "Object Storage · CAIQ 2026"

# (question, answer, SSRM ownership, implementation, CSC responsibilities, review step)
FILLED = [
    (
        "A&A-01.1",
        "Yes",
        "CSP-owned",
        "The audit and assurance policy is approved by the CISO and published on the intranet.",
        "",
        "approve",
    ),
    (
        "A&A-01.2",
        "Yes",
        "CSP-owned",
        "The policy is reviewed every year and after each major organisational change.",
        "",
        "approve",
    ),
    (
        "A&A-02.1",
        "Yes",
        "Shared CSP and CSC",
        "An external auditor performs an ISO/IEC 27001 surveillance audit every year.",
        "Customers audit their own configuration of the service.",
        "ready",
    ),
    (
        "A&A-03.1",
        "No",
        "CSC-owned",
        "",
        "Customers plan audits of their own workloads.",
        "",
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - the repository's own manage.py
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def populate() -> None:
    """Runs in a child process with the temporary settings: print the questionnaire's id."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from accounts.models import Membership
    from caiq.models import CatalogVersion
    from caiq.services import (
        answer_approve,
        answer_mark_ready,
        answer_update,
        questionnaire_create,
    )

    def member(role: str) -> Membership:
        return Membership.objects.select_related("user").get(
            user__email=f"{role}@demo.caiq.test", organization__slug="demo"
        )

    admin, contributor, reviewer = member("admin"), member("contributor"), member("reviewer")
    questionnaire = questionnaire_create(
        membership=admin,
        version=CatalogVersion.objects.get(),
        name=QUESTIONNAIRE_NAME,
        service_name="Demo Object Storage",
    )
    for code, answer, ssrm, implementation, csc, step in FILLED:
        row = questionnaire.answers.select_related("questionnaire").get(question__code=code)
        row = answer_update(
            answer=row,
            membership=contributor,
            user=contributor.user,
            values={
                "answer": answer,
                "ssrm": ssrm,
                "implementation": implementation,
                "csc_responsibilities": csc,
            },
            base_revision=row.revision,
        )
        if step == "approve":
            answer_approve(answer=row, membership=reviewer, user=reviewer.user)
        elif step == "ready":
            answer_mark_ready(answer=row, membership=contributor, user=contributor.user)
    print(questionnaire.pk)


def wait_for(port: int, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"runserver exited {server.returncode}:\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"runserver did not answer within 60 s:\n{log.read_text()}")


def photograph(base: str, password: str, questionnaire_pk: int, out: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(15_000)
            page.goto(f"{base}/account/login/")
            page.get_by_label("E-mail address").fill(CONTRIBUTOR)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Log in").click()
            expect(page.get_by_role("button", name="Log out")).to_be_visible()
            out.parent.mkdir(parents=True, exist_ok=True)
            # Cards and grid at a laptop's size, then the cards on a phone.
            for query, size, path in (
                ("", VIEWPORT, out),
                ("?view=grid", VIEWPORT, out.with_stem(f"{out.stem}-grid")),
                ("", PHONE, out.with_stem(f"{out.stem}-phone")),
            ):
                page.set_viewport_size(size)
                page.goto(f"{base}/questionnaires/{questionnaire_pk}/{query}")
                expect(page.get_by_role("heading", name=QUESTIONNAIRE_NAME)).to_be_visible()
                page.screenshot(path=str(path))
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the PNG to write, e.g. docs/fill-page.png")
    out = parser.parse_args().out.resolve()
    sys.path.insert(0, str(ROOT))

    with tempfile.TemporaryDirectory(prefix="caiq-screenshot-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
        env.update(DJANGO_SETTINGS_MODULE="config.settings.dev", DATA_DIR=tmp)
        manage(env, "migrate", "--noinput")
        # seed_demo prints the demo users' password (accounts.services_demo.DEMO_PASSWORD).
        password = manage(env, "seed_demo").split("password for all: ")[1].split(")")[0]
        populated = subprocess.run(  # noqa: S603 - this script, in a child process
            [PYTHON, __file__, "--populate"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if populated.returncode:
            sys.exit(f"populating failed:\n{populated.stdout}{populated.stderr}")
        questionnaire_pk = int(populated.stdout.split()[-1])

        port = free_port()
        log = Path(tmp) / "runserver.log"
        with log.open("w") as log_file:
            server = subprocess.Popen(  # noqa: S603 - the repository's own manage.py
                [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                cwd=ROOT,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
            try:
                wait_for(port, server, log)
                photograph(f"http://127.0.0.1:{port}", password, questionnaire_pk, out)
            finally:
                server.terminate()
                server.wait(timeout=30)
    print(f"Wrote {out}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--populate"]:
        populate()
    else:
        main()
