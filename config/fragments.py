"""Rendering the fill page's fragments with the Jinja2 engine (config/jinja2.py says why).

Views call these instead of ``render``: the page's CSRF token is computed once and handed to the
fragments as a plain value, where the backend's own would mask a new token at every use.
"""

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

ENGINE = "jinja2"


def fragment_html(request, template_name: str, context: dict) -> SafeString:
    """A fragment's HTML, to place in a Django template's page."""
    context = {**context, "csrf_token": context.get("csrf_token") or get_token(request)}
    return mark_safe(render_to_string(template_name, context, using=ENGINE))  # noqa: S308 - autoescaped by Jinja2


def render_fragment(request, template_name: str, context: dict, *, status: int = 200):
    """A fragment as the whole response: htmx swaps, saves and review actions."""
    return HttpResponse(fragment_html(request, template_name, context), status=status)
