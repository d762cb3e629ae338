from django.urls import path

from . import import_views, staff_views, views

app_name = "promises"

urlpatterns = [
    path("", views.home, name="home"),
    path("personal/lofte/<int:pk>/", staff_views.promise_staff_detail, name="staff_detail"),
    path("personal/lofte/<int:pk>/publicera/", staff_views.promise_publish, name="staff_publish"),
    path("personal/lofte/importera/", import_views.promise_import, name="import"),
    path("personal/lofte/importera/spara/", import_views.promise_import_save, name="import_save"),
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
