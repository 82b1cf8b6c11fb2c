"""Expiry reminders: one e-mail per owner listing their stale evidence, at most weekly per item."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from accounts.models import Membership
from config import celery_app
from evidence.models import Evidence
from evidence.services import evidence_create, evidence_send_reminders, evidence_update
from evidence.tasks import send_expiry_reminders

TASK = "evidence.send_expiry_reminders"


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def library(team) -> dict[str, Evidence]:
    """The contributor owns three stale items, the reviewer one; a current and an undated item
    are owned by each of them and must never be mentioned."""
    membership = Membership.objects.get(user=team.contributor, organization=team.org)

    def item(title, owner, valid_until):
        return evidence_create(
            membership=membership,
            user=team.contributor,
            title=title,
            url=f"https://docs.example.test/{title.replace(' ', '-').lower()}",
            owner=owner,
            valid_until=valid_until,
        )

    return {
        "expired pentest": item("Expired pentest", team.contributor, days(-5)),
        "soc2 report": item("SOC 2 report", team.contributor, days(0)),
        "iso certificate": item("ISO certificate", team.contributor, days(30)),
        "dr test": item("DR test", team.reviewer, days(12)),
        "current policy": item("Current policy", team.contributor, days(31)),
        "undated diagram": item("Undated diagram", team.reviewer, None),
    }


def by_recipient(outbox) -> dict[str, str]:
    assert all(len(message.to) == 1 for message in outbox)
    return {message.to[0]: message for message in outbox}


def test_one_run_sends_each_owner_one_email_listing_only_their_stale_items(
    team, library, mailoutbox
):
    sent = evidence_send_reminders()

    assert sent == 2
    assert len(mailoutbox) == 2
    mails = by_recipient(mailoutbox)
    assert set(mails) == {team.contributor.email, team.reviewer.email}

    contributor_mail = mails[team.contributor.email]
    assert contributor_mail.subject == "3 evidence item(s) expired or expiring soon"
    assert f"Expired pentest (Acme Cloud): expired on {days(-5):%Y-%m-%d}" in contributor_mail.body
    assert f"SOC 2 report (Acme Cloud): expires on {days(0):%Y-%m-%d}" in contributor_mail.body
    assert f"ISO certificate (Acme Cloud): expires on {days(30):%Y-%m-%d}" in contributor_mail.body
    assert "DR test" not in contributor_mail.body

    reviewer_mail = mails[team.reviewer.email]
    assert reviewer_mail.subject == "1 evidence item(s) expired or expiring soon"
    assert "DR test (Acme Cloud)" in reviewer_mail.body
    for mail in mails.values():
        assert "Current policy" not in mail.body
        assert "Undated diagram" not in mail.body


def test_items_are_listed_soonest_expiry_first(team, library, mailoutbox):
    evidence_send_reminders()

    body = by_recipient(mailoutbox)[team.contributor.email].body
    positions = [body.index(t) for t in ("Expired pentest", "SOC 2 report", "ISO certificate")]
    assert positions == sorted(positions)


def test_a_second_run_the_same_day_sends_nothing(library, mailoutbox):
    evidence_send_reminders()

    assert evidence_send_reminders() == 0
    assert len(mailoutbox) == 2


def test_reminders_repeat_weekly_not_daily(library, mailoutbox):
    library["current policy"].delete()  # it enters the window tomorrow: see the next test
    evidence_send_reminders()

    assert evidence_send_reminders(today=days(1)) == 0
    assert evidence_send_reminders(today=days(6)) == 0
    assert evidence_send_reminders(today=days(7)) == 2
    assert len(mailoutbox) == 4


def test_an_item_entering_the_warning_window_is_reminded_without_waiting_a_week(
    team, library, mailoutbox
):
    evidence_send_reminders()

    assert evidence_send_reminders(today=days(1)) == 1
    assert mailoutbox[-1].to == [team.contributor.email]
    assert mailoutbox[-1].subject == "1 evidence item(s) expired or expiring soon"
    assert "Current policy" in mailoutbox[-1].body
    assert "SOC 2 report" not in mailoutbox[-1].body


def test_new_dates_restart_the_reminders(team, library, mailoutbox):
    evidence_send_reminders()
    membership = Membership.objects.get(user=team.contributor, organization=team.org)

    evidence_update(evidence=library["dr test"], membership=membership, valid_until=days(3))

    assert evidence_send_reminders() == 1
    assert mailoutbox[-1].to == [team.reviewer.email]


def test_an_inactive_owner_is_not_emailed(team, library, mailoutbox):
    team.reviewer.is_active = False
    team.reviewer.save()

    assert evidence_send_reminders() == 1
    assert mailoutbox[0].to == [team.contributor.email]


def test_the_celery_task_sends_the_same_reminders(team, library, mailoutbox):
    result = send_expiry_reminders.delay()

    assert result.get() == 2
    assert {message.to[0] for message in mailoutbox} == {
        team.contributor.email,
        team.reviewer.email,
    }
    assert send_expiry_reminders.delay().get() == 0
    assert len(mailoutbox) == 2


def test_the_task_is_registered_and_scheduled_daily():
    assert send_expiry_reminders.name == TASK
    assert TASK in celery_app.tasks
    schedule = {entry["task"]: entry for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule[TASK]["schedule"] == 24 * 60 * 60
    assert celery_app.conf.beat_schedule == django_settings.CELERY_BEAT_SCHEDULE
