from django.urls import path

from trygg.followup import promise_views

from . import import_views, staff_views, views

app_name = "promises"

STAFF = "personal/lofte/<int:pk>"

urlpatterns = [
    path("", views.home, name="home"),
    path("personal/lofte/nytt/", staff_views.promise_new, name="staff_new"),
    path("personal/lofte/<int:pk>/", staff_views.promise_staff_detail, name="staff_detail"),
    path("personal/lofte/<int:pk>/publicera/", staff_views.promise_publish, name="staff_publish"),
    path(f"{STAFF}/uppgifter/", staff_views.promise_details_update, name="staff_details"),
    path(f"{STAFF}/undertecknare/", staff_views.signatory_add, name="signatory_add"),
    path(f"{STAFF}/undertecknare/<int:signatory>/", staff_views.signatory_update, name="signatory_update"),
    path(
        f"{STAFF}/undertecknare/<int:signatory>/ta-bort/",
        staff_views.signatory_remove,
        name="signatory_remove",
    ),
    path(f"{STAFF}/fokusomraden/", staff_views.focus_area_add, name="focus_area_add"),
    path(f"{STAFF}/fokusomraden/<int:focus_area>/", staff_views.focus_area_update, name="focus_area_update"),
    path(
        f"{STAFF}/fokusomraden/<int:focus_area>/ta-bort/",
        staff_views.focus_area_remove,
        name="focus_area_remove",
    ),
    path(
        f"{STAFF}/fokusomraden/<int:focus_area>/flytta/", staff_views.focus_area_move, name="focus_area_move"
    ),
    path(
        f"{STAFF}/fokusomraden/<int:focus_area>/aktiviteter/", staff_views.activity_add, name="activity_add"
    ),
    path(f"{STAFF}/aktiviteter/<int:activity>/", staff_views.activity_update, name="activity_update"),
    path(f"{STAFF}/aktiviteter/<int:activity>/ta-bort/", staff_views.activity_remove, name="activity_remove"),
    path(f"{STAFF}/aktiviteter/<int:activity>/flytta/", staff_views.activity_move, name="activity_move"),
    path(
        f"{STAFF}/aktiviteter/<int:activity>/planerat/", staff_views.planned_date_add, name="planned_date_add"
    ),
    path(
        f"{STAFF}/aktiviteter/<int:activity>/planerat/<int:planned>/ta-bort/",
        staff_views.planned_date_remove,
        name="planned_date_remove",
    ),
    path(f"{STAFF}/nasta-ar/", staff_views.promise_next_year, name="next_year"),
    path(f"{STAFF}/jamfor/<int:other>/", staff_views.promise_compare, name="staff_compare"),
    path("personal/lofte/importera/", import_views.promise_import, name="import"),
    path("personal/lofte/importera/spara/", import_views.promise_import_save, name="import_save"),
    path("<slug:municipality>/", views.municipality_detail, name="municipality"),
    path("<slug:municipality>/tema.css", views.theme_css, name="theme_css"),
    path("<slug:municipality>/<slug:promise>/", promise_views.promise_detail, name="detail"),
    path(
        "<slug:municipality>/<slug:promise>/aktivitet/<int:activity>/",
        promise_views.activity_detail,
        name="activity",
    ),
    path(
        "<slug:municipality>/<slug:promise>/<slug:focus_area>/",
        promise_views.focus_area_detail,
        name="focus_area",
    ),
]
