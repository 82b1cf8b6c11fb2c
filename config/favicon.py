"""``GET /favicon.ico``: browsers ask for it on pages that name no icon (the admin's, the API
docs') and on first load; it redirects to the SVG that base.html links.

The static URL is looked up per request, not when the URL configuration is imported: with the
manifest storage it carries a hash that exists only once ``collectstatic`` has run.
"""

from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(static("favicon.svg"))
