from django.contrib import admin
from django.urls import include, path

from config.favicon import favicon
from config.health import healthz
from sso.urls import oidc_urlpatterns

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("", include("dashboard.urls")),
    path("", include("accounts.urls")),
    path("", include("caiq.urls")),
    path("evidence/", include("evidence.urls")),
    path("", include("frameworks.urls")),
    path("", include("consistency.urls")),
    path("", include("library.urls")),
    path("", include("responsibility.urls")),
    path("", include("integrations.urls")),
    path("", include("sso.urls")),
    *oidc_urlpatterns,
    path("", include("sharing.urls")),
]
