"""Every API operation x every persona, generated from the URL configuration.

The operations are not listed by hand: they come from walking ``get_resolver()`` for routes under
``api/v1/`` (the schema and docs views aside) and asking each view which methods it serves, so a
new endpoint joins the matrix by existing. Path parameters are filled with real ids of Acme's
objects; a parameter the table below cannot fill fails the test, naming the route.

What must hold, whatever the endpoint does:

- nobody ever gets a 5xx;
- anonymous callers get 401 everywhere;
- the outsider (an admin of Globex) never gets a 2xx on a route naming one of Acme's objects
  (404, or 401/403/405), and no response they get carries Acme's data (names, ids, hashes);
- read-only callers (the viewer, read tokens) never get a 2xx on an unsafe method;
- members (every role, every token) can read every GET route; authenticated callers never 401.
"""

import datetime
import itertools
import json
import re
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.models import Membership, Role
from accounts.services import invitation_create
from audit.models import AuditEvent, EventKind
from caiq.models import Job, JobKind, JobStatus
from caiq.services import questionnaire_create
from evidence.models import EvidenceLink
from evidence.services import evidence_create
from sharing.models import AccessKind, ShareLink
from tests.evidence.conftest import pdf_file, store  # noqa: F401  (fixture)

API_PREFIX = "api/v1/"
SKIPPED_ROUTES = {"schema/", "docs/", "redoc/"}
UNSAFE = {"post", "put", "patch", "delete"}
# The CAIQ catalog is public reference data shared by every organisation: an outsider may read it.
GLOBAL_ROUTES = re.compile(r"^/api/v1/catalog/")
PERSONAS = (
    "anonymous",
    "outsider",
    "viewer",
    "contributor",
    "reviewer",
    "admin",
    "org_read_token",
    "org_write_token",
    "viewer_user_token",
    "contributor_user_token",
)
READ_ONLY = {"viewer", "org_read_token", "viewer_user_token"}
MEMBERS = set(PERSONAS) - {"anonymous", "outsider"}
# Unsafe operations a viewer's session may still perform, each with its reason. Read-only
# *tokens* are refused every unsafe method by TokenScopePermission regardless.
VIEWER_MAY = {
    # Starting an export is reading: caiq.services.jobs.job_start lets viewers export (the body
    # here asks for export_json); an import needs a contributor.
    ("post", "questionnaires/{pk}/jobs/"),
}
# Path parameter → (which object of the world fills it, whether it names a tenant's object).
# Keys match the route up to and including the parameter, ids of earlier parameters as "{}".
PARAMETERS = (
    (r"catalog/versions/\{pk\}$", "catalog_version", False),
    (r"catalog/domains/\{pk\}$", "domain", False),
    (r"catalog/controls/\{pk\}$", "control", False),
    (r"catalog/questions/\{pk\}$", "question", False),
    (r"questionnaires/\{(pk|questionnaire_pk|questionnaire_id)\}$", "questionnaire", True),
    (r"answers/\{(pk|answer_pk|answer_id)\}$", "answer", True),
    (r"jobs/\{(pk|job_pk|job_id)\}$", "job", True),
    (r"^evidence/\{pk\}$", "evidence", True),
    (r"^evidence/\{\}/versions/\{number\}$", "version_number", True),
    (r"^evidence/\{\}/links/\{answer_id\}$", "answer", True),
    (r"^share-links/\{pk\}$", "share_link", True),
)
# Collections whose list must never hold Acme's ids for the outsider.
COLLECTIONS = {
    "/api/v1/questionnaires/": "questionnaire",
    "/api/v1/answers/": "answer",
    "/api/v1/answers/changes/": "answer",
    "/api/v1/jobs/": "job",
    "/api/v1/evidence/": "evidence",
    "/api/v1/audit-events/": "audit_event",
}


@dataclass(frozen=True)
class Operation:
    method: str
    route: str  # e.g. "evidence/{pk}/versions/{number}/"
    name: str  # namespaced URL name, for reverse()
    params: tuple[str, ...]

    @property
    def template(self) -> str:
        """The path as in the OpenAPI schema, parameter names erased."""
        return "/" + API_PREFIX + re.sub(r"\{\w*\}", "{}", self.route)


def _route_text(pattern) -> str:
    text = str(pattern.pattern).lstrip("^").rstrip("$")
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + _route_text(entry), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + _route_text(entry), namespace, entry


def _methods(callback) -> list[str]:
    if hasattr(callback, "actions"):  # a DRF viewset route (DRF adds "head" after a first GET)
        return sorted(m for m in callback.actions if m not in {"head", "options"})
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is None:
        pytest.fail(f"{callback} is a function view: the matrix cannot tell its methods")
    return sorted(
        m
        for m in view_class.http_method_names
        if m not in {"head", "options"} and hasattr(view_class, m)
    )


def api_operations() -> list[Operation]:
    found = []
    for route, namespace, pattern in _walk(get_resolver().url_patterns):
        if not route.startswith(API_PREFIX):
            continue
        route = route.removeprefix(API_PREFIX)
        if route in SKIPPED_ROUTES:
            continue
        assert pattern.name, f"/{API_PREFIX}{route} has no URL name"
        params = tuple(re.findall(r"\{(\w+)\}", route))
        for method in _methods(pattern.callback):
            found.append(Operation(method, route, namespace + pattern.name, params))
    # Reads first, then writes, deletions last: a deletion must not hide objects from the rest.
    order = {"get": 0, "post": 1, "put": 1, "patch": 1, "delete": 2}
    return sorted(found, key=lambda op: (order[op.method], op.route))


def schema_operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (method, re.sub(r"\{\w*\}", "{}", path))
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }


# --- The world: one of each of Acme's objects, and Globex's own -------------------------------


@dataclass
class World:
    ids: dict
    markers: list[str]
    clients: dict[str, APIClient] = field(default_factory=dict)


@pytest.fixture
def world(team, small_questionnaire, small_catalog, store, token_for) -> World:  # noqa: F811
    acme_admin = Membership.objects.get(user=team.admin, organization=team.org)
    questionnaire = small_questionnaire
    questionnaire.name = "Acme-Matrix-Questionnaire"
    questionnaire.save(update_fields=["name"])
    answer = questionnaire.answers.select_related("question__control__domain").first()
    answer.implementation = "Acme-Matrix-Implementation"
    answer.save(update_fields=["implementation"])
    evidence = evidence_create(
        membership=acme_admin,
        user=team.admin,
        title="Acme-Matrix-Evidence",
        upload=pdf_file("acme-matrix.pdf"),
    )
    EvidenceLink.objects.create(evidence=evidence, answer=answer, linked_by=team.admin)
    job = Job.objects.create(
        organization=team.org,
        questionnaire=questionnaire,
        kind=JobKind.EXPORT_JSON,
        status=JobStatus.SUCCEEDED,
        progress=100,
        result_name="acme-matrix.json",
        created_by=team.admin,
    )
    job.result.save("acme-matrix.json", ContentFile(b'{"acme": "matrix"}'))

    invitation, _token = invitation_create(
        organization=team.org,
        email="acme-matrix-invitee@example.test",
        role=Role.VIEWER,
        invited_by=team.admin,
        base_url="https://caiq.example.test",
    )
    audit_event = AuditEvent.objects.get(kind=EventKind.INVITATION_CREATED, target_id=invitation.pk)
    share_link = ShareLink.objects.create(
        organization=team.org,
        questionnaire=questionnaire,
        recipient="Acme-Matrix-Share",
        token_hash="0" * 64,
        token_prefix="acmesh",
        expires_at=job.created_at + datetime.timedelta(days=1),
    )
    share_link.accesses.create(kind=AccessKind.VIEWED, email="acme-matrix-visitor@example.test")

    # Globex has its own, so the outsider's lists are not trivially empty.
    globex_admin = Membership.objects.get(user=team.outsider, organization=team.other_org)
    questionnaire_create(
        membership=globex_admin, version=small_catalog, name="Globex Q", service_name="G"
    )
    evidence_create(
        membership=globex_admin, user=team.outsider, title="Globex E", url="https://globex.test"
    )

    ids = {
        "questionnaire": questionnaire.pk,
        "answer": answer.pk,
        "evidence": evidence.pk,
        "version_number": 1,
        "job": job.pk,
        "audit_event": audit_event.pk,
        "share_link": share_link.pk,
        "catalog_version": small_catalog.pk,
        "question": answer.question_id,
        "control": answer.question.control_id,
        "domain": answer.question.control.domain_id,
    }
    stored = evidence.versions.get().stored_file
    markers = [
        "Acme-Matrix-Questionnaire",
        "Acme-Matrix-Implementation",
        "Acme-Matrix-Evidence",
        "Acme-Matrix-Share",
        "acme-matrix-visitor@example.test",
        "acme-matrix",
        stored.sha256,
        '"acme"',
        *(f'"{team.member(role).email}"' for role in Role),
    ]
    clients = {"anonymous": APIClient()}
    for persona in ("outsider", "viewer", "contributor", "reviewer", "admin"):
        clients[persona] = APIClient()
        clients[persona].force_login(getattr(team, persona))
    for persona, owner, scope in (
        ("org_read_token", team.org, "read"),
        ("org_write_token", team.org, "write"),
        ("viewer_user_token", team.viewer, "read"),
        ("contributor_user_token", team.contributor, "write"),
    ):
        clients[persona] = APIClient()
        clients[persona].credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(owner, scope)}")
    for client in clients.values():
        client.raise_request_exception = False  # a crash is a 500 in the report, not a stop
    return World(ids=ids, markers=markers, clients=clients)


def concrete(op: Operation, world: World) -> tuple[str, bool]:
    """The operation's URL with Acme's ids, and whether it names a tenant's object."""
    kwargs, tenant_object = {}, False
    for index, param in enumerate(op.params):
        upto = op.route[: op.route.index("{" + param + "}") + len(param) + 2]
        for earlier in op.params[:index]:
            upto = upto.replace("{" + earlier + "}", "{}")
        rule = next((rule for rule in PARAMETERS if re.search(rule[0], upto)), None)
        if rule is None:
            pytest.fail(f"No id for {{{param}}} in {op.method.upper()} /{API_PREFIX}{op.route}")
        kwargs[param] = world.ids[rule[1]]
        tenant_object = tenant_object or rule[2]
    return reverse(op.name, kwargs=kwargs), tenant_object


def body_for(world: World) -> dict:
    """A minimal body that points at Acme's objects (a cross-tenant attempt for the outsider)."""
    return {
        "organization": "acme",
        "questionnaire": world.ids["questionnaire"],
        "answer": world.ids["answer"],
        "evidence": world.ids["evidence"],
        "url": "https://example.test/matrix",
        "kind": "export_json",
    }


def check(persona: str, op: Operation, path: str, tenant_object: bool, response, world) -> list:
    status, method = response.status_code, op.method
    where = f"{persona:>22} {method.upper():6} {path} → {status}"
    problems = []
    if status >= 500:
        problems.append(f"{where}: server error")
    if persona == "anonymous" and status != 401:
        problems.append(f"{where}: anonymous must get 401")
    if persona != "anonymous" and status == 401:
        problems.append(f"{where}: a valid credential was refused")
    if persona == "outsider":
        if tenant_object and status not in {401, 403, 404, 405}:
            problems.append(f"{where}: the outsider reached an Acme object")
        if not tenant_object and method in UNSAFE and 200 <= status < 300:
            # A write to a collection must land in Globex, never in Acme.
            text = _text(response)
            if '"acme"' in text:
                problems.append(f"{where}: the outsider wrote into Acme")
        text = _text(response)
        leaked = [m for m in world.markers if m in text]
        if leaked:
            problems.append(f"{where}: the outsider's response carries Acme data {leaked}")
        kind = COLLECTIONS.get(path)
        if kind and method == "get" and 200 <= status < 300:
            listed = {row.get("id") for row in _rows(response)}
            if world.ids[kind] in listed:
                problems.append(f"{where}: Acme's {kind} id {world.ids[kind]} is listed")
    allowed = persona == "viewer" and (method, op.route) in VIEWER_MAY
    if persona in READ_ONLY and method in UNSAFE and 200 <= status < 300 and not allowed:
        problems.append(f"{where}: a read-only caller changed something")
    if persona in MEMBERS and method == "get" and not 200 <= status < 300:
        problems.append(f"{where}: a member could not read")
    return problems


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _rows(response) -> list[dict]:
    try:
        body = json.loads(response.content)
    except ValueError:
        return []
    rows = body.get("results", []) if isinstance(body, dict) else body
    return [row for row in rows if isinstance(row, dict)]


def test_every_operation_is_tried_by_every_persona_without_a_leak(world):
    operations = api_operations()
    assert operations, "no API operations found under /api/v1/"
    problems, tried = [], {}
    for op in operations:
        path, tenant_object = concrete(op, world)
        for persona in PERSONAS:
            client = world.clients[persona]
            if op.method in UNSAFE:
                response = getattr(client, op.method)(path, body_for(world), format="json")
            else:
                response = client.get(path)
            tried.setdefault(op, set()).add(persona)
            problems += check(persona, op, path, tenant_object, response, world)

    # The summary: every operation found was run by every persona.
    untried = [op for op in operations if tried.get(op) != set(PERSONAS)]
    assert not untried, f"operations without a full persona run: {untried}"
    assert sum(len(p) for p in tried.values()) == len(operations) * len(PERSONAS)
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_the_matrix_covers_every_operation_of_the_schema():
    from_urls = {(op.method, op.template) for op in api_operations()}

    from_schema = schema_operations()

    assert from_urls == from_schema, {
        "in the URLs only": sorted(from_urls - from_schema),
        "in the schema only": sorted(from_schema - from_urls),
    }


def test_the_matrix_size_is_reported(capsys):
    operations = api_operations()
    by_method = {
        method: len(list(group))
        for method, group in itertools.groupby(sorted(op.method for op in operations))
    }
    with capsys.disabled():
        print(
            f"\npermission matrix: {len(operations)} operations x {len(PERSONAS)} personas = "
            f"{len(operations) * len(PERSONAS)} requests ({by_method})"
        )
    assert len(operations) >= 6  # at least the evidence API's own operations


# --- Pages with organisation-wide records, beside the API -------------------------------------

# (URL name, whether members below admin may open it, what Acme's admin must see there). Every
# persona of a browser session tries each; tokens do not open pages.
PAGES = (
    ("audit_log", False, "acme-matrix-invitee@example.test"),
    ("sharing:organization_links", True, "Acme-Matrix-Share"),
)
PAGE_PERSONAS = ("anonymous", "outsider", "viewer", "contributor", "reviewer", "admin")


def test_every_organisation_page_is_tried_by_every_persona_without_a_leak(world, team, client):
    problems = []
    for name, members_may, admin_sees in PAGES:
        path = reverse(name, args=["acme"])
        for persona in PAGE_PERSONAS:
            client.logout()
            if persona != "anonymous":
                client.force_login(getattr(team, persona))
            response = client.get(path)
            status, text = response.status_code, _text(response)
            expected = {
                "anonymous": 302,
                "outsider": 404,
                "admin": 200,
            }.get(persona, 200 if members_may else 403)
            if status != expected:
                problems.append(f"{persona:>12} GET {path} → {status}, expected {expected}")
            leaked = [m for m in world.markers if m.strip('"') in text]
            if persona != "admin" and not members_may and leaked:
                problems.append(f"{persona:>12} GET {path}: carries Acme data {leaked}")
            if persona == "admin" and admin_sees not in text:
                problems.append(f"{persona:>12} GET {path}: Acme's own event is missing")
    assert not problems, "\n".join(problems)


def test_acmes_admin_reads_acmes_audit_events_in_the_api(world):
    rows = _rows(world.clients["admin"].get("/api/v1/audit-events/"))

    assert world.ids["audit_event"] in {row["id"] for row in rows}
