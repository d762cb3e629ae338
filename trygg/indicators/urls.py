from django.urls import URLPattern, URLResolver, path

from . import staff_views, views

app_name = "indicators"

urlpatterns: list[URLPattern | URLResolver] = [
    path("personal/matningar/", staff_views.indicator_list, name="staff_list"),
    path("personal/matningar/<int:pk>/", staff_views.indicator_detail, name="staff_detail"),
    path("<slug:municipality>/matningar/", views.indicator_list, name="list"),
    path("<slug:municipality>/matningar/<slug:indicator>/", views.indicator_detail, name="detail"),
    path("<slug:municipality>/matningar/<slug:indicator>/diagram.svg", views.indicator_chart, name="chart"),
    path("<slug:municipality>/matningar/<slug:indicator>/matningar.csv", views.indicator_csv, name="csv"),
]
