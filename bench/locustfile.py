"""Locust users for bench/load.py: people filling answers and GRC integrations pulling them.

Not meant to be started by hand: bench/load.py seeds a database, starts gunicorn and a Celery
worker, writes the plan this file reads (``CAIQ_LOAD_PLAN``: accounts, questionnaires, tokens)
and collects the summary it writes when Locust quits (``CAIQ_LOAD_OUTPUT``).

- ``Filler``: one per contributor account. Logs in through the login form (CSRF, django-axes),
  opens its questionnaire's fill page, then saves answers the way the page's htmx does (every
  field, the revision it started from, ``HX-Request: true``), 1-3 s apart, now and then
  reloading the page filtered to a domain, or opening the questionnaire list or the dashboard.
  Two fillers share a questionnaire on interleaved answers, so no save legitimately meets a 409.
- ``Integration``: one per organisation API token. Pulls a questionnaire's answers
  (``page_size=500``, following ``next``), pulls what changed org-wide in the last minute
  (``updated_since``), PATCHes one of its own answers with the ETag it just read as If-Match,
  and once in a while starts an xlsx export, polls it until it succeeded and downloads it.

Stepped (``bench/load.py --saturate``): the plan lists ``steps``, numbers of fillers. A load
shape starts the integrations and the first step's fillers, measures a window of
``step_duration`` seconds once all of them are in, then adds fillers for the next step, and so
on. It stops after the first step whose window had a failed request or a p95 above
``p95_limit_ms``, or after the last step.

Every response is checked: a non-2xx status, or a body that is not what the request should
return, is a failure with a short reason (the error kinds of the report).

TLS: the server runs config.settings.prod unchanged: Secure session and CSRF cookies, plain
http redirected to https. In production a TLS-terminating proxy sits in front of gunicorn and
says ``X-Forwarded-Proto: https`` (SECURE_PROXY_SSL_HEADER). On loopback there is no proxy, so
this client plays its part: every request carries that header, POSTs carry the ``Origin`` a
browser sends for the https origin, and the cookie jar returns Secure cookies to 127.0.0.1
(``ProxiedLoopbackPolicy``), as the browser would over its https connection to the proxy.
Nothing on the server is relaxed for the test.
"""

from __future__ import annotations

import datetime
import itertools
import json
import os
import random
import re
import time
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlsplit

import gevent
from locust import FastHttpUser, LoadTestShape, between, events, task
from locust.exception import StopUser

PLAN = json.loads(open(os.environ["CAIQ_LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
OUTPUT = os.environ.get("CAIQ_LOAD_OUTPUT")
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
JOB_TIMEOUT_S = 120
JOB_POLL_S = 0.5

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REVISION = re.compile(r'name="revision" value="(\d+)" id="revision-(\d+)"')
DOMAIN_LINK = re.compile(r'href="[^"?]*\?domain=([^"&]+)')
QUESTIONNAIRE_LINK = re.compile(r'href="/questionnaires/\d+/"')
ANSWERS = ("Yes", "No", "NA")
SSRM = ("CSP-owned", "CSC-owned", "Shared CSP and CSC", "3rd-party outsourced")
TEXTS = (
    "Documented in the information security policy, reviewed yearly by the CISO (save {n}).",
    "Enforced as code in our Terraform modules; drift is detected nightly (save {n}).",
    "Covered by the ISO/IEC 27001 certified ISMS; last audited in March (save {n}).",
)

_fillers = iter(PLAN["fillers"])
_integrations = iter(PLAN["integrations"])
_saves = itertools.count(1)
export_jobs: list[dict] = []  # one entry per export started: seconds to succeed, or why not
# Every request as (start time, name, milliseconds, failed): bench/load.py computes the figures
# of the measured window from these, exactly (Locust's own percentiles are rounded buckets).
records: list[tuple[float, str, float, bool]] = []
# The measured window starts once every user has logged in and opened its page, and lasts
# PLAN["duration"] seconds; Locust's --run-time is only a safety net above that.
window = {"ready": 0, "start": None, "end": None}
STEPS = PLAN.get("steps") or []
# Stepped runs: one measured window per step, {"fillers", "start", "end", "p95_ms", "failures"}.
steps: list[dict] = []


@events.request.add_listener
def _record(name, response_time, exception, **_kwargs):
    records.append((time.time() - response_time / 1000, name, response_time, exception is not None))


def _ready(environment) -> None:
    window["ready"] += 1
    if STEPS:
        _step_ready(environment)
    elif window["ready"] == len(PLAN["fillers"]) + len(PLAN["integrations"]):
        window["start"] = time.time()
        gevent.spawn_later(PLAN["duration"], _end, environment)


def _end(environment) -> None:
    window["end"] = time.time()
    environment.runner.quit()  # users finish their task first (--stop-timeout)


def _step_ready(environment) -> None:
    """A stepped run: once every user of the current step is in, measure its window."""
    measuring = bool(steps) and steps[-1]["end"] is None
    if measuring or len(steps) == len(STEPS):
        return
    fillers = STEPS[len(steps)]
    # At least: a user that gave up (StopUser) may have been replaced meanwhile.
    if window["ready"] >= fillers + len(PLAN["integrations"]):
        window["start"] = window["start"] or time.time()
        steps.append({"fillers": fillers, "start": time.time(), "end": None})
        gevent.spawn_later(PLAN["step_duration"], _end_step, environment)


def _end_step(environment) -> None:
    step = steps[-1]
    step["end"] = time.time()
    inside = [r for r in records if step["start"] <= r[0] < step["end"]]
    times = sorted(r[2] for r in inside)
    step["p95_ms"] = times[max(0, -(-len(times) * 95 // 100) - 1)] if times else 0.0
    step["failures"] = sum(1 for r in inside if r[3])
    if step["failures"] or step["p95_ms"] > PLAN["p95_limit_ms"] or len(steps) == len(STEPS):
        window["end"] = step["end"]
        environment.runner.quit()


if STEPS:

    class SteppedLoad(LoadTestShape):
        """Users for the step being measured: the integrations (spawned first, fixed_count)
        and that step's fillers. Locust adds only the difference between two steps."""

        def tick(self):
            if steps and steps[-1]["end"] is None:
                current = steps[-1]["fillers"]  # being measured
            elif len(steps) == len(STEPS):
                return None  # the last step was measured (_end_step quits meanwhile)
            else:
                current = STEPS[len(steps)]  # being started
            return current + len(PLAN["integrations"]), PLAN["spawn_rate"]


class ProxiedLoopbackPolicy(DefaultCookiePolicy):
    """Send Secure cookies to a loopback server, which sees https through X-Forwarded-Proto."""

    def return_ok_secure(self, cookie, request):
        loopback = request.get_host() in ("127.0.0.1", "localhost", "::1")
        return loopback or super().return_ok_secure(cookie, request)


def _check(response, ok: bool, reason: str) -> bool:
    """Mark the request failed with ``reason`` unless ``ok`` (and its status was 2xx)."""
    if not 200 <= (response.status_code or 0) < 300:
        response.failure(f"HTTP {response.status_code}")
        return False
    if not ok:
        response.failure(reason)
        return False
    response.success()
    return True


class Filler(FastHttpUser):
    """A contributor filling their share of one questionnaire in the browser."""

    # Stepped runs: as many as the shape asks for beyond the integrations.
    fixed_count = 0 if STEPS else len(PLAN["fillers"])
    wait_time = between(1, 3)
    default_headers = PROXY_HEADERS

    def on_start(self):
        try:
            self._start()
        finally:
            _ready(self.environment)

    def _start(self):
        plan = next(_fillers)
        self.email = plan["email"]
        self.questionnaire = plan["questionnaire"]
        self.slot, self.slots = plan["slot"], plan["slots"]
        self.page = f"/questionnaires/{self.questionnaire}/"
        self.origin = "https://" + urlsplit(self.host).netloc
        self.revisions: dict[int, int] = {}
        self.domains: list[str] = []
        self.csrf = ""
        self.mine: list[int] = []
        self.client.cookiejar.set_policy(ProxiedLoopbackPolicy())
        self._log_in()
        self._open_fill_page(self.page, "GET fill page")
        # The answers this filler saves: every `slots`-th one, starting at its slot.
        self.mine = sorted(self.revisions)[self.slot :: self.slots]

    def _log_in(self):
        with self.client.get(
            "/account/login/", name="GET login page", catch_response=True
        ) as response:
            match = CSRF_INPUT.search(response.text or "")
            _check(response, match is not None, "login page without a CSRF token")
        if match is None:
            raise StopUser()
        form = {
            "csrfmiddlewaretoken": match.group(1),
            "username": self.email,
            "password": PLAN["password"],
            "next": "",
        }
        headers = {"Origin": self.origin, "Referer": f"{self.origin}/account/login/"}
        # Success redirects to the dashboard (followed here); a refusal shows the form again.
        with self.client.post(
            "/account/login/", data=form, headers=headers, name="POST login", catch_response=True
        ) as response:
            signed_in = "<h1>Dashboard</h1>" in (response.text or "")
            _check(response, signed_in, "login refused")
        if not signed_in:
            raise StopUser()

    def _open_fill_page(self, url: str, name: str) -> None:
        with self.client.get(url, name=name, catch_response=True) as response:
            body = response.text or ""
            found = {int(pk): int(rev) for rev, pk in REVISION.findall(body)}
            token = CSRF_INPUT.search(body)
            if not _check(response, bool(found) and token is not None, "fill page without answers"):
                return
        self.csrf = token.group(1)
        self.revisions.update(found)
        if not self.domains:
            self.domains = sorted(set(DOMAIN_LINK.findall(body)))

    @task(20)
    def save_answer(self):
        if not self.mine:
            return
        pk = random.choice(self.mine)  # noqa: S311 - load pattern, not a secret
        revision = self.revisions[pk]
        n = next(_saves)
        value = random.choice(ANSWERS)  # noqa: S311
        form = {
            "csrfmiddlewaretoken": self.csrf,
            "revision": str(revision),
            "answer": value,
            "ssrm": "" if value == "NA" else random.choice(SSRM),  # noqa: S311
            "implementation": random.choice(TEXTS).format(n=n),  # noqa: S311
            "csc_responsibilities": "Customers manage their own users and keys.",
            "internal_notes": f"Load test save {n} by {self.email}.",
        }
        headers = {
            "HX-Request": "true",
            "X-CSRFToken": self.csrf,
            "Origin": self.origin,
            "Referer": self.origin + self.page,
        }
        with self.client.post(
            f"{self.page}answers/{pk}/",
            data=form,
            headers=headers,
            name="POST answer save (htmx)",
            catch_response=True,
        ) as response:
            saved = f'name="revision" value="{revision + 1}" id="revision-{pk}"'
            if _check(response, saved in (response.text or ""), "save without the new revision"):
                self.revisions[pk] = revision + 1

    @task(2)
    def reload_domain(self):
        if self.domains:
            domain = random.choice(self.domains)  # noqa: S311
            self._open_fill_page(f"{self.page}?domain={domain}", "GET fill page ?domain=")

    @task(1)
    def reload_page(self):
        self._open_fill_page(self.page, "GET fill page")

    @task(1)
    def questionnaire_list(self):
        with self.client.get(
            "/questionnaires/", name="GET questionnaire list", catch_response=True
        ) as response:
            # 25 to a page, newest first: not necessarily this filler's own.
            listed = QUESTIONNAIRE_LINK.search(response.text or "") is not None
            _check(response, listed, "list without questionnaires")

    @task(1)
    def dashboard(self):
        with self.client.get("/", name="GET dashboard", catch_response=True) as response:
            _check(response, "<h1>Dashboard</h1>" in (response.text or ""), "not the dashboard")


class Integration(FastHttpUser):
    """A GRC system with an organisation token (write scope) syncing answers."""

    fixed_count = len(PLAN["integrations"])
    wait_time = between(1, 3)

    def on_start(self):
        plan = next(_integrations)
        self.questionnaires = PLAN["questionnaires"]
        self.own = plan["questionnaire"]  # the one questionnaire it PATCHes: nobody else writes
        self.own_answers: list[int] = []
        self.netloc = urlsplit(self.host).netloc
        self.headers = {**PROXY_HEADERS, "Authorization": f"Bearer {plan['token']}"}
        _ready(self.environment)

    def _get_json(self, url: str, name: str, check) -> dict | None:
        """GET ``url``; ``check(body)`` returns why the body is wrong, or None."""
        with self.client.get(url, headers=self.headers, name=name, catch_response=True) as response:
            try:
                body = response.json()
            except ValueError:
                body = None
            problem = check(body) if body is not None else "not JSON"
            if _check(response, problem is None, problem or ""):
                return body
        return None

    def _walk(self, url: str, name: str, check_row, check_all=None) -> list[dict] | None:
        """Every page of an answer list, following ``next`` (an https URL: the proxy's scheme).

        ``check_row(row)`` and, on the last page, ``check_all(rows)`` return why the response
        is wrong, or None; the page where a check fails counts as the failed request.
        """
        rows: list[dict] = []

        def check(body):
            if not isinstance(body, dict) or "results" not in body or "next" not in body:
                return "not a page of answers"
            problem = next((p for p in map(check_row, body["results"]) if p), None)
            if problem is None and not body["next"] and check_all is not None:
                problem = check_all(rows + body["results"])
            return problem

        while url:
            body = self._get_json(url, name, check)
            if body is None:
                return None
            rows.extend(body["results"])
            url = None
            if body["next"]:
                parts = urlsplit(body["next"])
                if parts.netloc != self.netloc:
                    raise RuntimeError(f"next link to another host: {body['next']}")
                url = f"{parts.path}?{parts.query}"
                name = "GET /api/v1/answers/ next page"
        return rows

    @task(6)
    def pull_questionnaire(self):
        questionnaire = random.choice(self.questionnaires)  # noqa: S311

        def every_answer(rows):
            # A walk returns every answer at least once (again if it changed meanwhile).
            distinct = len({row["id"] for row in rows})
            return None if distinct == PLAN["answers_each"] else f"{distinct} distinct answers"

        rows = self._walk(
            f"/api/v1/answers/?questionnaire={questionnaire}&page_size=500",
            "GET /api/v1/answers/?questionnaire=",
            lambda row: None if row["questionnaire"] == questionnaire else "foreign answer",
            every_answer,
        )
        if questionnaire == self.own and rows:
            self.own_answers = [row["id"] for row in rows]

    @task(6)
    def pull_changes(self):
        since = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1)
        stamp = since.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        self._walk(
            f"/api/v1/answers/?updated_since={stamp}&page_size=500",
            "GET /api/v1/answers/?updated_since=",
            lambda row: None if row["updated_at"] >= stamp[:19] else "older than updated_since",
        )

    @task(2)
    def patch_answer(self):
        if not self.own_answers:
            rows = self._walk(
                f"/api/v1/answers/?questionnaire={self.own}&page_size=500",
                "GET /api/v1/answers/?questionnaire=",
                lambda row: None,
            )
            self.own_answers = [row["id"] for row in rows or []]
            if not self.own_answers:
                return
        pk = random.choice(self.own_answers)  # noqa: S311
        with self.client.get(
            f"/api/v1/answers/{pk}/",
            headers=self.headers,
            name="GET /api/v1/answers/[id]/",
            catch_response=True,
        ) as response:
            etag = response.headers.get("ETag")
            if not _check(response, bool(etag), "no ETag"):
                return
        body = {"implementation": f"Synced from the GRC system at {time.time():.3f}."}
        with self.client.patch(
            f"/api/v1/answers/{pk}/",
            data=json.dumps(body),
            headers={**self.headers, "If-Match": etag, "Content-Type": "application/json"},
            name="PATCH /api/v1/answers/[id]/ (If-Match)",
            catch_response=True,
        ) as response:
            # No headers at all when the connection failed (the status is then 0).
            new = (response.headers or {}).get("ETag")
            _check(response, bool(new) and new != etag, "PATCH without a new ETag")

    @task(1)
    def export(self):
        questionnaire = random.choice(self.questionnaires)  # noqa: S311
        started = time.monotonic()
        with self.client.post(
            f"/api/v1/questionnaires/{questionnaire}/jobs/",
            data=json.dumps({"kind": "export_xlsx"}),
            headers={**self.headers, "Content-Type": "application/json"},
            name="POST /api/v1/questionnaires/[id]/jobs/",
            catch_response=True,
        ) as response:
            job = response.json() if response.status_code == 202 else {}
            if not _check(response, "id" in job, "no job id"):
                export_jobs.append({"ok": False, "reason": f"start: HTTP {response.status_code}"})
                return
        status = job.get("status")
        while status not in ("succeeded", "failed"):
            if time.monotonic() - started > JOB_TIMEOUT_S:
                export_jobs.append({"ok": False, "reason": f"not done in {JOB_TIMEOUT_S} s"})
                return
            gevent.sleep(JOB_POLL_S)
            body = self._get_json(
                f"/api/v1/jobs/{job['id']}/",
                "GET /api/v1/jobs/[id]/ (poll)",
                lambda body: None if body.get("status") != "failed" else "job failed",
            )
            if body is None:
                export_jobs.append({"ok": False, "reason": "poll failed or job failed"})
                return
            status = body["status"]
        with self.client.get(
            f"/api/v1/jobs/{job['id']}/download/",
            headers=self.headers,
            name="GET /api/v1/jobs/[id]/download/",
            catch_response=True,
        ) as response:
            is_xlsx = (response.content or b"")[:2] == b"PK"
            ok = _check(response, is_xlsx, "download is not an xlsx file")
        export_jobs.append(
            {"ok": ok, "seconds": time.monotonic() - started, "bytes": len(response.content or b"")}
        )


@events.quitting.add_listener
def _write_summary(environment, **_kwargs):
    if not OUTPUT:
        return
    summary = {
        "window": window,
        "steps": steps,
        "records": records,
        "errors": [
            {"method": e.method, "name": e.name, "error": str(e.error), "count": e.occurrences}
            for e in environment.stats.errors.values()
        ],
        # Exceptions in this file's own code: each one is an error of the run too.
        "exceptions": [
            {"message": e["msg"], "count": e["count"], "traceback": e["traceback"]}
            for e in environment.runner.exceptions.values()
        ],
        "export_jobs": export_jobs,
    }
    with open(OUTPUT, "w", encoding="utf-8") as out:
        json.dump(summary, out)
