"""Filters for the fill page and answer history (see caiq/presentation.py)."""

from django import template

from .. import presentation

register = template.Library()
register.filter("answer_options", presentation.answer_options)
register.filter("ssrm_options", presentation.ssrm_options)
register.filter("described", presentation.describe_changes)
register.filter("domain_count", presentation.domain_count)
register.simple_tag(presentation.progress_bar, name="progress_bar")
