"""Content-Security-Policy on every page, generated from the URL configuration.

Every route (ours, the API's and the admin's) is requested with GET by a signed-in admin who is
also a superuser, path parameters filled with real objects; whatever the status, the response
carries the strict policy, and no HTML page holds inline script or style the policy would block.
A new route joins by existing; a parameter the table cannot fill fails the test, naming it.
"""

import datetime
import hashlib
import re
from pathlib import Path

import import_export
import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.digests import secret_digest
from accounts.models import Membership
from accounts.services import invitation_create
from accounts.tokens import api_token_create
from caiq.models import Job, JobKind, JobStatus
from evidence.models import EvidenceLink
from evidence.services import evidence_create
from integrations.models import Endpoint
from sharing.models import ShareLink
from tests.caiq.conftest import admin_membership, small_catalog, small_questionnaire  # noqa: F401
from tests.evidence.conftest import pdf_file, store  # noqa: F401

STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Pages with a policy of their own: ReDoc allowed more (explained in config/api_urls.py);
# evidence downloads stricter still (evidence/views.py: a file is never run as a page).
OWN_POLICY = {
    r"^/api/v1/redoc/$": {
        **STRICT,
        "style-src": "'self' 'unsafe-inline'",
        "worker-src": "blob:",
    },
    r"/evidence/\d+/(versions/\d+/)?download/$": {"default-src": "'none'", "sandbox": ""},
}
# django-import-export's export page, which templates/admin/import_export/export.html copies.
IMPORT_EXPORT_TEMPLATE_SHA256 = "cb62034e5ac6a50108a7d1a325348e08aacaabc9835960ce03baabcd48c005e8"
# Markup a strict policy blocks: inline <script> (JSON data blocks aside), <style>, style and
# on* attributes, javascript: URLs, and htmx features that need eval (hx-on, trigger filters).
INLINE_CODE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"
    r"|<style\b|\sstyle=|\son[a-z]+=|javascript:|\shx-on|hx-vals='js:"
    r"|hx-trigger=\"(?:[^\"]*,)?\s*[\w:.-]+\[",  # an event filter: "change[…]", not "from:find […]"
    re.IGNORECASE,
)
# Pages a signed-in admin must actually see (200), not only get the header on.
MUST_ANSWER = (
    "/",
    "/questionnaires/",
    "/questionnaires/{questionnaire}/",
    "/questionnaires/{questionnaire}/transfer/",
    "/evidence/",
    "/account/tokens/",
    "/orgs/acme/members/",
    "/admin/",
    "/admin/caiq/answer/",
    "/admin/caiq/answer/export/",
    "/admin/caiq/domain/",
    "/api/v1/docs/",
    "/api/v1/redoc/",
)

# Path parameter → the world's value. Keys match the route up to and including the parameter,
# earlier parameters written "{}".
PARAMETERS = (
    (r"catalog/versions/\{pk\}$", "catalog_version"),
    (r"catalog/domains/\{pk\}$", "domain"),
    (r"catalog/controls/\{pk\}$", "control"),
    (r"catalog/questions/\{pk\}$", "question"),
    (r"catalog/v\{version\}$", "version"),
    (r"questionnaires/\{(pk|questionnaire_pk)\}$", "questionnaire"),
    (r"attach/\{questionnaire_pk\}$", "questionnaire"),
    (r"answers/\{(pk|answer_pk)\}$", "answer"),
    (r"attach/\{\}/\{answer_pk\}$", "answer"),
    (r"jobs/\{(pk|job_pk)\}$", "job"),
    (r"jobs/start/\{kind\}$", "job_kind"),
    (r"status/\{action\}$", "transition"),
    (r"review/\{action\}$", "review"),
    (r"^(api/v1/)?evidence/\{pk\}$", "evidence"),
    (r"versions/\{number\}$", "version_number"),
    (r"links/\{answer_id\}$", "answer"),
    (r"^evidence/links/\{pk\}$", "evidence_link"),
    (r"^orgs/\{slug\}$", "slug"),
    (r"^orgs/\{\}/library/\{code\}$", "control_code"),
    (r"^orgs/\{\}/webhooks/\{pk\}$", "webhook"),
    (r"^sso/\{slug\}$", "slug"),
    (r"^sso/oidc/\{provider_id\}$", "sso_provider_id"),
    (r"deliveries/\{delivery_pk\}$", "webhook_delivery"),
    (r"share/\{link_pk\}$", "share_link"),
    (r"share-links/\{pk\}$", "share_link"),
    (r"^share/\{token\}$", "share_token"),
    (r"members/\{membership_id\}$", "membership"),
    (r"orgs/\{\}/invitations/\{invitation_id\}$", "invitation"),
    (r"^invitations/\{token\}$", "invitation_token"),
    (r"^account/tokens/\{token_id\}$", "user_token"),
    (r"^orgs/\{\}/tokens/\{token_id\}$", "organization_token"),
    (r"reset/\{uidb64\}$", "uidb64"),
    (r"reset/\{\}/\{token\}$", "reset_token"),
    (r"^admin/\{app_label\}$", "app_label"),
    (r"^admin/r/\{content_type_id\}$", "content_type"),
    (r"^admin/r/\{\}/\{object_id\}$", "questionnaire"),
    (r"^admin/\w+/\w+/\{(object_id|id)\}$", "admin_object"),
    (r"^admin/\{url\}$", "admin_catch_all"),
)


def _route_text(pattern) -> str:
    text = str(pattern.pattern).lstrip("^").rstrip("$")
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text).replace("\\", "")


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + _route_text(entry))
        elif isinstance(entry, URLPattern):
            yield prefix + _route_text(entry)


def _admin_object(route: str) -> int:
    """The pk of a row of the model an admin route (``admin/app/model/{object_id}/…``) names."""
    app_label, model_name = route.split("/")[1:3]
    first = apps.get_model(app_label, model_name)._default_manager.order_by("pk").first()
    return first.pk if first else 0


def concrete(route: str, world: dict) -> str:
    params = re.findall(r"\{(\w+)\}", route)
    path = route
    for index, param in enumerate(params):
        upto = route[: route.index("{" + param + "}") + len(param) + 2]
        for earlier in params[:index]:
            upto = upto.replace("{" + earlier + "}", "{}")
        key = next((key for regex, key in PARAMETERS if re.search(regex, upto)), None)
        if key is None:
            pytest.fail(f"No value for {{{param}}} in /{route}: add it to PARAMETERS")
        value = _admin_object(route) if key == "admin_object" else world[key]
        path = path.replace("{" + param + "}", str(value), 1)
    return "/" + path


def policy(header: str) -> dict[str, str]:
    """``"a x y; b z"`` → ``{"a": "x y", "b": "z"}``."""
    directives = (part.strip().partition(" ") for part in header.split(";"))
    return {name: value.strip() for name, _, value in directives if name}


@pytest.fixture
def world(team, small_questionnaire, store) -> dict:  # noqa: F811
    team.admin.is_staff = team.admin.is_superuser = True
    team.admin.save(update_fields=["is_staff", "is_superuser"])
    membership = Membership.objects.get(user=team.admin, organization=team.org)
    answer = small_questionnaire.answers.select_related("question__control").first()
    evidence = evidence_create(
        membership=membership, user=team.admin, title="Policy", upload=pdf_file()
    )
    link = EvidenceLink.objects.create(evidence=evidence, answer=answer, linked_by=team.admin)
    job = Job.objects.create(
        organization=team.org,
        questionnaire=small_questionnaire,
        kind=JobKind.EXPORT_JSON,
        status=JobStatus.RUNNING,
        progress=40,
        created_by=team.admin,
    )
    invitation, invitation_token = invitation_create(
        organization=team.org,
        email="new@example.test",
        role="viewer",
        invited_by=team.admin,
        base_url="http://testserver",
    )
    user_token, _ = api_token_create(
        name="mine", scope="read", created_by=team.admin, user=team.admin
    )
    org_token, _ = api_token_create(
        name="GRC",
        scope="read",
        created_by=team.admin,
        organization=team.org,
        acting_membership=membership,
    )
    webhook = Endpoint.objects.create(
        organization=team.org, url="https://example.com/hook", events=["answer.approved"]
    )
    share = ShareLink.objects.create(
        organization=team.org,
        questionnaire=small_questionnaire,
        recipient="Initech",
        token_hash=secret_digest("share-token"),
        token_prefix="share-",
        expires_at=job.created_at + datetime.timedelta(days=1),
    )
    return {
        "questionnaire": small_questionnaire.pk,
        "share_link": share.pk,
        "share_token": "share-token",
        "answer": answer.pk,
        "job": job.pk,
        "job_kind": "export_json",
        "transition": "request-review",
        "review": "approve",
        "evidence": evidence.pk,
        "evidence_link": link.pk,
        "version_number": 1,
        "control_code": answer.question.control.code,
        "webhook": webhook.pk,
        "webhook_delivery": webhook.deliveries.create(
            message_id="msg_1", event="answer.approved", payload={}, next_attempt_at=job.created_at
        ).pk,
        "catalog_version": small_questionnaire.version_id,
        "version": small_questionnaire.version.caiq_version,
        "domain": answer.question.control.domain_id,
        "control": answer.question.control_id,
        "question": answer.question_id,
        "slug": team.org.slug,
        "sso_provider_id": f"org-{team.org.slug}",
        "membership": Membership.objects.get(user=team.viewer, organization=team.org).pk,
        "invitation": invitation.pk,
        "invitation_token": invitation_token,
        "user_token": user_token.pk,
        "organization_token": org_token.pk,
        "uidb64": "MQ",
        "reset_token": "set-password",
        "app_label": "caiq",
        "admin_catch_all": "no-such-page/",
        "content_type": ContentType.objects.get_for_model(small_questionnaire).pk,
    }


def test_every_route_answers_a_signed_in_admin_with_the_strict_policy_and_no_inline_code(
    team, world
):
    client = Client(raise_request_exception=False)
    client.force_login(team.admin)
    problems, statuses = [], {}

    for route in _walk(get_resolver().url_patterns):
        if route.startswith("admin/") and route.endswith(("logout/", "delete/")):
            continue  # a GET there would end the session or confirm a deletion on the way
        path = concrete(route, world)
        response = client.get(path)
        statuses[path] = response.status_code
        if response.status_code >= 500:
            problems.append(f"{path}: {response.status_code}")
        header = response.headers.get("Content-Security-Policy")
        if header is None:
            problems.append(f"{path}: no Content-Security-Policy header")
            continue
        expected = next((p for rx, p in OWN_POLICY.items() if re.search(rx, path)), STRICT)
        if policy(header) != expected:
            problems.append(f"{path}: {header}")
        if "text/html" in response.get("Content-Type", "") and response.status_code == 200:
            inline = INLINE_CODE.search(response.content.decode())
            if inline:
                problems.append(f"{path}: inline code {inline.group(0)!r}")

    assert not problems, "\n".join(problems)
    must = {path.format(**world) for path in MUST_ANSWER}
    assert {path: statuses.get(path) for path in must} == dict.fromkeys(must, 200)
    assert len(statuses) > 150  # ours, the API's and the admin's routes were all tried


def test_a_missing_page_and_the_login_page_carry_the_policy_for_anyone(client, db):
    missing = client.get("/no/such/page/")
    login = client.get("/account/login/")

    assert missing.status_code == 404
    assert login.status_code == 200
    assert policy(missing.headers["Content-Security-Policy"]) == STRICT
    assert policy(login.headers["Content-Security-Policy"]) == STRICT
    assert not INLINE_CODE.search(login.content.decode())


def test_the_copied_import_export_template_still_matches_the_package():
    """The override must follow the package's template; re-copy it when this fails."""
    package = Path(import_export.__file__).parent / "templates/admin/import_export/export.html"

    assert hashlib.sha256(package.read_bytes()).hexdigest() == IMPORT_EXPORT_TEMPLATE_SHA256


@pytest.mark.django_db
def test_signed_in_pages_and_api_responses_are_not_kept_by_any_cache(client, team):
    from rest_framework.test import APIClient

    from tests.api.conftest import make_token

    client.force_login(team.viewer)
    page = client.get("/")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(team.viewer, 'read')}")
    body = api.get("/api/v1/questionnaires/")
    refused = APIClient().get("/api/v1/questionnaires/")

    for response in (page, body, refused):
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, response.request["PATH_INFO"]
