from django.urls import URLPattern, URLResolver

app_name = "crimestats"

urlpatterns: list[URLPattern | URLResolver] = []
