from django.urls import path

from . import views, visitor

app_name = "sharing"
urlpatterns = [
    path("questionnaires/<int:pk>/share/", views.questionnaire_links, name="links"),
    path("questionnaires/<int:pk>/share/<int:link_pk>/", views.link_detail, name="link"),
    path("questionnaires/<int:pk>/share/<int:link_pk>/revoke/", views.link_revoke, name="revoke"),
    path("orgs/<slug:slug>/shares/", views.organization_links, name="organization_links"),
    # What visitors open: the secret is the only key.
    path("share/<str:token>/", visitor.visit, name="visit"),
    path("share/<str:token>/email/", visitor.ask_code, name="ask_code"),
    path("share/<str:token>/code/", visitor.check_code, name="check_code"),
    path("share/<str:token>/nda/", visitor.accept_nda, name="accept_nda"),
    path("share/<str:token>/workbook/", visitor.workbook, name="workbook"),
]
