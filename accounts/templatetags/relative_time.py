"""``{{ when|ago }}``: "just now" or "3 hours ago", for every page that shows a relative time.

Django's ``timesince`` says "0 minutes" for anything under a minute (and for a time a few
seconds ahead, when clocks differ), so "0 minutes ago" showed right after every save.
"""

import datetime

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()


@register.filter
def ago(value: datetime.datetime | None, now: datetime.datetime | None = None) -> str:
    if value is None:
        return ""
    now = now or timezone.now()
    if now - value < datetime.timedelta(minutes=1):
        return "just now"
    return f"{timesince(value, now)} ago"
