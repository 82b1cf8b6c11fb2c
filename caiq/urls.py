from django.urls import path

from . import views

app_name = "caiq"
urlpatterns = [
    path("", views.version_list, name="version_list"),
    path("import/", views.catalog_upload, name="upload"),
    path("v<str:version>/", views.version_detail, name="version_detail"),
]
