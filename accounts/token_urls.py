from django.urls import path

from . import token_views

urlpatterns = [
    path("account/tokens/", token_views.user_tokens, name="user_tokens"),
    path("account/tokens/<int:token_id>/", token_views.user_token_edit, name="user_token_edit"),
    path(
        "account/tokens/<int:token_id>/revoke/",
        token_views.user_token_revoke,
        name="user_token_revoke",
    ),
    path("orgs/<slug:slug>/tokens/", token_views.organization_tokens, name="organization_tokens"),
    path(
        "orgs/<slug:slug>/tokens/<int:token_id>/",
        token_views.organization_token_edit,
        name="organization_token_edit",
    ),
    path(
        "orgs/<slug:slug>/tokens/<int:token_id>/revoke/",
        token_views.organization_token_revoke,
        name="organization_token_revoke",
    ),
]
