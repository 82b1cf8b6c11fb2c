"""The STAR Registry lifecycle: an entry is valid for a year, due for renewal in its last 60
days, deprecated after; admins are reminded at 60, 30 and 7 days, each once (caiq.star,
caiq.services.star), and the fill page and the dashboard say where each entry stands."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from caiq import star
from caiq.models import Questionnaire
from caiq.services.star import star_send_reminders

D = datetime.date


@pytest.mark.parametrize(
    ("submitted", "until"),
    [(D(2026, 3, 10), D(2027, 3, 10)), (D(2028, 2, 29), D(2029, 2, 28))],
)
def test_an_entry_is_valid_for_one_year(submitted, until):
    assert star.valid_until(submitted) == until


@pytest.mark.parametrize(
    ("today", "state", "days_left"),
    [
        (D(2027, 1, 8), "current", 61),
        (D(2027, 1, 9), "due", 60),
        (D(2027, 3, 10), "due", 0),
        (D(2027, 3, 11), "deprecated", -1),
    ],
)
def test_an_entry_is_due_in_its_last_60_days_and_deprecated_after(today, state, days_left):
    entry = star.entry(D(2026, 3, 10), today)

    assert (entry.state, entry.days_left) == (state, days_left)
    assert star.entry(None, today) is None


def test_a_reminder_is_due_once_per_threshold_and_a_missed_run_sends_only_the_latest():
    assert star.reminder_due(61, None) is None
    assert star.reminder_due(60, None) == 60
    assert star.reminder_due(45, 60) is None
    assert star.reminder_due(30, 60) == 30
    assert star.reminder_due(20, None) == 30  # the 60-day run was missed: one reminder
    assert star.reminder_due(7, 30) == 7
    assert star.reminder_due(1, 7) is None
    assert star.reminder_due(-1, None) is None


def submit(questionnaire: Questionnaire, on: datetime.date) -> None:
    Questionnaire.objects.filter(pk=questionnaire.pk).update(
        status="submitted", submitted_at=on, star_level="1"
    )


@pytest.mark.django_db
def test_with_a_frozen_clock_admins_are_reminded_at_60_30_and_7_days_and_never_again(
    team, small_questionnaire
):
    submit(small_questionnaire, D(2026, 3, 10))
    sent_on = []
    day = D(2026, 12, 1)
    while day <= D(2027, 4, 30):  # every day, through the deprecation and beyond
        before = len(mail.outbox)
        star_send_reminders(today=day)
        sent_on += [day] * (len(mail.outbox) - before)
        day += datetime.timedelta(days=1)

    assert sent_on == [D(2027, 1, 9), D(2027, 2, 8), D(2027, 3, 3)]  # 60, 30 and 7 days left
    assert mail.outbox[0].to == [team.admin.email]
    assert "Small" in mail.outbox[0].subject
    assert "60 days left" in mail.outbox[0].subject
    assert "2027-03-10" in mail.outbox[0].body


@pytest.mark.django_db
def test_submitting_again_starts_the_reminders_over(team, small_questionnaire, admin_membership):
    from caiq.services import questionnaire_mark_submitted

    submit(small_questionnaire, D(2026, 3, 10))
    star_send_reminders(today=D(2027, 1, 9))
    Questionnaire.objects.filter(pk=small_questionnaire.pk).update(status="approved")
    small_questionnaire.refresh_from_db()

    questionnaire_mark_submitted(
        questionnaire=small_questionnaire,
        membership=admin_membership,
        submitted_at=D(2027, 1, 20),
        star_level="2",
    )

    small_questionnaire.refresh_from_db()
    assert (small_questionnaire.star_level, small_questionnaire.star_reminded_days) == ("2", None)


@pytest.mark.django_db
def test_the_fill_page_and_the_dashboard_show_an_entry_due_for_renewal(
    client, team, small_questionnaire
):
    today = timezone.localdate()
    submit(small_questionnaire, today - datetime.timedelta(days=340))
    client.force_login(team.admin)

    fill = client.get(reverse("caiq:fill", args=[small_questionnaire.pk])).text
    home = client.get(reverse("home")).text

    assert '<span class="star due">Due for renewal</span>' in fill
    assert ">Renew</a>" in fill
    assert '<span class="star due">Due for renewal</span>' in home
    assert "days left" in home


@pytest.mark.django_db
def test_the_dashboard_leaves_out_entries_renewed_or_long_deprecated(
    client, team, small_questionnaire, admin_membership
):
    from caiq.services import questionnaire_create

    today = timezone.localdate()
    renewed = questionnaire_create(
        membership=admin_membership,
        version=small_questionnaire.version,
        name="Old",
        service_name="S",
    )
    long_gone = questionnaire_create(
        membership=admin_membership,
        version=small_questionnaire.version,
        name="Ancient",
        service_name="S",
    )
    submit(small_questionnaire, today - datetime.timedelta(days=340))  # due: shown
    submit(renewed, today - datetime.timedelta(days=340))
    submit(long_gone, today - datetime.timedelta(days=365 * 3))
    Questionnaire.objects.filter(pk=small_questionnaire.pk).update(copied_from=None)
    copy = questionnaire_create(
        membership=admin_membership,
        version=small_questionnaire.version,
        name="New",
        service_name="S",
    )
    Questionnaire.objects.filter(pk=copy.pk).update(copied_from=renewed)
    submit(copy, today - datetime.timedelta(days=10))
    client.force_login(team.admin)

    home = client.get(reverse("home")).text
    card = home.split('id="dash-star"', 1)[1].split("</section>", 1)[0]

    assert "Small" in card
    assert "Old" not in card  # renewed by New, submitted since
    assert "Ancient" not in card  # deprecated years ago
