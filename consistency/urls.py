from django.urls import path

from . import views

app_name = "consistency"
urlpatterns = [path("orgs/<slug:slug>/consistency/", views.rule_settings, name="rules")]
