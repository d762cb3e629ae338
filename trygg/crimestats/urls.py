from django.urls import URLPattern, URLResolver, path

from . import staff_views, views

app_name = "crimestats"

urlpatterns: list[URLPattern | URLResolver] = [
    path("personal/brottsstatistik/", staff_views.import_list, name="staff_imports"),
    path("personal/brottsstatistik/import/<int:pk>/", staff_views.import_detail, name="staff_import"),
    path(
        "personal/brottsstatistik/<slug:municipality>/jamforelsegrupp/",
        staff_views.comparison_group_edit,
        name="staff_comparison_group",
    ),
    path("<slug:municipality>/brottsstatistik/", views.statistics, name="statistics"),
    path(
        "<slug:municipality>/brottsstatistik/diagram/<slug:category>.svg",
        views.statistics_chart,
        name="chart",
    ),
]
