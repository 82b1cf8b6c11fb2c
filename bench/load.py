"""Load test: people filling answers and GRC integrations pulling them, on production settings.

One command sets everything up on 127.0.0.1, runs Locust headless (bench/locustfile.py) and
tears everything down again, also on Ctrl-C, a kill or a failure:

1. checks that PostgreSQL and Redis answer (a clear refusal otherwise, exit 2);
2. drops and creates the database named by --database-url (its name must contain "load", a
   guard against pointing this at real data), migrates it, seeds one organisation with
   ``bench/seed_volume.py`` (the sample catalog, --questionnaires questionnaires of 261
   answers with history, one contributor account per filler) and creates one organisation API
   token (write scope) per integration; meanwhile collects the static files into a temporary
   STATIC_ROOT;
3. starts a Celery worker and gunicorn (config/gunicorn.py, with --workers and --threads on
   top: 3 x 4 threads by default, sized for 2 cores) on config.settings.prod, unchanged but
   for what the environment must give it here: a generated SECRET_KEY,
   ALLOWED_HOSTS=127.0.0.1, the database and Redis URLs, CONN_MAX_AGE=60, temporary data
   folders, and no per-address login limit (every simulated user shares 127.0.0.1);
4. runs Locust: --users fillers and --integrations integrations (see bench/locustfile.py for
   what each does, and how the client stands in for the TLS proxy). Every user first logs in
   and opens its page (the warm-up); the measured window then lasts --duration seconds;
5. prints, for the window: requests, throughput, p50/p95/p99 per request type and overall, the
   time spent inside gunicorn (its access log) and the CPU each part used; for the whole run:
   the errors by kind and the export jobs completed; then the warm-up, the machine and the
   versions (a table, or JSON with --json). --logs DIR keeps the processes' logs.

Exits 0 without errors, 1 with any failed request, user exception or export job, 2 when it
could not run. Times are measured by the Locust client on the same machine.

--saturate finds where this machine gives out. Setup as above, once; then for each number of
web processes (--processes, default 1 and 2: gunicorn servers of --workers 1 each, all on one
port with SO_REUSEPORT, the kernel spreading connections as the proxy in front of scaled
``web`` containers would; worker recycling off, see _start_web), Locust adds fillers step by
step (--steps) and measures each step for --step-duration seconds once all its users are in. It
stops at the first step whose p95 passes --p95-limit (500 ms) or that has a failed request,
and prints every step (throughput, p50/p95/p99, failures, CPU cores of the web processes, of
Locust and of the whole machine) and the requests per second at that point. Exits 0
when it ran (saturating is the expected outcome), 1 on an exception in the locustfile.

Run: .venv/bin/python bench/load.py [--users 50] [--integrations 5] [--duration 60]
         [--database-url postgres://postgres@127.0.0.1:5432/caiq_load] [--json]
     .venv/bin/python bench/load.py --saturate [--steps 20,40,...] [--processes 1,2]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib.metadata
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MANAGE = [sys.executable, str(ROOT / "manage.py")]
SEED_COMMAND = [sys.executable, str(ROOT / "bench" / "seed_volume.py")]
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
GUNICORN_CONFIG = ROOT / "config" / "gunicorn.py"
ORGANIZATION = "load"
FILLERS_PER_QUESTIONNAIRE = 2
STARTUP_TIMEOUT_S = 60
STOP_TIMEOUT_S = 15
# Locust's --run-time is a safety net: the locustfile ends the run after the measured window.
WARM_UP_LIMIT_S = 300
VERSIONS = ("Django", "gunicorn", "celery", "locust", "psycopg", "redis")
PROXY = {"X-Forwarded-Proto": "https"}  # what the TLS proxy adds; see bench/locustfile.py
# Fillers at each step of --saturate: finer where 2 cores are expected to give out.
SATURATION_STEPS = [20, 40, 60, 80, 100, 120, 150, 180, 220, 260, 300, 350, 400, 500, 600]


class SetupError(Exception):
    """The load test could not be set up or run; the message says why."""


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- PostgreSQL and Redis ---------------------------------------------------------------------


def _server_url(database_url: str) -> tuple[str, str]:
    """The maintenance database URL on the same server, and the load database's name."""
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if parts.scheme not in ("postgres", "postgresql") or not name:
        raise SetupError("--database-url must be a PostgreSQL URL that names a database.")
    if "load" not in name:
        raise SetupError(
            f"The database {name!r} is dropped and created again: its name must contain "
            "'load' (e.g. caiq_load), so that this never points at real data."
        )
    return urlunsplit(("postgresql", parts.netloc, "/postgres", "", "")), name


def _check_services(database_url: str, redis_url: str) -> dict:
    import psycopg
    import redis

    server, _name = _server_url(database_url)
    where = urlsplit(database_url).netloc.rpartition("@")[2] or "localhost"
    try:
        with psycopg.connect(server, connect_timeout=3) as connection:
            pg_version = connection.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error as exc:
        raise SetupError(
            f"PostgreSQL does not answer at {where} ({str(exc).strip()}); start it, or point "
            "--database-url at a server that does."
        ) from exc
    try:
        info = redis.Redis.from_url(redis_url, socket_connect_timeout=3).info("server")
    except redis.RedisError as exc:
        raise SetupError(
            f"Redis does not answer at {redis_url} ({exc}); start it, or pass --redis-url."
        ) from exc
    return {"PostgreSQL": pg_version.split()[0], "Redis": info["redis_version"]}


def _database(database_url: str, *, create: bool) -> None:
    """Drop the load database (FORCE: a run killed earlier may have left connections), and
    create it again when ``create``."""
    import psycopg
    from psycopg import sql

    server, name = _server_url(database_url)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if create:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# --- Processes --------------------------------------------------------------------------------


def _run(command: list[str], env: dict, what: str) -> str:
    """Run a one-off command to completion; its stdout, or SetupError with its output's end."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-15:]
        raise SetupError(f"{what} failed (exit {result.returncode}):\n  " + "\n  ".join(tail))
    return result.stdout


class Services:
    """The processes this run started; ``stop()`` ends each of them, by its own id."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        with open(self.folder / f"{name}.log", "wb") as log:
            # A session of its own: Ctrl-C reaches only this script, which stops it in order.
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                command,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes[name] = process
        return process

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def tail(self, name: str, lines: int = 20) -> str:
        return "\n  ".join(self.log(name).strip().splitlines()[-lines:])

    def wait_for(self, name: str, ready) -> None:
        """Wait until ``ready()`` is true, failing early when the process exits."""
        process = self.processes[name]
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SetupError(f"{name} exited ({process.returncode}):\n  {self.tail(name)}")
            if ready():
                return
            time.sleep(0.3)
        raise SetupError(f"{name} did not start in {STARTUP_TIMEOUT_S} s:\n  {self.tail(name)}")

    def stop(self, names: list[str] | None = None) -> None:
        """Stop the processes named (all by default), the last started first."""
        for name, process in reversed(list(self.processes.items())):
            if names is not None and name not in names:
                continue
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    _log(f"{name} did not stop in {STOP_TIMEOUT_S} s: killing it")
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        for name in names if names is not None else list(self.processes):
            self.processes.pop(name, None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(url: str) -> bool:
    request = urllib.request.Request(url, headers=PROXY)  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


# --- CPU use, sampled from /proc while Locust runs --------------------------------------------


def _proc_cpu() -> tuple[dict[int, tuple[int, float]], dict[int, str]]:
    """{pid: (ppid, CPU seconds incl. reaped children)} and the cmdline of postgres backends."""
    ticks = os.sysconf("SC_CLK_TCK")
    processes, backends = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
            cpu = sum(int(v) for v in fields[11:15]) / ticks  # utime stime cutime cstime
            processes[int(entry.name)] = (int(fields[1]), cpu)
            if (entry / "comm").read_text().startswith("postgres"):
                backends[int(entry.name)] = (
                    (entry / "cmdline").read_bytes().decode(errors="replace")
                )
        except (OSError, IndexError, ValueError):
            continue  # it ended meanwhile
    return processes, backends


def _machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    ticks = os.sysconf("SC_CLK_TCK")
    return (sum(fields) - fields[3] - fields[4]) / ticks, sum(fields) / ticks


class CpuSampler(threading.Thread):
    """Once a second: CPU seconds used so far by each part of the test, and by the machine."""

    def __init__(self, roots: dict[str, int], database: str):
        super().__init__(daemon=True)
        self.roots, self.database = roots, f" {database} "
        self.samples: list[tuple[float, dict[str, float]]] = []
        self.done = threading.Event()

    def sample(self) -> None:
        processes, backends = _proc_cpu()
        children = defaultdict(list)
        for pid, (ppid, _cpu) in processes.items():
            children[ppid].append(pid)
        used = {}
        for name, root in self.roots.items():
            stack, total = [root], 0.0
            while stack:
                pid = stack.pop()
                total += processes.get(pid, (0, 0.0))[1]
                stack.extend(children[pid])
            used[name] = total
        used["PostgreSQL"] = sum(
            processes[pid][1]
            for pid, cmdline in backends.items()
            if self.database in cmdline and pid in processes
        )
        used["machine busy"], used["machine total"] = _machine_cpu()
        self.samples.append((time.time(), used))

    def run(self) -> None:
        while not self.done.wait(1.0):
            self.sample()

    def between(self, start: float, end: float) -> dict[str, float]:
        """Cores used by each part between two times (the nearest samples inside them)."""
        inside = [s for s in self.samples if start <= s[0] <= end] or self.samples
        (t0, first), (t1, last) = inside[0], inside[-1]
        seconds = max(1e-6, t1 - t0)
        cores = {name: (last[name] - first.get(name, 0.0)) / seconds for name in last}
        cores.pop("machine total")
        # Everything else: Redis, the kernel, and whatever else runs on this machine meanwhile.
        busy = cores.pop("machine busy")
        cores["other"] = busy - sum(cores.values())
        cores["machine busy"] = busy
        return cores


# --- The run ----------------------------------------------------------------------------------


def _environment(args, folder: Path) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.prod",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": args.database_url,
            "CACHE_URL": args.redis_url,
            "CELERY_BROKER_URL": args.redis_url,
            "CONN_MAX_AGE": "60",
            # Every simulated user logs in from 127.0.0.1, which in production would be as many
            # addresses as people: the per-address limit (20 failures) would turn a few login
            # timeouts at saturation into a lockout of everyone, this run's and the next's.
            # Axes' limit per account and address still applies.
            "LOGIN_ADDRESS_FAILURE_LIMIT": "1000000",
            "DATA_DIR": str(folder / "data"),
            "PRIVATE_STORAGE_ROOT": str(folder / "data" / "private"),
            "STATIC_ROOT": str(folder / "static"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _seed(args, env: dict) -> dict:
    # seed_volume makes member-0 .. member-{M-5} contributors (one per filler), then two
    # reviewers, an admin and a viewer.
    command = [*SEED_COMMAND, "--organization", ORGANIZATION, "--json"]
    command += ["--questionnaires", str(args.questionnaires), "--members", str(args.users + 4)]
    output = _run(command, env, "seed_volume")
    line = next((ln for ln in reversed(output.splitlines()) if ln.startswith("{")), None)
    if line is None:
        raise SetupError(f"seed_volume printed no JSON:\n{output[-2000:]}")
    return json.loads(line)


def _statuses(host: str, token: str) -> dict[int, str]:
    """Each questionnaire's status, read through the API as an integration would."""
    url = f"{host}/api/v1/questionnaires/?page_size=1000"
    statuses = {}
    while url:
        headers = {**PROXY, "Authorization": f"Bearer {token}"}
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            body = json.load(response)
        statuses.update({row["id"]: row["status"] for row in body["results"]})
        url = body["next"] and f"{host}{urlsplit(body['next']).path}?{urlsplit(body['next']).query}"
    return statuses


def _plan(args, seeded: dict, tokens: list[str], statuses: dict[int, str]) -> dict:
    # Submitted questionnaires are read-only: pulled and exported, never written to.
    ids = [pk for pk in seeded["questionnaire_ids"] if statuses.get(pk) != "submitted"]
    needed = math.ceil(args.users / FILLERS_PER_QUESTIONNAIRE) + args.integrations
    if len(ids) < needed:
        raise SetupError(
            f"{len(ids)} editable questionnaires seeded; this run needs {needed} "
            "(raise --questionnaires)."
        )
    missing = {f"member-{i}@{ORGANIZATION}.example" for i in range(args.users)}
    missing -= set(seeded["members"])
    if missing:
        raise SetupError(f"seed_volume did not create {', '.join(sorted(missing))}")
    fillers = [
        {
            "email": f"member-{i}@{ORGANIZATION}.example",
            "questionnaire": ids[i // FILLERS_PER_QUESTIONNAIRE],
            "slot": i % FILLERS_PER_QUESTIONNAIRE,
            "slots": FILLERS_PER_QUESTIONNAIRE,
        }
        for i in range(args.users)
    ]
    # Each integration PATCHes only a questionnaire of its own, one that no filler opens.
    integrations = [{"token": t, "questionnaire": ids[-(j + 1)]} for j, t in enumerate(tokens)]
    return {
        "duration": args.duration,
        "password": seeded["password"],
        "fillers": fillers,
        "integrations": integrations,
        "questionnaires": seeded["questionnaire_ids"],
        "answers_each": seeded["answers"] // seeded["questionnaires"],
    }


def _gunicorn_command(args, port: int) -> list[str]:
    command = [str(BIN / "gunicorn"), "config.wsgi:application"]
    if GUNICORN_CONFIG.exists():
        command += ["-c", str(GUNICORN_CONFIG)]
    command += ["--bind", f"127.0.0.1:{port}"]
    if args.workers:
        command += ["--workers", str(args.workers)]
    if args.threads:
        command += ["--threads", str(args.threads)]
    return command


def _prepare(args, env: dict, services: Services) -> tuple[dict, list[str]]:
    """A fresh, migrated, seeded database, the static files, and the API tokens."""
    _log(f"database {_server_url(args.database_url)[1]}: drop, create, migrate")
    _database(args.database_url, create=True)
    # collectstatic (about a minute of brotli on 2 cores) needs no database: run it meanwhile.
    services.start("collectstatic", [*MANAGE, "collectstatic", "--noinput"], env)
    _run([*MANAGE, "migrate", "--noinput"], env, "migrate")
    _log(f"seed_volume: {args.questionnaires} questionnaires, {args.users + 4} members")
    started = time.monotonic()
    seeded = _seed(args, env)
    seeded["seconds"] = round(time.monotonic() - started, 1)
    # A read-only token for this script's own look-up, then one per integration.
    tokens = []
    for scope, name in [
        ("read", "Load test runner"),
        *[("write", f"Load integration {j + 1}") for j in range(args.integrations)],
    ]:
        command = [*MANAGE, "create_api_token", "--organization", ORGANIZATION]
        output = _run([*command, "--scope", scope, "--name", name], env, "create_api_token")
        tokens.append(output.strip().splitlines()[-1])
    if services.processes["collectstatic"].wait() != 0:
        raise SetupError(f"collectstatic failed:\n  {services.tail('collectstatic')}")
    return seeded, tokens


@contextlib.contextmanager
def _backend(args):
    """A seeded database, the static files, API tokens and a Celery worker; everything it
    started is stopped and dropped again on the way out."""
    versions = {"Python": platform.python_version()}
    versions.update({name: importlib.metadata.version(name) for name in VERSIONS})
    versions.update(_check_services(args.database_url, args.redis_url))
    folder = Path(tempfile.mkdtemp(prefix="caiq-load-"))
    services = Services(folder)
    try:
        env = _environment(args, folder)
        seeded, tokens = _prepare(args, env, services)
        _log(f"Celery worker (concurrency {args.celery_concurrency}) on {args.redis_url}")
        celery = [str(BIN / "celery"), "-A", "config", "worker", "--loglevel", "INFO"]
        celery += ["--concurrency", str(args.celery_concurrency), "-n", f"load-{os.getpid()}@%h"]
        services.start("celery", [*celery, "--without-gossip", "--without-mingle"], env)
        services.wait_for("celery", lambda: re.search(r"ready\.", services.log("celery")))
        yield Backend(folder, services, env, seeded, tokens, versions)
    finally:
        services.stop()
        if not args.keep_database:
            with contextlib.suppress(Exception):
                _database(args.database_url, create=False)
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Backend:
    folder: Path
    services: Services
    env: dict
    seeded: dict
    tokens: list[str]  # the runner's read token, then one write token per integration
    versions: dict


def _start_web(args, backend: Backend, processes: int) -> tuple[str, list[str]]:
    """``processes`` gunicorn servers sharing one port (SO_REUSEPORT: the kernel spreads the
    connections, as a proxy in front of scaled web containers would); each also listens on a
    port of its own, to know when it is up. The URL and the names of the servers."""
    port = _free_port()
    names = []
    for n in range(processes):
        name = "gunicorn" if processes == 1 else f"gunicorn-{n + 1}"
        own = _free_port()
        command = [*_gunicorn_command(args, port), "--bind", f"127.0.0.1:{own}"]
        command += ["--reuse-port"] if processes > 1 else []
        # No recycling: a process of one worker stops serving for 2-3 s at each recycle (every
        # 2,000 requests), which a 30-second step reports as saturation at any load, and drops
        # the keep-alive connections it held. Production's 3 workers a process recycle apart.
        command += ["--max-requests", "0"]
        _log(" ".join(["gunicorn", *command[1:]]))
        backend.services.start(name, command, backend.env)
        backend.services.wait_for(
            name, lambda own=own: _answers(f"http://127.0.0.1:{own}/account/login/")
        )
        names.append(name)
    return f"http://127.0.0.1:{port}", names


def _run_locust(args, backend: Backend, host: str, plan: dict, watch: list[str]):
    """Run Locust on ``plan`` against ``host``: its summary, and the CPU sampler that watched
    ``watch`` (process names) and Locust meanwhile."""
    services = backend.services
    plan_file = backend.folder / "plan.json"
    plan_file.write_text(json.dumps(plan))
    output = backend.folder / "locust-summary.json"
    output.unlink(missing_ok=True)
    limit = args.duration + WARM_UP_LIMIT_S
    if plan.get("steps"):
        limit = len(plan["steps"]) * (plan["step_duration"] + WARM_UP_LIMIT_S)
    locust = [str(BIN / "locust"), "-f", str(LOCUSTFILE), "--headless", "--only-summary"]
    if not plan.get("steps"):  # a stepped run's load shape sets users and rate itself
        locust += ["-u", str(args.users + args.integrations), "-r", str(args.spawn_rate)]
        locust += ["-t", f"{limit}s"]
    locust += ["--stop-timeout", "30"]
    locust += ["--host", host, "--loglevel", "WARNING", "Filler"]
    locust += ["Integration"] if args.integrations else []
    env = {**backend.env, "CAIQ_LOAD_PLAN": str(plan_file), "CAIQ_LOAD_OUTPUT": str(output)}
    services.start("locust", locust, env)
    sampler = CpuSampler(
        {name: services.processes[name].pid for name in [*watch, "locust"]},
        _server_url(args.database_url)[1],
    )
    sampler.sample()
    sampler.start()
    try:
        services.processes["locust"].wait(limit + 120)
    except subprocess.TimeoutExpired as exc:
        raise SetupError(f"locust did not finish:\n  {services.tail('locust', 40)}") from exc
    finally:
        sampler.done.set()
    if not output.exists():
        raise SetupError(f"locust wrote no summary:\n  {services.tail('locust', 40)}")
    summary = json.loads(output.read_text())
    if summary["window"]["start"] is None:
        raise SetupError(
            f"only {summary['window']['ready']} users started in {WARM_UP_LIMIT_S} s:\n  "
            + services.tail("locust", 40)
        )
    return summary, sampler


def run(args) -> dict:
    with _backend(args) as backend:
        host, names = _start_web(args, backend, 1)
        plan = _plan(args, backend.seeded, backend.tokens[1:], _statuses(host, backend.tokens[0]))
        _log(
            f"locust: {args.users} fillers + {args.integrations} integrations; warm-up, then "
            f"{args.duration} s measured"
        )
        summary, sampler = _run_locust(args, backend, host, plan, ["gunicorn", "celery"])
        window = summary["window"]
        window["end"] = window["end"] or max(r[0] for r in summary["records"])
        report = _report(args, summary, sampler.between(window["start"], window["end"]))
        command = _gunicorn_command(args, 0)
        report.update(
            {
                "server_times": _server_times(
                    backend.services.log(names[0]), window["start"], window["end"]
                ),
                "questionnaires": backend.seeded["questionnaires"],
                "answers": backend.seeded["answers"],
                "seed_s": backend.seeded["seconds"],
                "gunicorn": " ".join(command[1:]).replace(":0", ":PORT"),
                "celery_concurrency": args.celery_concurrency,
                "locust_cpu_warnings": backend.services.log("locust").count("CPU usage above"),
                "machine": _machine(),
                "versions": backend.versions,
            }
        )
        _keep_logs(args, backend)
        return report


def saturate(args) -> dict:
    """For each number of web processes: raise the fillers step by step until a step's p95
    passes the limit or a request fails; every step's figures, and where it saturated."""
    runs = []
    with _backend(args) as backend:
        for processes in args.processes:
            host, names = _start_web(args, backend, processes)
            statuses = _statuses(host, backend.tokens[0])
            plan = _plan(args, backend.seeded, backend.tokens[1:], statuses)
            plan.update(
                steps=args.steps,
                step_duration=args.step_duration,
                p95_limit_ms=args.p95_limit,
                spawn_rate=args.spawn_rate,
            )
            _log(
                f"{processes} web process(es): steps of {args.steps} fillers (+ "
                f"{args.integrations} integrations), {args.step_duration} s measured each"
            )
            summary, sampler = _run_locust(args, backend, host, plan, [*names, "celery"])
            runs.append(_saturation_run(args, processes, summary, sampler))
            logs = backend.services
            runs[-1]["locust_cpu_warnings"] = logs.log("locust").count("CPU usage above")
            # The kernel spreads connections over the processes: how many each served.
            runs[-1]["served"] = [logs.log(name).count('"gunicorn.access"') for name in names]
            backend.services.stop(["locust", *names])
        _keep_logs(args, backend)
        return {
            "runs": runs,
            "p95_limit_ms": args.p95_limit,
            "gunicorn": " ".join(_gunicorn_command(args, 0)[1:]).replace(":0", ":PORT"),
            "questionnaires": backend.seeded["questionnaires"],
            "answers": backend.seeded["answers"],
            "machine": _machine(),
            "versions": backend.versions,
        }


def _saturation_run(args, processes: int, summary: dict, sampler) -> dict:
    steps = []
    for step in summary["steps"]:
        if step["end"] is None:
            continue  # Locust was stopped in the middle of it
        inside = [r for r in summary["records"] if step["start"] <= r[0] < step["end"]]
        seconds = step["end"] - step["start"]
        cores = sampler.between(step["start"], step["end"])
        figures = _figures(inside)
        steps.append(
            {
                "users": step["fillers"] + args.integrations,
                "throughput_rps": round(len(inside) / seconds, 1),
                **figures,
                "server_cores": round(
                    sum(v for k, v in cores.items() if k.startswith("gunicorn")), 2
                ),
                "locust_cores": round(cores.get("locust", 0.0), 2),
                "machine_busy": round(cores["machine busy"], 2),
                "saturated": bool(figures["failures"]) or figures["p95_ms"] > args.p95_limit,
            }
        )
    saturated = next((step for step in steps if step["saturated"]), None)
    within = [step for step in steps if not step["saturated"]]
    return {
        "processes": processes,
        "steps": steps,
        "saturated_at": saturated,
        "last_within": within[-1] if within else None,
        "errors": sum(e["count"] for e in summary["exceptions"]),
        "error_kinds": summary["errors"],
        "exceptions": summary["exceptions"],
    }


def _print_saturation(report: dict) -> None:
    machine = report["machine"]
    print(
        f"Saturation: fillers added step by step until p95 > {report['p95_limit_ms']} ms or a "
        f"request fails; {report['questionnaires']} questionnaires ({report['answers']} answers)"
    )
    print(f"Each web process: gunicorn {report['gunicorn']}, all on one port (SO_REUSEPORT)")
    print(
        f"Machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['memory_gib']} GiB; "
        "Locust, PostgreSQL, Redis and Celery run on the same CPUs"
    )
    print("Versions: " + ", ".join(f"{k} {v}" for k, v in report["versions"].items()))
    header = (
        f"{'procs':>5} {'users':>6} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'fail':>5}"
        f"  {'cores: web':>10} {'locust':>6} {'machine':>7}"
    )
    for run in report["runs"]:
        print()
        print(header)
        for step in run["steps"]:
            print(
                f"{run['processes']:>5} {step['users']:>6} {step['throughput_rps']:>7.1f} "
                f"{step['p50_ms']:>6.0f} {step['p95_ms']:>6.0f} {step['p99_ms']:>6.0f} "
                f"{step['failures']:>5}  {step['server_cores']:>10.2f} "
                f"{step['locust_cores']:>6.2f} {step['machine_busy']:>7.2f}"
                + ("  SATURATED" if step["saturated"] else "")
            )
        at, within = run["saturated_at"], run["last_within"]
        line = f"{run['processes']} web process(es): "
        if at:
            line += (
                f"saturated at {at['users']} users, {at['throughput_rps']} req/s "
                f"(p95 {at['p95_ms']:.0f} ms, {at['failures']} failed)"
            )
        else:
            line += "did not saturate within the steps given (add larger ones)"
        if within:
            line += f"; last step within: {within['users']} users, {within['throughput_rps']} req/s"
        print(line)
        for kind in run["error_kinds"]:
            print(f"  {kind['count']:>5} x {kind['name']}: {kind['error']}")
        for exception in run["exceptions"]:
            print(f"  {exception['count']:>5} x locustfile exception: {exception['message']}")
        if len(run["served"]) > 1:
            print("  requests served by each process: " + ", ".join(map(str, run["served"])))
        if run["locust_cpu_warnings"]:
            print(
                f"  Locust warned {run['locust_cpu_warnings']} times that its CPU use passed 90 %."
            )


def _keep_logs(args, backend: Backend) -> None:
    if args.logs:
        Path(args.logs).mkdir(parents=True, exist_ok=True)
        for log in backend.folder.glob("*.log"):
            shutil.copy(log, args.logs)


def _machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    memory = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": model.group(1).strip() if model else platform.processor(),
        "memory_gib": round(int(memory.group(1)) / 1024**2, 1) if memory else None,
        "system": platform.platform(),
    }


def _figures(rows: list) -> dict:
    """Count, failures and exact nearest-rank percentiles of (start, name, ms, failed) rows."""
    times = sorted(row[2] for row in rows)

    def rank(fraction: float) -> float:
        return round(times[max(0, math.ceil(fraction * len(times)) - 1)], 1) if times else 0.0

    return {
        "requests": len(rows),
        "failures": sum(1 for row in rows if row[3]),
        "p50_ms": rank(0.50),
        "p95_ms": rank(0.95),
        "p99_ms": rank(0.99),
        "max_ms": round(times[-1], 1) if times else 0.0,
    }


def _by_name(rows: list) -> list[dict]:
    groups = defaultdict(list)
    for row in rows:
        groups[row[1]].append(row)
    figures = [{"name": name, **_figures(group)} for name, group in groups.items()]
    return sorted(figures, key=lambda f: -f["requests"])


def _server_times(log: str, start: float, end: float) -> list[dict]:
    """Time spent inside gunicorn per route, from its JSON access log (config/logs.py), for
    requests that ended in the window: what the client saw beyond this is waiting for a worker.
    Empty when the log has no such lines (another log format)."""
    rows = []
    for line in log.splitlines():
        if '"gunicorn.access"' not in line or '"duration_ms"' not in line:
            continue
        with contextlib.suppress(ValueError, KeyError):
            entry = json.loads(line)
            ended = datetime.datetime.fromisoformat(entry["timestamp"]).timestamp()
            if start <= ended < end:
                route = re.sub(r"/\d+/", "/[id]/", entry["path"])
                failed = int(entry["status"]) >= 400
                name = f"{entry['method']} {route}"
                rows.append((ended, name, float(entry["duration_ms"]), failed))
    return _by_name(rows) + ([{"name": "all requests", **_figures(rows)}] if rows else [])


def _report(args, summary: dict, cores: dict[str, float]) -> dict:
    start, end = summary["window"]["start"], summary["window"]["end"]
    records = summary["records"]
    measured = [r for r in records if start <= r[0] < end]
    warm_up = [r for r in records if r[0] < start]
    jobs = summary["export_jobs"]
    done = sorted(job["seconds"] for job in jobs if job["ok"])
    failed_jobs = [job["reason"] for job in jobs if not job["ok"]]
    failures = sum(1 for r in records if r[3])
    exceptions = sum(e["count"] for e in summary["exceptions"])
    return {
        "users": {"fillers": args.users, "integrations": args.integrations},
        "window_s": round(end - start, 1),
        "requests": len(measured),
        "throughput_rps": round(len(measured) / (end - start), 1),
        "overall": _figures(measured),
        "by_request": _by_name(measured),
        "cpu_cores_used": {name: round(value, 2) for name, value in cores.items()},
        # Errors count the whole run: warm-up, window, and the tasks finishing after it.
        "errors": failures + exceptions + len(failed_jobs),
        "error_kinds": summary["errors"],
        "exceptions": summary["exceptions"],
        "export_jobs": {
            "succeeded": len(done),
            "failed": failed_jobs,
            "median_s": round(done[len(done) // 2], 1) if done else None,
            "max_s": round(done[-1], 1) if done else None,
        },
        "warm_up": {
            "seconds": round(start - min((r[0] for r in records), default=start), 1),
            "by_request": _by_name(warm_up),
        },
    }


def _print_rows(entries: list[dict], total: dict | None = None) -> None:
    header = f"{'request':<42} {'count':>6} {'fail':>5} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}"
    print(header + "  ms")
    print("-" * len(header))
    rows = [*entries, *([{"name": "all requests", **total}] if total else [])]
    for entry in rows:
        if entry is not entries[0] and entry["name"] == "all requests":
            print("-" * len(header))
        print(
            f"{entry['name'][:42]:<42} {entry['requests']:>6} {entry['failures']:>5} "
            f"{entry['p50_ms']:>7.0f} {entry['p95_ms']:>7.0f} {entry['p99_ms']:>7.0f} "
            f"{entry['max_ms']:>7.0f}"
        )


def _print_table(report: dict) -> None:
    users, machine, cores = report["users"], report["machine"], report["cpu_cores_used"]
    print(
        f"Load test: {users['fillers']} fillers + {users['integrations']} integrations, "
        f"{report['questionnaires']} questionnaires ({report['answers']} answers)"
    )
    print(
        f"gunicorn {report['gunicorn']}; Celery worker, concurrency {report['celery_concurrency']}"
    )
    print(
        f"Machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['memory_gib']} GiB; "
        "Locust runs on the same CPUs as the server"
    )
    print("Versions: " + ", ".join(f"{k} {v}" for k, v in report["versions"].items()))
    print()
    print(f"Measured window: {report['window_s']} s after every user had logged in")
    _print_rows(report["by_request"], report["overall"])
    print(
        f"Throughput: {report['requests']} requests in {report['window_s']} s = "
        f"{report['throughput_rps']} req/s"
    )
    print(
        "CPU cores used in the window: "
        + ", ".join(f"{name} {value:.2f}" for name, value in cores.items())
        + f" (of {machine['nproc']})"
    )
    if report["server_times"]:
        print()
        print(
            "Time inside gunicorn (its access log), same window: the rest is waiting for a worker"
        )
        _print_rows(report["server_times"][:-1], report["server_times"][-1])
    print()
    warm = report["warm_up"]
    print(
        f"Warm-up ({warm['seconds']} s): log in and open the first page, not in the figures above"
    )
    _print_rows(warm["by_request"])
    print()
    jobs = report["export_jobs"]
    print(
        f"Export jobs (start, poll, download): {jobs['succeeded']} succeeded"
        + (f", median {jobs['median_s']} s, max {jobs['max_s']} s" if jobs["succeeded"] else "")
        + (f"; {len(jobs['failed'])} failed: {jobs['failed']}" if jobs["failed"] else "")
    )
    print(f"Errors (whole run): {report['errors']}")
    for kind in report["error_kinds"]:
        print(f"  {kind['count']:>5} x {kind['name']}: {kind['error']}")
    for exception in report["exceptions"]:
        print(f"  {exception['count']:>5} x exception in the locustfile: {exception['message']}")
    if report["locust_cpu_warnings"]:
        print(f"Locust warned {report['locust_cpu_warnings']} times that its CPU use passed 90 %.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="fillers (default 50)")
    parser.add_argument("--integrations", type=int, default=5, help="API clients (default 5)")
    parser.add_argument("--duration", type=int, default=60, help="measured seconds (default 60)")
    parser.add_argument("--questionnaires", type=int, default=60, help="seeded (default 60)")
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/caiq_load",
        help="dropped, created and seeded; its name must contain 'load' (default caiq_load)",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/0",
        help="Celery broker and Django cache (default redis://127.0.0.1:6379/0)",
    )
    # 3 x 4 gthread: the best latency of 3, 4 and 5 sync workers and 2x4, 3x4 and 2x8 threads
    # measured on 2 cores (a slow fill page then holds one thread, not a whole worker).
    parser.add_argument(
        "--workers", type=int, help="gunicorn workers (default 3; with --saturate 1 a process)"
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    parser.add_argument("--celery-concurrency", type=int, default=2)
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--keep-database", action="store_true", help="do not drop it at the end")
    parser.add_argument("--logs", help="copy the gunicorn, Celery and Locust logs to this folder")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    saturation = parser.add_argument_group(
        "saturation", "--saturate: raise the fillers step by step, for 1 and 2 web processes"
    )
    saturation.add_argument("--saturate", action="store_true", help="find the saturation point")
    saturation.add_argument(
        "--steps",
        type=_numbers,
        default=SATURATION_STEPS,
        help="fillers at each step (default %(default)s)",
    )
    saturation.add_argument(
        "--step-duration", type=int, default=30, help="measured seconds a step (default 30)"
    )
    saturation.add_argument(
        "--processes", type=_numbers, default=[1, 2], help="web processes to try (default 1,2)"
    )
    saturation.add_argument(
        "--p95-limit", type=float, default=500, help="saturated above this p95 (default 500 ms)"
    )
    args = parser.parse_args(argv)
    if args.workers is None:
        args.workers = 1 if args.saturate else 3
    if args.saturate:
        args.users = max(args.steps)
        # Enough editable questionnaires for every filler pair and integration (a fifth or so
        # of the seeded ones are submitted, read-only).
        needed = math.ceil(args.users / FILLERS_PER_QUESTIONNAIRE) + args.integrations
        args.questionnaires = max(args.questionnaires, math.ceil(needed * 1.5))
    if args.users < 1 or args.integrations < 0 or args.duration < 1:
        parser.error("--users and --duration must be at least 1, --integrations at least 0")

    # Ctrl-C and a plain `kill` tear everything down (SIGINT too: a shell may have ignored it).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        report = saturate(args) if args.saturate else run(args)
    except SetupError as exc:
        print(f"Load test not run: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrupted: everything it started was stopped.", file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps(report, indent=2))
    elif args.saturate:
        _print_saturation(report)
    else:
        _print_table(report)
    if args.saturate:
        return 1 if any(run["errors"] for run in report["runs"]) else 0
    return 1 if report["errors"] else 0


def _numbers(text: str) -> list[int]:
    try:
        numbers = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: numbers separated by commas") from None
    if not numbers or min(numbers) < 1 or numbers != sorted(set(numbers)):
        raise argparse.ArgumentTypeError(f"{text!r}: increasing numbers from 1")
    return numbers


if __name__ == "__main__":
    sys.exit(main())
