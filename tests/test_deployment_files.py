"""Docker cannot run here: check that docker-compose.yml parses and names modules that exist."""

import importlib.util
import shlex
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = ("web", "worker", "beat")


def words(command) -> list[str]:
    split = command if isinstance(command, list) else shlex.split(command)
    if split[:2] == ["sh", "-c"]:
        return shlex.split(split[2])
    return split


def test_the_stack_has_every_service_with_health_checks():
    services = COMPOSE["services"]

    assert {"web", "worker", "beat", "db", "redis"} <= set(services)
    for name in ("web", "worker", "db", "redis"):
        assert services[name]["healthcheck"]["test"], name


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
