"""The REST API, version 1: each app contributes its routes from its own api/urls.py."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

# ReDoc styles itself with styled-components, which writes <style> elements at run time (it
# shows only "Something went wrong" without them), and runs its search in a blob: worker: its
# page alone allows inline styles and blob: workers; scripts stay 'self'. The logo it loads from
# Redocly's CDN stays blocked (it hides it). Swagger UI needs nothing: the split view serves its
# init script from its own URL and our template links its styles (templates/drf_spectacular/).
redoc_policy = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": ["blob:"]})

urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("caiq.api.urls")),
    path("", include("evidence.api.urls")),
    path("", include("frameworks.api.urls")),
    path("", include("responsibility.api.urls")),
    path("", include("sharing.api.urls")),
    path("", include("integrations.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path(
        "redoc/",
        redoc_policy(SpectacularRedocView.as_view(url_name="api-schema")),
        name="api-redoc",
    ),
]
