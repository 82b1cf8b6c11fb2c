"""The base layout's context: links to every app's pages, so it lives above the apps."""

from functools import cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# The layout's fixed links, reversed once per script prefix rather than on every page.
NAV = (
    "home",
    "caiq:questionnaire_list",
    "caiq:my_questions",
    "evidence:list",
    "caiq:version_list",
    "frameworks:framework_list",
    "admin:index",
    "switch_organization",
    "password_change",
    "user_tokens",
    "logout",
)


@cache
def _nav(script_prefix: str, urlconf: str) -> dict[str, str]:
    return {name.replace(":", "_"): reverse(name, urlconf=urlconf) for name in NAV}


def navigation(request):
    """``nav.<name>`` for the layout's links: ``caiq:my_questions`` is ``nav.caiq_my_questions``."""
    return {"nav": _nav(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)}
