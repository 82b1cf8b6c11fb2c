import pytest
from django.urls import reverse

from caiq.models import CatalogVersion
from caiq.services import catalog_import
from tests.hostile import HOSTILE_WORKBOOKS
from tests.workbooks import sample_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample_catalog():
    return catalog_import(data=sample_bytes(), filename="sample.xlsx", is_sample=True).version


def test_a_member_browses_the_catalog(client, team, sample_catalog):
    client.force_login(team.viewer)

    listing = client.get(reverse("caiq:version_list"))
    detail = client.get(reverse("caiq:version_detail", args=["4.0.3"]))

    assert listing.status_code == 200
    assert "CAIQ v4.0.3" in listing.text
    assert "261" in listing.text
    assert detail.status_code == 200
    assert detail.text.count("<code>A&amp;A-0") == 8
    assert "UEM-14.1" in detail.text


def test_the_sample_catalog_tells_how_to_load_the_official_workbook(client, team, sample_catalog):
    client.force_login(team.viewer)

    page = client.get(reverse("home"))

    assert "placeholder text" in page.text
    assert "import_catalog" in page.text


def test_a_domain_filter_shows_one_domain(client, team, sample_catalog):
    client.force_login(team.viewer)

    page = client.get(reverse("caiq:version_detail", args=["4.0.3"]), {"domain": "IPY"})

    assert "IPY-01.1" in page.text
    assert "A&amp;A-01.1" not in page.text


def test_the_catalog_page_costs_the_same_queries_for_any_size(
    client, team, sample_catalog, django_assert_max_num_queries
):
    client.force_login(team.viewer)
    url = reverse("caiq:version_detail", args=["4.0.3"])
    client.get(url)  # warm the session

    with django_assert_max_num_queries(10):
        client.get(url)


def test_anonymous_visitors_are_sent_to_log_in(client, sample_catalog):
    response = client.get(reverse("caiq:version_list"))

    assert response.status_code == 302
    assert reverse("login") in response.url


def test_platform_operators_upload_the_official_workbook(client, team, official_workbook):
    team.admin.is_staff = team.admin.is_superuser = True
    team.admin.save()
    client.force_login(team.admin)

    with official_workbook.open("rb") as upload:
        response = client.post(reverse("caiq:upload"), {"workbook": upload}, follow=True)

    assert response.status_code == 200
    assert "Imported CAIQ v4.0.3" in response.text
    assert CatalogVersion.objects.get().questions.count() == 261


def test_an_upload_of_a_bad_file_shows_the_reason_and_stores_nothing(client, team, tmp_path):
    team.admin.is_staff = team.admin.is_superuser = True
    team.admin.save()
    client.force_login(team.admin)
    bad = tmp_path / "evil.xlsx"
    bad.write_bytes(HOSTILE_WORKBOOKS["xml_entity_attack"]())

    with bad.open("rb") as upload:
        response = client.post(reverse("caiq:upload"), {"workbook": upload})

    assert response.status_code == 200
    assert "entity" in response.text.casefold()
    assert not CatalogVersion.objects.exists()


def test_an_upload_over_the_size_limit_is_refused_before_reading(client, team, settings, tmp_path):
    settings.WORKBOOK_MAX_BYTES = 1024
    team.admin.is_staff = team.admin.is_superuser = True
    team.admin.save()
    client.force_login(team.admin)
    big = tmp_path / "big.xlsx"
    big.write_bytes(sample_bytes())

    with big.open("rb") as upload:
        response = client.post(reverse("caiq:upload"), {"workbook": upload})

    assert "larger than the" in response.text
    assert not CatalogVersion.objects.exists()


@pytest.mark.parametrize("staff", [False, True], ids=["member", "tenant staff"])
def test_only_platform_operators_may_load_a_catalog(client, team, staff, official_workbook):
    team.admin.is_staff = staff
    team.admin.save()
    client.force_login(team.admin)

    page = client.get(reverse("caiq:upload"))
    with official_workbook.open("rb") as upload:
        posted = client.post(reverse("caiq:upload"), {"workbook": upload})
    admin_pages = [
        client.get(reverse(f"admin:caiq_{model}_changelist")).status_code
        for model in ("catalogversion", "domain", "control", "question")
    ]

    assert (page.status_code, posted.status_code) == (403, 403)
    # Tenant staff reach the admin but not the catalog in it; other members are sent to log in.
    assert admin_pages == ([403] * 4 if staff else [302] * 4)
    assert not CatalogVersion.objects.exists()
    assert reverse("caiq:upload") not in client.get(reverse("caiq:version_list")).text
