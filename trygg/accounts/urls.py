from django.urls import path

from . import oidc, views

app_name = "accounts"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("logga-in/", views.StaffLoginView.as_view(), name="login"),
    path("logga-ut/", views.StaffLogoutView.as_view(), name="logout"),
    path("oidc/logga-in/", oidc.oidc_start, name="oidc_start"),
    path("oidc/callback/", oidc.oidc_callback, name="oidc_callback"),
    path("session/forlang/", views.session_extend, name="session_extend"),
    path("api-nycklar/", views.api_tokens, name="api_tokens"),
    path("api-nycklar/<int:pk>/aterkalla/", views.api_token_revoke, name="api_token_revoke"),
    path("personuppgifter/<int:municipality_pk>/", views.personal_data, name="personal_data"),
    path("konto/", views.account, name="account"),
    path("inbjudan/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("autentiseringsapp/", views.enrol, name="enrol"),
    path("kommun/<slug:municipality>/personal/", views.people, name="people"),
    path("kommun/<slug:municipality>/personal/<int:pk>/", views.person_action, name="person_action"),
    path(
        "kommun/<slug:municipality>/roller/<int:pk>/ta-bort/",
        views.membership_remove,
        name="membership_remove",
    ),
    path(
        "kommun/<slug:municipality>/inbjudningar/<int:pk>/aterkalla/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
