"""Share links end to end: an admin makes one, a visitor reads the answers, the customer
responsibility summary and CSA's workbook through it, every step is logged, and a link that is
revoked, expired or whose questionnaire was reopened answers 404 with nothing in it."""

import datetime
import io

import openpyxl
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent, EventKind
from caiq.models import QuestionnaireStatus
from sharing.models import AccessKind, ShareAccess, ShareLink
from sharing.services import share_link_create, share_link_revoke

SECRETS = ("Acme-Share-Customer-Duty", "Acme-Share-Implementation", "Acme-Share-Provider-Only")


def _in_days(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def _code_from_mail() -> str:
    body = mail.outbox[-1].body
    return body.split("Your code: ", 1)[1][:6]


def test_an_admin_makes_a_link_whose_secret_is_shown_once_and_kept_only_as_a_hash(
    client, team, shared_questionnaire
):
    client.force_login(team.admin)
    page = reverse("sharing:links", args=[shared_questionnaire.pk])

    response = client.post(
        page, {"recipient": "Initech procurement", "expires_on": _in_days(30)}, follow=False
    )

    assert response.status_code == 200
    link = ShareLink.objects.get()
    url = response.context["created"]["url"]
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert url in response.content.decode()
    assert len(token) >= 43
    assert link.token_hash != token
    assert token not in str(link.__dict__)
    assert link.recipient == "Initech procurement"
    assert link.created_by == team.admin
    assert client.get(page).content.decode().count(token) == 0  # never shown again
    event = AuditEvent.objects.get(kind=EventKind.SHARE_LINK_CREATED)
    assert event.organization == team.org
    assert event.target_id == str(link.pk)


def test_the_visitor_reads_every_answer_and_the_customer_summary_but_no_internal_note(
    client, make_link, django_assert_max_num_queries
):
    made = make_link()

    # The link, the log row, the webhook subscribers, the answers; the visitor's new session
    # (exists?, and an insert within a savepoint): the same at 10 questions or 283.
    with django_assert_max_num_queries(8):
        response = client.get(made.url)

    text = response.content.decode()
    assert response.status_code == 200
    assert all(secret in text for secret in SECRETS)
    assert "Acme-Internal-Note" not in text
    assert [row.code for d in response.context["customer"] for row in d.rows] == [
        "A&A-01.1",
        "A&A-01.2",
    ]
    assert response.context["count"] == 10
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "same-origin"
    assert "noindex" in response["X-Robots-Tag"]
    assert "Log out" not in text
    assert "/orgs/acme/" not in text
    (access,) = ShareAccess.objects.all()
    assert access.kind == AccessKind.VIEWED
    assert access.link == made.link


def test_the_workbook_download_is_csas_workbook_with_the_answers_and_is_logged(client, make_link):
    made = make_link()

    response = client.get(reverse("sharing:workbook", args=[made.token]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    book = openpyxl.load_workbook(io.BytesIO(body))
    values = {
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell
    }
    assert "Acme-Share-Customer-Duty" in values
    assert "Acme-Share-Implementation" in values
    assert ShareAccess.objects.filter(kind=AccessKind.DOWNLOADED, link=made.link).count() == 1


def _expire(made):
    ShareLink.objects.filter(pk=made.link.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2),
        expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )


def _revoke(made):
    link = made.link
    share_link_revoke(
        link=link,
        membership=link.organization.memberships.get(role=Role.ADMIN),
        user=link.created_by,
    )


def _reopen(made):
    made.link.questionnaire.__class__.objects.filter(pk=made.link.questionnaire_id).update(
        status=QuestionnaireStatus.DRAFT
    )


def _unknown(made):
    made.token = made.token[:-4] + ("aaaa" if not made.token.endswith("aaaa") else "bbbb")


@pytest.mark.parametrize("spoil", [_expire, _revoke, _reopen, _unknown])
@pytest.mark.parametrize("name", ["visit", "workbook"])
def test_a_spoiled_link_answers_404_with_no_data(client, make_link, spoil, name):
    made = make_link()
    client.get(made.url)  # opened once while it worked
    spoil(made)

    response = client.get(reverse(f"sharing:{name}", args=[made.token]))

    assert response.status_code == 404
    text = response.content.decode()
    assert not any(secret in text for secret in SECRETS)
    assert "Acme" not in text
    assert "Initech" not in text
    assert not ShareAccess.objects.filter(kind=AccessKind.DOWNLOADED).exists()


def test_the_email_gate_shows_nothing_until_the_emailed_code_is_entered(client, make_link):
    made = make_link(require_email=True, allowed_domains="initech.example")

    gate = client.get(made.url)
    assert gate.status_code == 200
    assert not any(secret in gate.content.decode() for secret in SECRETS)
    assert client.get(reverse("sharing:workbook", args=[made.token])).status_code == 302

    wrong_domain = client.post(
        reverse("sharing:ask_code", args=[made.token]), {"email": "eve@evil.example"}
    )
    assert wrong_domain.status_code == 400
    assert "not shared with addresses at that domain" in wrong_domain.content.decode()
    assert mail.outbox == []

    client.post(reverse("sharing:ask_code", args=[made.token]), {"email": "Peter@Initech.example"})
    assert mail.outbox[-1].to == ["Peter@initech.example"]
    code = _code_from_mail()
    bad = client.post(reverse("sharing:check_code", args=[made.token]), {"code": "000000"})
    if code != "000000":
        assert bad.status_code == 400
        assert "not the one we sent" in bad.content.decode()
    client.post(reverse("sharing:check_code", args=[made.token]), {"code": code})

    page = client.get(made.url)
    assert all(secret in page.content.decode() for secret in SECRETS)
    kinds = list(ShareAccess.objects.order_by("at", "pk").values_list("kind", "email"))
    assert kinds == [
        (AccessKind.CODE_SENT, "Peter@initech.example"),
        (AccessKind.EMAIL_CONFIRMED, "Peter@initech.example"),
        (AccessKind.VIEWED, "Peter@initech.example"),
    ]
    # Another browser has proven nothing.
    client.logout()
    assert not any(s in client.get(made.url).content.decode() for s in SECRETS)


def test_a_code_is_refused_after_five_wrong_guesses_even_when_then_right(client, make_link):
    made = make_link(require_email=True)
    client.post(reverse("sharing:ask_code", args=[made.token]), {"email": "p@initech.example"})
    code = _code_from_mail()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        client.post(reverse("sharing:check_code", args=[made.token]), {"code": wrong})

    response = client.post(reverse("sharing:check_code", args=[made.token]), {"code": code})

    assert response.status_code == 400
    assert "Too many wrong codes" in response.content.decode()
    assert not any(s in client.get(made.url).content.decode() for s in SECRETS)


def test_an_address_gets_at_most_three_codes_a_quarter_hour(client, make_link):
    made = make_link(require_email=True)
    for _ in range(3):
        client.post(reverse("sharing:ask_code", args=[made.token]), {"email": "p@initech.example"})

    response = client.post(
        reverse("sharing:ask_code", args=[made.token]), {"email": "p@initech.example"}
    )

    assert response.status_code == 400
    assert len(mail.outbox) == 3


def test_a_link_sends_a_bounded_number_of_codes_an_hour_whatever_the_addresses(
    client, make_link, monkeypatch
):
    monkeypatch.setattr("sharing.services.CODES_PER_LINK_HOUR", 2)
    made = make_link(require_email=True)
    for n in range(2):
        client.post(reverse("sharing:ask_code", args=[made.token]), {"email": f"{n}@x.example"})

    response = client.post(reverse("sharing:ask_code", args=[made.token]), {"email": "z@x.example"})

    assert response.status_code == 400
    assert "many codes in the last hour" in response.content.decode()
    assert len(mail.outbox) == 2


def test_the_nda_must_be_accepted_first_and_the_acceptance_is_logged(client, make_link):
    made = make_link(nda_text="Acme-NDA: keep it to yourself.")

    gate = client.get(made.url).content.decode()
    assert "Acme-NDA" in gate
    assert not any(s in gate for s in SECRETS)
    refused = client.post(reverse("sharing:accept_nda", args=[made.token]), {})
    assert refused.status_code == 400

    client.post(reverse("sharing:accept_nda", args=[made.token]), {"accept": "yes"})

    assert all(s in client.get(made.url).content.decode() for s in SECRETS)
    assert ShareAccess.objects.filter(kind=AccessKind.NDA_ACCEPTED).count() == 1


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.REVIEWER])
def test_only_admins_share_or_revoke(team, membership_of, shared_questionnaire, make_link, role):
    membership = membership_of(team.member(role), team.org)
    made = make_link()

    with pytest.raises(PermissionDenied):
        share_link_create(
            questionnaire=shared_questionnaire,
            membership=membership,
            user=team.member(role),
            recipient="X",
            expires_at=timezone.now() + datetime.timedelta(days=1),
        )
    with pytest.raises(PermissionDenied):
        share_link_revoke(link=made.link, membership=membership, user=team.member(role))


def test_a_draft_questionnaire_cannot_be_shared(admin_membership, team, small_questionnaire):
    with pytest.raises(ValidationError, match="approved or submitted"):
        share_link_create(
            questionnaire=small_questionnaire,
            membership=admin_membership,
            user=team.admin,
            recipient="X",
            expires_at=timezone.now() + datetime.timedelta(days=1),
        )


def test_allowed_domains_turn_on_the_email_gate_and_bad_ones_are_refused(make_link):
    assert make_link(allowed_domains="@Initech.example, partner.example").link.require_email
    with pytest.raises(ValidationError, match="is not an e-mail domain"):
        make_link(allowed_domains="not a domain!")


def test_revoking_stops_the_link_and_is_audited(client, team, make_link):
    made = make_link()
    client.force_login(team.admin)
    questionnaire_id = made.link.questionnaire_id

    client.post(reverse("sharing:revoke", args=[questionnaire_id, made.link.pk]))

    made.link.refresh_from_db()
    assert made.link.revoked_by == team.admin
    assert made.link.state() == "revoked"
    assert AuditEvent.objects.filter(kind=EventKind.SHARE_LINK_REVOKED).count() == 1
    client.logout()
    assert client.get(made.url).status_code == 404


def test_the_admin_pages_list_views_and_downloads_and_the_access_log(client, team, make_link):
    made = make_link()
    client.get(made.url)
    client.get(made.url)
    client.get(reverse("sharing:workbook", args=[made.token]))
    client.force_login(team.admin)

    listed = client.get(reverse("sharing:links", args=[made.link.questionnaire_id]))
    detail = client.get(reverse("sharing:link", args=[made.link.questionnaire_id, made.link.pk]))
    overview = client.get(reverse("sharing:organization_links", args=["acme"]))

    (row,) = listed.context["links"]
    assert (row.views, row.downloads) == (2, 1)
    assert detail.content.decode().count("Viewed the answers") == 2
    assert "Initech procurement" in overview.content.decode()


def test_visitor_pages_hold_no_inline_code(client, make_link):
    from tests.test_security_headers import INLINE_CODE

    gated = make_link(require_email=True, nda_text="NDA")
    pages = [client.get(gated.url).content.decode(), client.get(make_link().url).content.decode()]

    assert [INLINE_CODE.search(page) for page in pages] == [None, None]


def test_webhooks_hear_of_a_visitors_first_view_the_nda_and_each_download(
    client, team, admin_membership, make_link
):
    from integrations.models import WebhookEvent
    from integrations.services import endpoint_create

    hook = endpoint_create(
        membership=admin_membership,
        user=team.admin,
        url="http://127.0.0.1:9/never-called",
        events=[WebhookEvent.SHARE_LINK_ACCESSED],
    )
    made = make_link(nda_text="NDA")
    client.post(reverse("sharing:accept_nda", args=[made.token]), {"accept": "yes"})
    client.get(made.url)
    client.get(made.url)  # logged, not announced again
    client.get(reverse("sharing:workbook", args=[made.token]))

    sent = [(d.event, d.payload["data"]["action"]) for d in hook.deliveries.order_by("id")]
    assert sent == [
        ("share_link.accessed", "nda_accepted"),
        ("share_link.accessed", "viewed"),
        ("share_link.accessed", "downloaded"),
    ]
    assert ShareAccess.objects.filter(kind=AccessKind.VIEWED).count() == 2
    assert hook.deliveries.first().payload["data"]["share_link"] == made.link.pk
