from django.urls import include, path

from . import views

app_name = "sso"
urlpatterns = [
    path("sso/", views.start, name="start"),
    path("sso/<slug:slug>/login/", views.login, name="login"),
    path("orgs/<slug:slug>/sso/", views.configure, name="configure"),
]
# allauth's OpenID Connect login and callback only (/sso/oidc/<provider_id>/login/[callback/]),
# outside the namespace: allauth reverses them by its own names. Its login URL is answered by
# views.oidc_login first (GET goes to our own sign-in page). allauth's account pages (signup,
# password) are not mounted: the password login stays accounts'.
oidc_urlpatterns = [
    path("sso/oidc/<str:provider_id>/login/", views.oidc_login),
    path("sso/", include("allauth.socialaccount.providers.openid_connect.urls")),
]
