from django.urls import path

from . import views

app_name = "frameworks"
urlpatterns = [
    path("questionnaires/<int:pk>/gaps/", views.gap_analysis, name="gap_analysis"),
]
