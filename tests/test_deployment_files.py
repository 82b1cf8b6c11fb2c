"""Docker cannot run here: check the deployment files (compose, image, environment, CI gates).

docker-compose.yml parses and names modules that exist, every service has a health check, every
variable the settings read is documented in .env.example, and .ci/audit (the pip-audit gate)
fails, passes or warns as it should.
"""

import ast
import importlib.util
import os
import re
import runpy
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

from config.health import CHECKS

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = ("migrate", "web", "worker", "beat")
LONG_RUNNING = ("web", "worker", "beat")


def words(command) -> list[str]:
    split = command if isinstance(command, list) else shlex.split(command)
    if split[:2] == ["sh", "-c"]:
        return shlex.split(split[2])
    return split


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_command_names_a_module_or_management_command_that_exists(service):
    command = words(COMPOSE["services"][service]["command"])
    checked = []
    for i, word in enumerate(command):
        if word.endswith(":application"):
            checked.append(word.split(":")[0])
        if word == "-A":
            checked.append(command[i + 1])
        if word == "manage.py":
            assert command[i + 1] in get_commands(), command[i + 1]
            checked.append("manage")
    assert checked, f"{service} runs nothing we can check: {command}"
    for module in checked:
        assert importlib.util.find_spec(module) is not None, module


def test_the_app_services_use_production_settings():
    for service in APP_SERVICES:
        env = COMPOSE["services"][service]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.prod"
        assert importlib.util.find_spec(env["DJANGO_SETTINGS_MODULE"]) is not None


# --- Health checks ------------------------------------------------------------------------------


def test_every_service_has_a_health_check_and_web_asks_healthz():
    services = COMPOSE["services"]

    running = {name for name, service in services.items() if service.get("restart") != "no"}

    assert running == {"web", "worker", "beat", "db", "broker", "cache", "objectstore"}
    assert {name for name in running if services[name]["healthcheck"]["test"]} == running
    web = words(services["web"]["healthcheck"]["test"][1:])
    assert web[:3] == ["python", "-m", "config.health"]
    assert web[3].startswith("http://127.0.0.1:8000/healthz")
    beat = words(services["beat"]["healthcheck"]["test"][1:])
    assert beat[:4] == ["python", "-m", "config.health", "--local"]
    assert set(beat[4].split(",")) <= set(CHECKS)


def test_migrations_run_once_before_web_worker_and_beat_start():
    services = COMPOSE["services"]

    assert words(services["migrate"]["command"])[:3] == ["python", "manage.py", "migrate"]
    for name in LONG_RUNNING:
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
        assert "migrate" not in words(services[name]["command"])


def test_web_scales_over_a_port_range_bound_to_this_host():
    (ports,) = COMPOSE["services"]["web"]["ports"]
    host, first_last, container = ports.split(":")

    assert host == "127.0.0.1"
    assert container == "8000"
    first, last = (int(port) for port in first_last.split("-"))
    assert last - first >= 9  # --scale web=10 finds a port for each


def test_the_broker_never_evicts_and_the_cache_may():
    services = COMPOSE["services"]
    app = services["web"]["environment"]

    broker, cache = words(services["broker"]["command"]), words(services["cache"]["command"])
    assert broker[broker.index("--maxmemory-policy") + 1] == "noeviction"
    assert cache[cache.index("--maxmemory-policy") + 1] == "allkeys-lru"
    assert app["CELERY_BROKER_URL"].startswith("redis://broker:")
    assert app["CACHE_URL"].startswith("redis://cache:")


def test_postgresql_is_costed_for_ssd_storage():
    command = words(COMPOSE["services"]["db"]["command"])

    assert "random_page_cost=1.1" in command


def test_web_runs_gunicorn_with_its_config_file_which_logs_json():
    command = words(COMPOSE["services"]["web"]["command"])
    config_file = command[command.index("-c") + 1]
    settings = runpy.run_path(str(ROOT / config_file))

    assert "gunicorn" in command
    assert settings["logconfig_dict"]["handlers"]["console"]["formatter"] == "json"
    assert settings["bind"] == "0.0.0.0:8000"
    assert settings["control_socket_disable"] is True


# --- Environment --------------------------------------------------------------------------------


def settings_variables() -> set[str]:
    """Every environment variable the production settings and gunicorn's config read."""
    names = set()
    for path in ("config/settings/base.py", "config/settings/prod.py", "config/gunicorn.py"):
        for node in ast.walk(ast.parse((ROOT / path).read_text())):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            function = ast.unparse(node.func)
            if function in {"env", "env_bool", "env_list", "os.environ.get", "os.getenv"}:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    names.add(first.value)
    return names


def test_every_variable_the_settings_read_is_in_the_env_example():
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, re.MULTILINE))
    compose_text = (ROOT / "docker-compose.yml").read_text()
    interpolated = set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", compose_text))

    read = settings_variables()
    assert len(read) > 30  # the parser found the settings' env() calls
    assert sorted((read | interpolated) - listed) == []


def test_the_compose_file_holds_no_password():
    environment = COMPOSE["services"]["db"]["environment"]
    app = COMPOSE["services"]["web"]["environment"]
    objectstore = COMPOSE["services"]["objectstore"]["environment"]

    assert environment["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert "${POSTGRES_PASSWORD:?" in app["DATABASE_URL"]
    assert objectstore["S3_ACCESS_KEY"].startswith("${S3_ACCESS_KEY:?")
    assert objectstore["S3_SECRET_KEY"].startswith("${S3_SECRET_KEY:?")
    assert "S3_SECRET_KEY" not in app  # the app reads it from .env, like every secret


def test_every_file_goes_to_the_object_store_whose_bucket_exists_before_the_app_starts():
    services = COMPOSE["services"]
    migrate = words(services["migrate"]["command"])

    for name in APP_SERVICES:
        app = services[name]
        assert app["environment"]["FILE_STORAGE"] == "s3"
        assert "objectstore:8333" in app["environment"]["S3_ENDPOINT_URL"]
        assert app["depends_on"]["objectstore"] == {"condition": "service_healthy"}
    assert migrate.index("create_buckets") > migrate.index("migrate")
    store = services["objectstore"]
    assert ":" in store["image"]  # a pinned version,
    assert not store["image"].endswith(":latest")  # not whatever is newest
    assert "-s3.port=8333" in store["command"][0]
    assert "objectdata:/data" in store["volumes"]
    assert "ports" not in store  # reached inside the compose network only


def test_secrets_and_local_state_stay_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()

    assert {".env", ".git", ".venv", "data"} <= set(ignored)


def probe_production(expression: str, **env) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CONN_"))}
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            f"print({expression})",
        ],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "config.settings.prod",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": "postgres://caiq@db:5432/caiq",
            "CELERY_BROKER_URL": "redis://broker:6379/0",
            **env,
        },
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_production_keeps_database_connections_for_a_minute_unless_told_otherwise():
    expression = (
        "s.DATABASES['default']['CONN_MAX_AGE'], s.DATABASES['default']['CONN_HEALTH_CHECKS']"
    )

    assert probe_production(expression) == "60 True"
    assert probe_production(expression, CONN_MAX_AGE="0") == "0 True"


# --- pip-audit gate (.ci/audit), with a stand-in for pip-audit ----------------------------------

FAKE_PIP_AUDIT = """#!{python}
import json, os, sys, time
args = sys.argv[1:]
mode = os.environ["FAKE_AUDIT"]
ignored = [args[i + 1] for i, a in enumerate(args) if a == "--ignore-vuln"]
if mode == "hang":
    time.sleep(30)
if mode == "unreachable":
    sys.exit("requests.exceptions.ConnectionError: Max retries exceeded with url: /v1/query")
if mode == "broken":
    sys.exit("pip-audit: invalid requirements file")
django = {{"name": "django", "version": "5.2.1"}}
if mode == "skipped":
    django["skip_reason"] = "Dependency not found on PyPI and could not be audited: django"
else:
    vulns = [{{"id": "PYSEC-2099-1", "aliases": ["CVE-2099-1"], "fix_versions": ["5.2.2"]}}]
    django["vulns"] = [v for v in vulns if mode == "vulnerable" and v["id"] not in ignored]
six = {{"name": "six", "version": "1.17.0", "vulns": []}}
with open(args[args.index("--output") + 1], "w") as report:
    json.dump({{"dependencies": [django, six]}}, report)
sys.exit(1 if django.get("vulns") else 0)
"""


@pytest.fixture
def run_audit(tmp_path):
    fake = tmp_path / "pip-audit"
    fake.write_text(FAKE_PIP_AUDIT.format(python=sys.executable))
    fake.chmod(0o755)
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("django==5.2.1 \\\n    --hash=sha256:00\nsix==1.17.0\n")

    def run(mode: str, ignore: str = "") -> subprocess.CompletedProcess:
        (tmp_path / "ignore.txt").write_text(ignore)
        return subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, str(ROOT / ".ci" / "audit"), str(requirements)],
            env={
                **os.environ,
                "PIP_AUDIT": str(fake),
                "PIP_AUDIT_IGNORE": str(tmp_path / "ignore.txt"),
                "PIP_AUDIT_TIMEOUT": "3",
                "FAKE_AUDIT": mode,
            },
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    return run


def test_the_audit_fails_on_a_known_vulnerability(run_audit):
    result = run_audit("vulnerable")

    assert result.returncode == 1
    assert "VULNERABLE django==5.2.1: PYSEC-2099-1 (CVE-2099-1), fixed in 5.2.2" in result.stdout


def test_the_audit_passes_a_vulnerability_ignored_with_a_date_and_a_reason(run_audit):
    result = run_audit("vulnerable", "PYSEC-2099-1  # 2099-01-31, only the CLI is affected\n")

    assert result.returncode == 0, result.stdout
    assert "2 packages of" in result.stdout
    assert "0 known vulnerabilities (ids ignored: PYSEC-2099-1)" in result.stdout


def test_the_audit_refuses_an_ignore_without_a_date_or_a_reason(run_audit):
    result = run_audit("vulnerable", "PYSEC-2099-1  # no reason given\n")

    assert result.returncode == 1
    assert "every ignore needs `ID  # YYYY-MM-DD, reason`" in result.stdout


@pytest.mark.parametrize(
    ("mode", "unaudited"),
    [("skipped", "1 of 2"), ("unreachable", "2 of 2"), ("hang", "2 of 2")],
)
def test_an_audit_that_could_not_run_says_so_loudly_but_passes(run_audit, mode, unaudited):
    result = run_audit(mode)

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"!!! pip-audit could NOT audit {unaudited} packages" in result.stdout
    assert "This is not a clean result" in result.stdout


def test_an_audit_that_fails_for_another_reason_fails(run_audit):
    result = run_audit("broken")

    assert result.returncode == 1
    assert "pip-audit failed on" in result.stdout
