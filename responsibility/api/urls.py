"""Routes of the customer responsibility matrix under /api/v1/."""

from django.urls import path

from . import views

app_name = "responsibility-api"
urlpatterns = [
    path(
        "questionnaires/<int:pk>/responsibility-matrix/",
        views.matrix,
        name="matrix",
    ),
    path(
        "questionnaires/<int:pk>/responsibility-matrix/xlsx/",
        views.matrix_xlsx,
        name="matrix-xlsx",
    ),
]
