"""Routes of the frameworks API under /api/v1/."""

from django.urls import path

from . import views

app_name = "frameworks-api"
urlpatterns = [
    path("frameworks/", views.framework_list, name="framework-list"),
    path("questionnaires/<int:pk>/gap-analysis/", views.gap_analysis, name="questionnaire-gaps"),
]
