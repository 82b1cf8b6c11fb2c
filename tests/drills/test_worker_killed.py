"""Drill: the Celery worker is killed in the middle of an export.

A real ``celery -A config worker`` (prefork pool, one process) consumes from a real broker:
Redis when REDIS_URL is set, else Kombu's filesystem transport (works across processes without
any server, so the drill also runs where Redis does not). Whatever is killed, the job ends
succeeded or failed with a message, never stuck "running".
"""

import contextlib
import json
import os
import re
import signal
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from caiq.services.jobs import MAX_ATTEMPTS

from .conftest import DrillDatabase, Process, process_gone, wait_until

pytestmark = pytest.mark.drill
# Redis hands a dead worker's message out again once it is this many seconds old, looking every
# second (production: CELERY_TASK_TIME_LIMIT + 300 s, looking every 100 s).
QUICK_REDELIVERY = {
    "visibility_timeout": 8,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}


@dataclass
class Broker:
    url: str
    queue: str
    transport_options: dict = field(default_factory=dict)
    # Redis keeps a dead worker's unacknowledged message and hands it out again after the
    # visibility timeout; the filesystem transport keeps it in the worker's memory, so a
    # SIGKILL of the whole worker loses it (the reaper is then the only way back).
    keeps_unacked: bool = False

    def env(self, **transport_options) -> dict[str, str]:
        return {
            "CELERY_BROKER_URL": self.url,
            "DRILL_QUEUE": self.queue,
            "DRILL_TRANSPORT_OPTIONS": json.dumps({**self.transport_options, **transport_options}),
        }


def _forget_redis_queue(url: str, queue: str) -> None:
    """Remove this drill's queue and any message of it still unacknowledged."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    with contextlib.closing(client):
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        for tag, payload in client.hscan_iter("unacked"):
            if queue.encode() in payload:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)


@pytest.fixture
def broker(tmp_path):
    """A queue of this test's own on the broker (so that no other consumer takes its messages)."""
    queue = f"drill-{uuid.uuid4().hex[:12]}"
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        yield Broker(url=redis_url, queue=queue, keeps_unacked=True)
        _forget_redis_queue(redis_url, queue)
        return
    folders = {name: tmp_path / "broker" / name for name in ("messages", "control", "processed")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    yield Broker(
        url="filesystem://",
        queue=queue,
        transport_options={
            "data_folder_in": str(folders["messages"]),
            "data_folder_out": str(folders["messages"]),
            "control_folder": str(folders["control"]),
            "processed_folder": str(folders["processed"]),
        },
    )


@dataclass
class Holds:
    """How many export runs the worker holds (sleeping, to be killed), and the holder's pid."""

    folder: Path

    @property
    def count_file(self) -> Path:
        return self.folder / "holds"

    @property
    def pid_file(self) -> Path:
        return self.folder / "holder.pid"

    def arm(self, count: int) -> None:
        self.count_file.write_text(str(count))

    def env(self) -> dict[str, str]:
        return {"DRILL_HOLD_FILE": str(self.count_file), "DRILL_PID_FILE": str(self.pid_file)}

    def next_holder(self, worker: Process) -> int:
        """The pid of the pool process now holding an export (the job is running)."""

        def holder():
            if not worker.alive:
                pytest.fail(f"the worker exited:\n{worker.tail()}")
            return self.pid_file.exists() and int(self.pid_file.read_text())

        pid = wait_until(holder, timeout=60, what="an export started on the worker")
        self.pid_file.unlink()  # the next holder writes a new one
        return pid


@pytest.fixture
def holds(tmp_path) -> Holds:
    holds = Holds(tmp_path)
    holds.arm(0)
    return holds


def start_worker(spawn, database: DrillDatabase, broker: Broker, holds: Holds, name: str, **opts):
    """``celery -A config worker`` with a prefork pool of one process, ready to consume."""
    env = database.env(**broker.env(**opts), **holds.env())
    worker = spawn(
        [
            sys.executable,
            "-m",
            "tests.drills.slow_worker",
            "--pool=prefork",
            "--concurrency=1",
            "--loglevel=INFO",
            f"--queues={broker.queue}",
            f"--hostname={name}-{uuid.uuid4().hex[:6]}@%h",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        env=env,
        name=name,
    )

    def ready():
        if not worker.alive:
            pytest.fail(f"{name} exited:\n{worker.tail()}")
        return " ready." in worker.log()

    wait_until(ready, timeout=60, what=f"{name} ready")
    return worker


def start_export(database: DrillDatabase, broker: Broker) -> int:
    """What the Export button does, in a process of its own: the job's id."""
    questionnaire = str(database.seed["questionnaire"])
    return database.action("start_export", questionnaire, env=database.env(**broker.env()))["job"]


def task_ids(worker: Process, event: str) -> list[str]:
    """Ids of caiq.run_job messages the worker logged as ``received`` or ``succeeded``."""
    return re.findall(rf"Task caiq\.run_job\[([0-9a-f-]+)\] {event}", worker.log())


def test_a_killed_pool_process_has_its_export_redelivered_and_it_succeeds(
    spawn, drill_database, broker, holds
):
    holds.arm(1)
    worker = start_worker(spawn, drill_database, broker, holds, "worker")
    job = start_export(drill_database, broker)

    holder = holds.next_holder(worker)
    assert holder != worker.pid, "the export must run in the pool process, not the main one"
    os.kill(holder, signal.SIGKILL)
    row = drill_database.wait_finished(job)

    assert row.status == "succeeded", row.message
    assert row.attempts == 2
    assert row.message.startswith("Exported (")
    assert drill_database.result_exists(row), row.result
    assert worker.alive, "the main process replaces its pool process and carries on"
    assert "WorkerLostError" in worker.log()
    [first, again] = task_ids(worker, "received")
    assert first == again, "the same message, requeued when its process was lost"


def test_a_job_killed_on_every_attempt_fails_with_a_message_after_the_last(
    spawn, drill_database, broker, holds
):
    holds.arm(MAX_ATTEMPTS)
    worker = start_worker(spawn, drill_database, broker, holds, "worker")
    job = start_export(drill_database, broker)

    for attempt in range(1, MAX_ATTEMPTS + 1):
        holder = holds.next_holder(worker)
        assert drill_database.job(job).attempts == attempt
        os.kill(holder, signal.SIGKILL)
    row = drill_database.wait_finished(job)

    assert row.status == "failed"
    assert row.attempts == MAX_ATTEMPTS
    assert row.message == (
        f"The job was interrupted {MAX_ATTEMPTS} times (its worker stopped) and was given up; "
        "start it again."
    )
    assert not row.result


def test_a_job_whose_whole_worker_died_is_reaped_and_its_late_message_changes_nothing(
    spawn, drill_database, broker, holds
):
    holds.arm(1)
    first = start_worker(spawn, drill_database, broker, holds, "first-worker", **QUICK_REDELIVERY)
    job = start_export(drill_database, broker)
    holder = holds.next_holder(first)
    [original] = task_ids(first, "received")

    first.kill_group()  # SIGKILL to the main process and its pool process at once
    wait_until(lambda: process_gone(holder), timeout=10, what="the pool process gone")
    assert drill_database.job(job).status == "running", "nobody is left to finish it"
    reaped = drill_database.action("reap", env=drill_database.env(**broker.env()))
    assert reaped == {"reaped": 1}
    assert drill_database.job(job).status == "queued"
    fresh = start_worker(spawn, drill_database, broker, holds, "fresh-worker", **QUICK_REDELIVERY)
    row = drill_database.wait_finished(job)

    assert row.status == "succeeded", row.message
    assert row.attempts == 2
    assert row.message.startswith("Exported (")
    assert drill_database.result_exists(row), row.result
    if broker.keeps_unacked:
        late = original  # the very message the dead worker had taken
    else:
        env = drill_database.env(**broker.env())
        late = drill_database.action("publish", str(job), env=env)["task"]
    wait_until(
        lambda: late in task_ids(fresh, "succeeded"),
        timeout=40,
        what=f"the late message {late} run by the fresh worker",
    )
    assert drill_database.job(job) == row, "the late message changed nothing"
