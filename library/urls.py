from django.urls import path

from . import views

app_name = "library"
urlpatterns = [
    path(
        "questionnaires/<int:pk>/answers/<int:answer_pk>/library/",
        views.answer_library,
        name="answer",
    ),
    path(
        "questionnaires/<int:pk>/answers/<int:answer_pk>/library/reuse/",
        views.answer_reuse,
        name="reuse",
    ),
    path("questionnaires/<int:pk>/fill-from/", views.bulk_fill, name="bulk_fill"),
    path("orgs/<slug:slug>/library/", views.overview, name="overview"),
    path("orgs/<slug:slug>/library/<str:code>/", views.control, name="control"),
]
