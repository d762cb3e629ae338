from django.urls import path

from . import staff_views

app_name = "municipalities"

urlpatterns = [
    path("personal/kommun/<slug:municipality>/", staff_views.municipality_profile, name="profile"),
]
