"""The Jinja2 environment of the fill page's fragments (templates/jinja2/): the answer card
and grid row, the sidebar, the evidence chips and the htmx responses.

Those fragments are rendered up to 30 times per response and on every save; Django's template
language spent about half of the page's server time on them (issue 14). Jinja2 compiles a
template to Python once, which renders the same HTML several times faster, and Django supports it
as a second backend. Every other page stays in Django templates.

The filters are the Django ones these fragments use, with Django's behaviour (dates in the
current time zone), plus the page's own helpers from caiq.presentation.
"""

from django.template import defaultfilters
from django.utils.timezone import template_localtime
from jinja2 import Environment

from caiq import presentation

# The formats the fragments use, as strftime patterns: the same text as Django's formatter,
# which parses its format string anew for each of the page's dates.
_STRFTIME = {"Y-m-d": "%Y-%m-%d", "Y-m-d H:i": "%Y-%m-%d %H:%M", "H:i:s": "%H:%M:%S"}


def _date(value, fmt: str) -> str:
    if not value:
        return ""
    # Django's |date converts an aware datetime to the current time zone before formatting.
    value = template_localtime(value)
    pattern = _STRFTIME.get(fmt)
    return value.strftime(pattern) if pattern else defaultfilters.date(value, fmt)


def environment(**options) -> Environment:
    # Django's backend passes autoescape=True already; it is stated here so that it never
    # depends on the backend's default.
    options.pop("autoescape", None)
    env = Environment(autoescape=True, **options)
    env.filters.update(
        date=_date,
        truncatechars=defaultfilters.truncatechars,
        urlencode=defaultfilters.urlencode,
        answer_options=presentation.answer_options,
        ssrm_options=presentation.ssrm_options,
        described=presentation.describe_changes,
        domain_count=presentation.domain_count,
    )
    env.globals.update(
        progress_bar=presentation.progress_bar, answer_panels=presentation.ANSWER_PANELS
    )
    return env
