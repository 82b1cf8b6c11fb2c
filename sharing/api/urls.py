"""Routes of share links under /api/v1/."""

from django.urls import path

from . import views

app_name = "sharing-api"
urlpatterns = [
    path(
        "questionnaires/<int:questionnaire_pk>/share-links/",
        views.questionnaire_links,
        name="questionnaire-links",
    ),
    path("share-links/<int:pk>/", views.link_detail, name="link"),
    path("share-links/<int:pk>/accesses/", views.link_accesses, name="accesses"),
    path("share-links/<int:pk>/revoke/", views.link_revoke, name="revoke"),
]
