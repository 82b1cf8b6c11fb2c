import datetime

import pytest
from django.template import Context, Template
from django.utils import timezone

from accounts.templatetags.relative_time import ago

NOW = datetime.datetime(2026, 12, 5, 12, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize("seconds", [0, 1, 59])
def test_under_a_minute_is_just_now(seconds):
    assert ago(NOW - datetime.timedelta(seconds=seconds), NOW) == "just now"


def test_a_time_slightly_ahead_of_the_clock_is_just_now():
    assert ago(NOW + datetime.timedelta(seconds=5), NOW) == "just now"


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (datetime.timedelta(minutes=1), "1\xa0minute ago"),
        (datetime.timedelta(hours=3, minutes=2), "3\xa0hours, 2\xa0minutes ago"),
        (datetime.timedelta(days=9), "1\xa0week, 2\xa0days ago"),
    ],
)
def test_a_minute_or_more_reads_like_timesince(delta, text):
    assert ago(NOW - delta, NOW) == text


def test_no_time_is_no_text():
    assert ago(None) == ""


def test_templates_load_it_as_ago():
    rendered = Template("{% load relative_time %}{{ when|ago }}").render(
        Context({"when": timezone.now()})
    )

    assert rendered == "just now"
