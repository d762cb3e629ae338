from django.urls import path

from . import staff_views, views

app_name = "national"

urlpatterns = [
    path("personal/nationellt/lofte/<int:pk>/verifiera/", staff_views.promise_verify, name="verify"),
    path("nationellt/", views.national_home, name="home"),
    path("nationellt/kommuner.geojson", views.kommun_geojson, name="geojson"),
    path("jamforelse/", views.group_list, name="groups"),
    path("jamforelse/<str:code>/", views.group_detail, name="group"),
    path("federation/ping", views.websub_ping, name="ping"),
    path("oppna-data/", views.open_data, name="open_data"),
    path("oppna-data/katalog.rdf", views.catalogue, name="catalogue"),
    path("oppna-data/<str:scope>/<str:name>", views.open_data_file, name="open_data_file"),
]
