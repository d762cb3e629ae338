from django.urls import path, re_path

from . import open311, staff_views, views

app_name = "reports"

FMT = r"\.(?P<fmt>json|xml)"

urlpatterns = [
    path("personal/felanmalan/", staff_views.report_list, name="staff_list"),
    path("personal/felanmalan/massandring/", staff_views.report_bulk, name="staff_bulk"),
    path("personal/felanmalan/hotspots/", staff_views.hotspot_map, name="staff_hotspots"),
    path("personal/felanmalan/hotspots.geojson", staff_views.hotspot_geojson, name="staff_hotspots_geojson"),
    path("personal/felanmalan/uppfoljning/", staff_views.activity_metrics_list, name="staff_metrics_list"),
    path("personal/felanmalan/uppfoljning/<int:pk>/", staff_views.activity_metrics, name="staff_metrics"),
    path("personal/felanmalan/<int:pk>/", staff_views.report_detail, name="staff_detail"),
    path("personal/felanmalan/<int:pk>/andra/", staff_views.report_change, name="staff_change"),
    path("personal/felanmalan/<int:pk>/tilldela/", staff_views.report_assign, name="staff_assign"),
    path("personal/felanmalan/<int:pk>/kontakt/", staff_views.report_contact, name="staff_contact"),
    path("personal/felanmalan/<int:pk>/synlighet/", staff_views.report_visibility, name="staff_visibility"),
    re_path(r"^api/open311/v2/services" + FMT + "$", open311.services_list, name="open311_services"),
    re_path(
        r"^api/open311/v2/services/(?P<code>[a-z0-9-]+)" + FMT + "$",
        open311.service_definition,
        name="open311_service",
    ),
    re_path(r"^api/open311/v2/requests" + FMT + "$", open311.requests_view, name="open311_requests"),
    re_path(
        r"^api/open311/v2/requests/(?P<reference>[A-Za-z0-9-]+)" + FMT + "$",
        open311.request_detail,
        name="open311_request",
    ),
    re_path(
        r"^api/open311/v2/tokens/(?P<token>[A-Za-z0-9-]+)" + FMT + "$",
        open311.token_detail,
        name="open311_token",
    ),
    path("felanmalan/folj/<str:token>/", views.report_follow_confirm, name="follow_confirm"),
    path("felanmalan/sluta/<str:token>/", views.report_unsubscribe, name="unsubscribe"),
    path("<slug:municipality>/felanmalan/<str:reference>/anmal/", views.report_flag, name="flag"),
    path("<slug:municipality>/felanmalan/", views.report_create, name="create"),
    path("<slug:municipality>/felanmalan/karta/", views.report_map, name="map"),
    path("<slug:municipality>/felanmalan/karta.geojson", views.report_geojson, name="geojson"),
    re_path(
        r"^(?P<municipality>[-a-zA-Z0-9_]+)/felanmalan/bild/(?P<name>[0-9a-f]{32}\.jpg)$",
        views.report_photo,
        name="photo",
    ),
    path("<slug:municipality>/felanmalan/<str:reference>/", views.report_detail, name="detail"),
    path("<slug:municipality>/felanmalan/<str:reference>/tack/", views.report_thanks, name="thanks"),
    path("<slug:municipality>/felanmalan/<str:reference>/folj/", views.report_follow, name="follow"),
]
