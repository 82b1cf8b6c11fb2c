from django.urls import path

from . import views

app_name = "integrations"
urlpatterns = [
    path("orgs/<slug:slug>/webhooks/", views.endpoint_list, name="endpoints"),
    path("orgs/<slug:slug>/webhooks/<int:pk>/", views.endpoint_detail, name="endpoint"),
    path("orgs/<slug:slug>/webhooks/<int:pk>/test/", views.send_test, name="send_test"),
    path("orgs/<slug:slug>/webhooks/<int:pk>/delete/", views.delete, name="delete"),
    path(
        "orgs/<slug:slug>/webhooks/<int:pk>/deliveries/<int:delivery_pk>/redeliver/",
        views.redeliver,
        name="redeliver",
    ),
    path("questionnaires/<int:pk>/oscal/", views.oscal_download, name="oscal"),
]
