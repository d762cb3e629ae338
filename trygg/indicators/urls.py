from django.urls import URLPattern, URLResolver, path

from . import staff_views, views

app_name = "indicators"

urlpatterns: list[URLPattern | URLResolver] = [
    path("personal/matningar/", staff_views.indicator_list, name="staff_list"),
    path("personal/matningar/ny/", staff_views.indicator_create, name="staff_create"),
    path("personal/matningar/<int:pk>/", staff_views.indicator_detail, name="staff_detail"),
    path("personal/matningar/<int:pk>/andra/", staff_views.indicator_edit, name="staff_edit"),
    path("personal/matningar/<int:pk>/koppla/", staff_views.indicator_link, name="staff_link"),
    path("personal/matningar/<int:pk>/koppla-bort/", staff_views.indicator_unlink, name="staff_unlink"),
    path(
        "personal/matningar/<int:pk>/prov/<str:sampled_on>/<int:activity>/",
        staff_views.sampling_relink,
        name="staff_relink",
    ),
    path("<slug:municipality>/matningar/", views.indicator_list, name="list"),
    path("<slug:municipality>/matningar/<slug:indicator>/", views.indicator_detail, name="detail"),
    path("<slug:municipality>/matningar/<slug:indicator>/diagram.svg", views.indicator_chart, name="chart"),
    path("<slug:municipality>/matningar/<slug:indicator>/matningar.csv", views.indicator_csv, name="csv"),
]
