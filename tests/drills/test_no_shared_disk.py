"""Web and workers on separate "hosts": no disk in common, only PostgreSQL, Redis and a bucket.

Two gunicorn servers and two Celery workers run with FILE_STORAGE=s3, each with its own empty
storage folder, on the drill's PostgreSQL database, a Redis queue of their own and moto's S3
server on loopback. A catalog uploaded through web A, an export started through web B and run by
whichever worker takes it, downloaded through web A; evidence uploaded through B and downloaded
through A. The bytes match a single process's, and no process wrote a file to its own disk.
"""

import hashlib
import os
import re
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from caiq.xlsx.builder import build_caiq_xlsx
from tests.caiq.conftest import ten_question_structure
from tests.conftest import S3_KEY, S3_REGION
from tests.evidence.test_upload_matrix import PDF

from .conftest import ON_POSTGRES, DrillDatabase, Process, start_web, wait_until

REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.drill,
    pytest.mark.skipif(
        not (ON_POSTGRES and REDIS_URL),
        reason="needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL)",
    ),
]

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = "9.9.9"


@dataclass
class Host:
    """One process of the deployment, with the storage folder that only it sees."""

    process: Process
    folder: Path
    base: str = ""


def files_in(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


@pytest.fixture
def deployment(spawn, drill_database: DrillDatabase, s3_endpoint, s3_bucket, tmp_path):
    bucket, client = s3_bucket
    queue = f"drill-{uuid.uuid4().hex[:8]}"

    def env(folder: Path) -> dict[str, str]:
        return drill_database.env(
            DRILL_STORAGE=str(folder),
            CELERY_BROKER_URL=REDIS_URL,
            DRILL_QUEUE=queue,
            FILE_STORAGE="s3",
            S3_BUCKET=bucket,
            S3_ENDPOINT_URL=s3_endpoint,
            S3_REGION=S3_REGION,
            S3_ACCESS_KEY=S3_KEY,
            S3_SECRET_KEY=S3_KEY,
        )

    hosts: dict[str, Host] = {}
    for name in ("web-a", "web-b"):
        folder = tmp_path / name
        folder.mkdir()
        process, base = start_web(spawn, env(folder), name, threads=2)
        hosts[name] = Host(process, folder, base)
    for name in ("worker-1", "worker-2"):
        folder = tmp_path / name
        folder.mkdir()
        process = spawn(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                f"--queues={queue}",
                f"--hostname={name}-{uuid.uuid4().hex[:6]}@%h",
                "--without-mingle",
                "--without-gossip",
            ],
            env=env(folder),
            name=name,
        )
        hosts[name] = Host(process, folder)

    def ready():
        for name, host in hosts.items():
            if not host.process.alive:
                pytest.fail(f"{name} exited:\n{host.process.tail()}")
        webs = all(_answers(hosts[name].base) for name in ("web-a", "web-b"))
        workers = all(" ready." in hosts[name].process.log() for name in ("worker-1", "worker-2"))
        return webs and workers

    wait_until(ready, timeout=60, what="two web servers and two workers ready", every=0.3)
    reference_env = env(tmp_path / "reference")
    (tmp_path / "reference").mkdir()
    return hosts, client, bucket, reference_env


def _answers(base: str) -> bool:
    try:
        return requests.get(f"{base}/account/login/", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    assert page.status_code == 200, f"GET {url}: {page.status_code}"
    return CSRF_INPUT.search(page.text).group(1)


def test_catalog_export_and_evidence_cross_hosts_through_the_bucket_only(
    deployment, drill_database
):
    hosts, s3, bucket, reference_env = deployment
    a, b = hosts["web-a"].base, hosts["web-b"].base
    seed = drill_database.seed
    api = {"Authorization": f"Bearer {seed['token']}"}
    browser = requests.Session()  # one session: its cookie is valid on both servers
    login = browser.post(
        f"{a}/account/login/",
        {
            "username": seed["email"],
            "password": seed["password"],
            "csrfmiddlewaretoken": _csrf(browser, f"{a}/account/login/"),
        },
        allow_redirects=False,
        timeout=10,
    )
    assert login.status_code == 302, login.text[:500]

    # A catalog uploaded through web A.
    workbook = build_caiq_xlsx(ten_question_structure(VERSION))
    uploaded = browser.post(
        f"{a}/catalog/import/",
        {"csrfmiddlewaretoken": _csrf(browser, f"{a}/catalog/import/")},
        files={"workbook": ("caiq.xlsx", workbook)},
        allow_redirects=False,
        timeout=30,
    )
    assert uploaded.status_code == 302, uploaded.text[:2000]

    # A questionnaire on it and its export, started through web B, downloaded through web A.
    created = requests.post(
        f"{b}/api/v1/questionnaires/",
        json={"version": VERSION, "name": "Across hosts", "service_name": "Drill"},
        headers=api,
        timeout=30,
    )
    assert created.status_code == 201, created.text
    questionnaire = created.json()["id"]
    started = requests.post(
        f"{b}/api/v1/questionnaires/{questionnaire}/jobs/",
        json={"kind": "export_xlsx"},
        headers=api,
        timeout=30,
    )
    assert started.status_code == 202, started.text
    job = started.json()["id"]

    def finished():
        body = requests.get(f"{a}/api/v1/jobs/{job}/", headers=api, timeout=10).json()
        return body if body["status"] in ("succeeded", "failed") else None

    outcome = wait_until(finished, timeout=60, what=f"export job {job} finished", every=0.3)
    assert outcome["status"] == "succeeded", outcome
    download = requests.get(f"{a}/api/v1/jobs/{job}/download/", headers=api, timeout=30)
    assert download.status_code == 200
    reference = drill_database.action("export_digest", str(questionnaire), env=reference_env)
    assert hashlib.sha256(download.content).hexdigest() == reference["sha256"]

    # Evidence uploaded through web B, downloaded through web A.
    added = browser.post(
        f"{b}/evidence/",
        {"csrfmiddlewaretoken": _csrf(browser, f"{b}/evidence/"), "title": "Pen test report"},
        files={"file": ("pentest.pdf", PDF, "application/pdf")},
        allow_redirects=False,
        timeout=30,
    )
    assert added.status_code == 302, added.text[:2000]
    evidence = re.search(r"/evidence/(\d+)/$", added.headers["Location"]).group(1)
    fetched = browser.get(f"{a}/evidence/{evidence}/download/", timeout=30)
    assert fetched.status_code == 200
    assert fetched.content == PDF

    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    template = f"files/catalog-templates/{hashlib.sha256(workbook).hexdigest()}.xlsx"
    assert template in keys
    assert any(key.startswith("files/jobs/") for key in keys)
    for name, host in hosts.items():
        assert files_in(host.folder) == [], f"{name} wrote to its own disk"
    ran = [name for name in ("worker-1", "worker-2") if "succeeded" in hosts[name].process.log()]
    assert len(ran) == 1, "exactly one worker ran the export"
