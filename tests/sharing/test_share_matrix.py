"""Every share endpoint x every persona x every unusable link: 404 and not a byte of Acme.

The routes come from the URL configuration (the sharing app's), so a new endpoint joins the
matrix by existing. Visitor routes (``share/<token>/…``) are tried with a revoked, an expired,
an unknown link and one whose questionnaire was reopened, by an anonymous visitor, Globex's
admin and Acme's own admin (a member gets no more through a dead link than anyone). Member
routes (``questionnaires/<pk>/share/…``, ``orgs/<slug>/shares/``) are tried by Globex's admin.
"""

import datetime

import pytest
from django.test import Client
from django.urls import URLPattern
from django.utils import timezone

from caiq.models import QuestionnaireStatus
from sharing import urls as sharing_urls
from sharing.models import ShareLink

from .test_share_links import SECRETS

MARKERS = (*SECRETS, "Acme", "Initech")


def _routes(prefix: str) -> list[tuple[str, URLPattern]]:
    found = [p for p in sharing_urls.urlpatterns if str(p.pattern).startswith(prefix)]
    assert found, f"no sharing route starts with {prefix}"
    return [(str(p.pattern), p) for p in found]


def _path(route: str, **values) -> str:
    path = route
    for name, value in values.items():
        path = path.replace(f"<str:{name}>", str(value)).replace(f"<int:{name}>", str(value))
        path = path.replace(f"<slug:{name}>", str(value))
    assert "<" not in path, f"no value for a parameter of /{route}"
    return "/" + path


def _spoiled_links(make_link) -> dict[str, str]:
    # "reopened" last: reopening the questionnaire would spoil every link of it at once.
    links = {name: make_link() for name in ("revoked", "expired", "unknown", "reopened")}
    ShareLink.objects.filter(pk=links["revoked"].link.pk).update(revoked_at=timezone.now())
    ShareLink.objects.filter(pk=links["expired"].link.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=3),
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )
    ShareLink.objects.filter(pk=links["unknown"].link.pk).delete()
    return {name: made.token for name, made in links.items()}


def test_every_visitor_route_answers_404_without_data_for_every_unusable_link(team, make_link):
    tokens = _spoiled_links(make_link)
    questionnaire = ShareLink.objects.first().questionnaire
    personas = {"anonymous": None, "outsider": team.outsider, "acme_admin": team.admin}
    problems, tried = [], 0
    for state, token in tokens.items():
        if state == "reopened":
            questionnaire.__class__.objects.filter(pk=questionnaire.pk).update(
                status=QuestionnaireStatus.IN_REVIEW
            )
        for route, _pattern in _routes("share/"):
            path = _path(route, token=token)
            for persona, user in personas.items():
                client = Client(raise_request_exception=False)
                if user is not None:
                    client.force_login(user)
                for method in ("get", "post"):
                    response = getattr(client, method)(path, {"email": "x@initech.example"})
                    tried += 1
                    text = response.content.decode(errors="replace")
                    if response.status_code not in (404, 405):
                        problems.append(
                            f"{persona} {method} {path} ({state}): {response.status_code}"
                        )
                    leaked = [m for m in MARKERS if m in text]
                    if leaked:
                        problems.append(f"{persona} {method} {path} ({state}): carries {leaked}")

    assert tried == len(_routes("share/")) * 4 * 3 * 2
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_member_route_answers_404_to_another_organisation(team, make_link, method):
    made = make_link()
    client = Client(raise_request_exception=False)
    client.force_login(team.outsider)
    values = {"pk": made.link.questionnaire_id, "link_pk": made.link.pk, "slug": "acme"}
    routes = _routes("questionnaires/") + _routes("orgs/")
    problems = []

    for route, _pattern in routes:
        response = getattr(client, method)(_path(route, **values), {"recipient": "Globex"})
        text = response.content.decode(errors="replace")
        if response.status_code not in (404, 405):
            problems.append(f"{method} /{route}: {response.status_code}")
        if any(m in text for m in MARKERS):
            problems.append(f"{method} /{route}: carries Acme data")

    assert len(routes) == 4
    assert not problems, "\n".join(problems)
    assert made.link.__class__.objects.get(pk=made.link.pk).revoked_at is None
