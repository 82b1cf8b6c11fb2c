from django.urls import path

from . import views

app_name = "responsibility"
urlpatterns = [
    path("questionnaires/<int:pk>/responsibilities/", views.matrix_page, name="matrix"),
]
