import pytest
from django.core.management import call_command

from accounts.models import Membership, Role, User
from accounts.services_demo import DEMO_PASSWORD
from caiq.models import CatalogVersion

pytestmark = pytest.mark.django_db


def test_it_creates_a_demo_organisation_with_a_user_per_role_and_the_sample(capsys):
    call_command("seed_demo")

    out = capsys.readouterr().out
    assert set(
        Membership.objects.filter(organization__slug="demo").values_list("role", flat=True)
    ) == set(Role.values)
    for role in Role:
        assert f"{role.value}@demo.caiq.test" in out
        assert User.objects.get(email=f"{role.value}@demo.caiq.test").check_password(DEMO_PASSWORD)
    version = CatalogVersion.objects.get()
    assert version.is_sample
    assert version.questions.count() == 261
    assert DEMO_PASSWORD in out
    demo = Membership.objects.filter(organization__slug="demo").first().organization
    assert demo.questionnaires.get().answers.count() == 261


def test_running_it_again_changes_nothing():
    call_command("seed_demo")
    users = list(User.objects.values_list("id", "email"))

    call_command("seed_demo")

    assert list(User.objects.values_list("id", "email")) == users
    assert CatalogVersion.objects.count() == 1
    assert (
        Membership.objects.get(
            user__email="admin@demo.caiq.test"
        ).organization.questionnaires.count()
        == 1
    )


def test_given_the_official_workbook_it_loads_that_instead(official_workbook):
    call_command("seed_demo", "--workbook", str(official_workbook))

    version = CatalogVersion.objects.get()
    assert not version.is_sample
    assert version.source_filename == official_workbook.name


def test_the_official_workbook_after_the_sample_replaces_its_placeholders(official_workbook):
    call_command("seed_demo")
    call_command("seed_demo", "--workbook", str(official_workbook))

    assert not CatalogVersion.objects.get().is_sample
