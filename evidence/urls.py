from django.urls import path

from . import views

app_name = "evidence"
urlpatterns = [
    path("", views.evidence_list, name="list"),
    path("<int:pk>/", views.evidence_detail, name="detail"),
    path("<int:pk>/edit/", views.evidence_edit, name="edit"),
    path("<int:pk>/versions/", views.version_add, name="version_add"),
    path("<int:pk>/download/", views.download_latest, name="download_latest"),
    path("<int:pk>/versions/<int:number>/download/", views.download, name="download"),
    # The fill page builds these three from reverse("evidence:list"): see
    # presentation.evidence_urls.
    path("attach/<int:questionnaire_pk>/<int:answer_pk>/", views.attach, name="attach"),
    path("attach/<int:questionnaire_pk>/library/", views.library_options, name="library_options"),
    path("links/<int:pk>/delete/", views.unlink, name="unlink"),
]
