# ruff: noqa: F811  (fixtures imported from tests/evidence/conftest.py)
"""The OpenAPI schema and its documentation pages, and the API checked against the schema.

Schemathesis generates requests from the schema for every operation (a fixed seed, a bounded
number of examples) and calls the WSGI application in-process as an organisation's write token;
each response must not be a server error and must match what the schema documents for it.
"""

import re

import pytest
import schemathesis
import yaml
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from evidence.models import EvidenceLink
from tests.evidence.conftest import (  # noqa: F401  (fixtures)
    contributor_membership,
    make_evidence,
    store,
)

EXAMPLES_PER_OPERATION = 25
EXTERNAL_URL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


def test_the_schema_endpoint_serves_openapi_3(client):
    response = client.get("/api/v1/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "CAIQ Manager API"
    assert "/api/v1/evidence/" in schema["paths"]


def test_the_schema_documents_uploads_as_multipart_and_downloads_as_binary(client):
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    paths = schema["paths"]

    create = paths["/api/v1/evidence/"]["post"]["requestBody"]["content"]
    upload = paths["/api/v1/evidence/{id}/versions/"]["post"]["requestBody"]["content"]
    download = paths["/api/v1/evidence/{id}/versions/{number}/download/"]["get"]["responses"]

    assert set(create) == {"multipart/form-data", "application/json"}
    assert set(upload) == {"multipart/form-data"}
    assert download["200"]["content"]["application/pdf"]["schema"] == {
        "type": "string",
        "format": "binary",
    }


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/docs/",
        "/api/v1/redoc/",
    ],
)
def test_the_documentation_pages_load_only_local_assets(client, path):
    response = client.get(path)

    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/" in html
    assert not EXTERNAL_URL.findall(html), EXTERNAL_URL.findall(html)
    assert not re.search(r"https?://(?!testserver)", html), "a URL to another host"


# --- Schemathesis -------------------------------------------------------------------------


@pytest.fixture
def wsgi_app():
    """The real WSGI app, minus closing DB connections after each request (as Django's test
    client does): on PostgreSQL that would close the test's own transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def acme_objects(team, small_questionnaire, make_evidence):
    """Real objects, so some generated ids hit something (most will answer 404)."""
    evidence = make_evidence("Schema check")
    EvidenceLink.objects.create(evidence=evidence, answer=small_questionnaire.answers.first())
    return evidence


def test_every_operation_answers_as_its_schema_says(
    wsgi_app,
    team,
    token_for,
    acme_objects,
    store,
):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", wsgi_app)
    auth = {"Authorization": f"Bearer {token_for(team.org, 'write')}"}
    failures, operations = [], 0

    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            response = case.call(headers=auth)
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # collected, reported together below
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")

    assert operations >= 6
    assert not failures, f"{len(failures)} operation(s) failed:\n\n" + "\n\n".join(failures)
