from django.urls import path

from . import views

app_name = "promises"

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:municipality>/", views.municipality_detail, name="municipality"),
    path("<slug:municipality>/tema.css", views.theme_css, name="theme_css"),
    path("<slug:municipality>/<slug:promise>/", views.promise_detail, name="detail"),
    path(
        "<slug:municipality>/<slug:promise>/aktivitet/<int:activity>/",
        views.activity_detail,
        name="activity",
    ),
    path("<slug:municipality>/<slug:promise>/<slug:focus_area>/", views.focus_area_detail, name="focus_area"),
]
