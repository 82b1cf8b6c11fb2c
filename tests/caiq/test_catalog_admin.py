import pytest
from django.urls import reverse

from caiq.services import catalog_import
from tests.workbooks import sample_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser(email="root@example.test", password="x")
    client.force_login(admin)
    return client


def test_the_admin_exports_the_question_table_as_csv(staff_client):
    catalog_import(data=sample_bytes(), filename="s.xlsx", is_sample=True)

    response = staff_client.post(
        reverse("admin:caiq_question_export"),
        {
            "format": "0",
            "resource": "0",
            **{
                f"questionresource_{f}": "on"
                for f in ("version", "control", "code", "text", "position", "row")
            },
        },
    )

    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[0].split(",")[:3] == ["caiq_version", "control", "code"]
    assert len(lines) == 1 + 261
    assert lines[1].startswith("4.0.3,A&A-01,A&A-01.1,")


def test_catalog_rows_cannot_be_edited_by_hand_in_the_admin(staff_client):
    version = catalog_import(data=sample_bytes(), filename="s.xlsx", is_sample=True).version
    question = version.questions.first()

    page = staff_client.get(reverse("admin:caiq_question_change", args=[question.pk]))
    posted = staff_client.post(
        reverse("admin:caiq_question_change", args=[question.pk]), {"text": "x"}
    )

    assert page.status_code == 200
    assert 'name="text"' not in page.text
    assert posted.status_code == 403


@pytest.mark.parametrize("model", ["catalogversion", "domain", "control", "question"])
def test_every_catalog_table_has_a_searchable_changelist(staff_client, model):
    catalog_import(data=sample_bytes(), filename="s.xlsx", is_sample=True)

    response = staff_client.get(reverse(f"admin:caiq_{model}_changelist"), {"q": "A&A"})

    assert response.status_code == 200
