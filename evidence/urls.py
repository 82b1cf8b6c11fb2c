from django.urls import path

from . import views

app_name = "evidence"
urlpatterns = [
    path("<int:pk>/versions/<int:number>/download/", views.download, name="download"),
]
