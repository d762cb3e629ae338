from django.urls import path, re_path

from . import category_views, staff_views, views

app_name = "reports"

urlpatterns = [
    path("personal/felanmalan/", staff_views.report_list, name="staff_list"),
    path("personal/felanmalan/massandring/", staff_views.report_bulk, name="staff_bulk"),
    path("personal/felanmalan/hotspots/", staff_views.hotspot_map, name="staff_hotspots"),
    path("personal/felanmalan/hotspots.geojson", staff_views.hotspot_geojson, name="staff_hotspots_geojson"),
    path("personal/felanmalan/uppfoljning/", staff_views.activity_metrics_list, name="staff_metrics_list"),
    path("personal/felanmalan/uppfoljning/<int:pk>/", staff_views.activity_metrics, name="staff_metrics"),
    path("personal/felanmalan/kategorier/", category_views.category_list, name="staff_categories"),
    path(
        "personal/felanmalan/kategorier/ny/<int:municipality_pk>/",
        category_views.category_new,
        name="staff_category_new",
    ),
    path("personal/felanmalan/kategorier/<int:pk>/", category_views.category_edit, name="staff_category"),
    path("personal/felanmalan/<int:pk>/", staff_views.report_detail, name="staff_detail"),
    path("personal/felanmalan/<int:pk>/andra/", staff_views.report_change, name="staff_change"),
    path("personal/felanmalan/<int:pk>/tilldela/", staff_views.report_assign, name="staff_assign"),
    path("personal/felanmalan/<int:pk>/kontakt/", staff_views.report_contact, name="staff_contact"),
    path("personal/felanmalan/<int:pk>/synlighet/", staff_views.report_visibility, name="staff_visibility"),
    path("felanmalan/folj/<str:token>/", views.report_follow_confirm, name="follow_confirm"),
    path("felanmalan/sluta/<str:token>/", views.report_unsubscribe, name="unsubscribe"),
    path("<slug:municipality>/felanmalan/<str:reference>/anmal/", views.report_flag, name="flag"),
    path("<slug:municipality>/felanmalan/", views.report_create, name="create"),
    path("<slug:municipality>/felanmalan/karta/", views.report_map, name="map"),
    path("<slug:municipality>/felanmalan/karta.geojson", views.report_geojson, name="geojson"),
    path("<slug:municipality>/felanmalan/plats.json", views.place_near, name="place_near"),
    re_path(
        r"^(?P<municipality>[-a-zA-Z0-9_]+)/felanmalan/bild/(?P<name>[0-9a-f]{32}\.jpg)$",
        views.report_photo,
        name="photo",
    ),
    re_path(
        r"^(?P<municipality>[-a-zA-Z0-9_]+)/felanmalan/bild/(?P<name>[0-9a-f]{32})-liten\.jpg$",
        views.report_photo,
        {"thumbnail": True},
        name="photo_thumbnail",
    ),
    path("<slug:municipality>/felanmalan/<str:reference>/", views.report_detail, name="detail"),
    path("<slug:municipality>/felanmalan/<str:reference>/tack/", views.report_thanks, name="thanks"),
    path("<slug:municipality>/felanmalan/<str:reference>/folj/", views.report_follow, name="follow"),
    path(
        "<slug:municipality>/felanmalan/<str:reference>/folj/skickat/",
        views.report_follow_sent,
        name="follow_sent",
    ),
]
