"""Another organisation's evidence is absent everywhere: pages, downloads, attach, admin."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import Role, User
from caiq.services import questionnaire_create
from evidence.models import Evidence, EvidenceLink
from evidence.services import evidence_link
from tests.factories import MembershipFactory, UserFactory

from .conftest import pdf_file

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def acme_answer(small_questionnaire):
    return small_questionnaire.answers.order_by("pk").first()


@pytest.fixture
def acme_link(team, contributor_membership, make_evidence, acme_answer) -> EvidenceLink:
    return evidence_link(
        evidence=make_evidence("Acme policy"),
        answer=acme_answer,
        membership=contributor_membership,
        user=team.contributor,
    )


@pytest.mark.parametrize(
    ("method", "url_name", "extra_args"),
    [
        ("get", "evidence:detail", []),
        ("get", "evidence:download", [1]),
        ("get", "evidence:download_latest", []),
        ("post", "evidence:edit", []),
        ("post", "evidence:version_add", []),
    ],
)
def test_another_organisations_evidence_answers_404(
    client, team, globex_evidence, method, url_name, extra_args
):
    client.force_login(team.admin)

    response = getattr(client, method)(
        reverse(url_name, args=[globex_evidence.pk, *extra_args]),
        {"title": "Mine now", "file": pdf_file(content=b"%PDF-1.4\nstolen")}
        if method == "post"
        else {},
    )

    globex_evidence.refresh_from_db()
    assert response.status_code == 404
    assert globex_evidence.title == "Globex secret audit"
    assert globex_evidence.versions.count() == 1


def test_attaching_another_organisations_evidence_by_id_answers_404(
    client, team, globex_evidence, acme_answer
):
    client.force_login(team.contributor)

    response = client.post(
        reverse("evidence:attach", args=[acme_answer.questionnaire_id, acme_answer.pk]),
        {"evidence": str(globex_evidence.pk)},
        headers=HTMX,
    )

    assert response.status_code == 404
    assert not EvidenceLink.objects.exists()


def test_a_member_of_both_organisations_cannot_mix_them_either(
    client, team, globex_evidence, acme_answer
):
    both = MembershipFactory(organization=team.org, role=Role.ADMIN).user
    MembershipFactory(organization=team.other_org, user=both, role=Role.ADMIN)
    client.force_login(both)

    response = client.post(
        reverse("evidence:attach", args=[acme_answer.questionnaire_id, acme_answer.pk]),
        {"evidence": str(globex_evidence.pk)},
        headers=HTMX,
    )

    assert response.status_code == 404
    assert not EvidenceLink.objects.exists()


def test_an_outsider_cannot_attach_to_or_detach_from_an_answer(
    client, team, acme_answer, acme_link
):
    client.force_login(team.outsider)

    upload = client.post(
        reverse("evidence:attach", args=[acme_answer.questionnaire_id, acme_answer.pk]),
        {"file": pdf_file()},
        headers=HTMX,
    )
    detach = client.post(reverse("evidence:unlink", args=[acme_link.pk]), headers=HTMX)

    assert (upload.status_code, detach.status_code) == (404, 404)
    assert EvidenceLink.objects.filter(pk=acme_link.pk).exists()
    assert not Evidence.objects.filter(organization=team.other_org).exists()


def test_another_organisations_evidence_is_never_listed_or_counted(
    client, team, globex_evidence, outsider_membership, small_questionnaire, make_evidence
):
    globex_questionnaire = questionnaire_create(
        membership=outsider_membership,
        version=small_questionnaire.version,
        name="Globex Cloud",
        service_name="Globex",
    )
    expired = make_evidence("Globex expired", membership=outsider_membership, valid_until=None)
    expired.valid_until = expired.created_at.date().replace(year=2000)
    expired.save()
    evidence_link(
        evidence=expired,
        answer=globex_questionnaire.answers.first(),
        membership=outsider_membership,
        user=team.outsider,
    )
    client.force_login(team.contributor)

    library = client.get(reverse("evidence:list"))
    fill = client.get(reverse("caiq:fill", args=[small_questionnaire.pk]))
    listing = client.get(reverse("caiq:questionnaire_list"))

    assert list(library.context["items"]) == []
    for response in (library, fill, listing):
        assert "Globex" not in response.text
        assert "expired</a>" not in response.text


# --- Admin ----------------------------------------------------------------------------------

EVIDENCE_MODELS = ("evidence", "evidenceversion", "storedfile", "evidencelink")


@pytest.fixture
def acme_staff(team) -> User:
    """Staff of Acme (not superuser) who may view and change every evidence model."""
    staff = MembershipFactory(
        organization=team.org, role=Role.CONTRIBUTOR, user=UserFactory(is_staff=True)
    ).user
    staff.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="evidence",
            codename__in=[f"{a}_{m}" for a in ("view", "change") for m in EVIDENCE_MODELS],
        )
    )
    return staff


def admin_url(obj, view: str = "change") -> str:
    return reverse(f"admin:evidence_{obj._meta.model_name}_{view}", args=[obj.pk])


def inline_management_data(page) -> dict:
    """What the change form's (read-only) inlines post back: their management forms."""
    data = {}
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
    return data


def test_staff_get_404_for_another_organisations_evidence_in_the_admin(
    client, acme_staff, globex_evidence
):
    version = globex_evidence.versions.select_related("stored_file").get()
    client.force_login(acme_staff)

    for obj in (globex_evidence, version, version.stored_file):
        assert client.get(admin_url(obj)).status_code == 404
    posted = client.post(admin_url(globex_evidence), {"title": "Mine now"})

    globex_evidence.refresh_from_db()
    assert posted.status_code == 404
    assert globex_evidence.title == "Globex secret audit"


def test_staff_see_only_their_organisations_evidence_in_the_admin(
    client, team, acme_staff, globex_evidence, acme_link
):
    client.force_login(acme_staff)

    for model in EVIDENCE_MODELS:
        response = client.get(reverse(f"admin:evidence_{model}_changelist"))
        assert response.status_code == 200
        rows = list(response.context["cl"].queryset)
        assert len(rows) == 1, model
        assert "Globex" not in response.text


def test_an_admin_edit_goes_through_the_service_and_offers_no_file_upload(
    client, team, acme_staff, make_evidence
):
    item = make_evidence("Acme policy")
    item.last_reminded_on = item.created_at.date()
    item.save()
    client.force_login(acme_staff)

    page = client.get(admin_url(item))
    saved = client.post(
        admin_url(item),
        {
            **inline_management_data(page),
            "title": "Acme policy 2026",
            "description": "",
            "valid_until": "2099-01-01",
        },
    )

    item.refresh_from_db()
    assert saved.status_code == 302
    assert 'type="file"' not in page.text
    assert (item.title, str(item.valid_until)) == ("Acme policy 2026", "2099-01-01")
    assert item.last_reminded_on is None  # evidence_update resets reminders on new dates


def test_evidence_cannot_be_added_in_the_admin(client, acme_staff):
    client.force_login(acme_staff)

    assert client.get(reverse("admin:evidence_evidence_add")).status_code == 403
