"""STAR Registry renewal reminders (the rules are caiq.star's)."""

import datetime

from django.core.mail import send_mail
from django.utils import timezone

from accounts.selectors import admin_emails
from config.events import publish

from .. import star
from ..models import Questionnaire, QuestionnaireStatus


def star_send_reminders(*, today: datetime.date | None = None) -> int:
    """E-mail each organisation's admins about every STAR entry that reached 60, 30 or 7 days
    before it turns deprecated, once per threshold. Returns the number of e-mails sent."""
    today = today or timezone.localdate()
    # Submitted more than 305 days ago and not deprecated yet: the only ones a reminder is due
    # for. The margin of a day covers leap years; caiq.star decides exactly.
    oldest = today - datetime.timedelta(days=367)
    newest = today - datetime.timedelta(days=365 - star.DUE_DAYS - 1)
    candidates = Questionnaire.objects.filter(
        status=QuestionnaireStatus.SUBMITTED, submitted_at__range=(oldest, newest)
    ).select_related("organization")
    sent = 0
    for questionnaire in candidates:
        current = star.entry(questionnaire.submitted_at, today)
        threshold = star.reminder_due(current.days_left, questionnaire.star_reminded_days)
        if threshold is None:
            continue
        admins = admin_emails(questionnaire.organization_id)
        if admins:
            send_mail(
                subject=(
                    f"STAR Registry entry of {questionnaire.name}: {current.days_left} days left"
                ),
                message=(
                    f"The STAR Registry entry of {questionnaire.name} "
                    f"({questionnaire.organization.name}), submitted on "
                    f"{questionnaire.submitted_at:%Y-%m-%d}, turns deprecated after "
                    f"{current.valid_until:%Y-%m-%d}. Renew it: copy the questionnaire forward "
                    "into the latest CAIQ version, review, approve and submit it again.\n"
                ),
                from_email=None,
                recipient_list=admins,
            )
            sent += 1
        publish(
            "star.renewal_due",
            organization_id=questionnaire.organization_id,
            data={
                "questionnaire": questionnaire.pk,
                "name": questionnaire.name,
                "valid_until": current.valid_until.isoformat(),
                "days_left": current.days_left,
            },
        )
        # Recorded even without an admin to tell: the reminder is not owed again.
        Questionnaire.objects.filter(pk=questionnaire.pk).update(star_reminded_days=threshold)
    return sent
