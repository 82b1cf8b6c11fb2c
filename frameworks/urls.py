from django.urls import path

from . import views

app_name = "frameworks"
urlpatterns = [
    path("frameworks/", views.framework_list, name="framework_list"),
    path("frameworks/import/", views.ccm_upload, name="upload"),
    path("questionnaires/<int:pk>/gaps/", views.gap_analysis, name="gap_analysis"),
]
