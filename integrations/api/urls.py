"""Routes of the integrations under /api/v1/."""

from django.urls import path

from . import views

app_name = "integrations-api"
urlpatterns = [
    path("questionnaires/<int:pk>/oscal/", views.oscal, name="oscal"),
]
