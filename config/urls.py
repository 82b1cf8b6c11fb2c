from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("", include("accounts.urls")),
    path("", include("caiq.urls")),
    path("evidence/", include("evidence.urls")),
]
