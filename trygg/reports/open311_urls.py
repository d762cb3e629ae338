"""Open311 GeoReport v2, mounted once at /api/open311/ outside the language prefixes (see trygg/urls.py)."""

from django.urls import re_path

from . import open311

app_name = "open311"

FMT = r"\.(?P<fmt>[A-Za-z0-9]{1,10})"

urlpatterns = [
    re_path(r"^discovery" + FMT + "$", open311.discovery, name="discovery"),
    re_path(r"^v2/discovery" + FMT + "$", open311.discovery, name="discovery_v2"),
    re_path(r"^v2/services" + FMT + "$", open311.services_list, name="services"),
    re_path(r"^v2/services/(?P<code>[^/]{1,100}?)" + FMT + "$", open311.service_definition, name="service"),
    re_path(r"^v2/requests" + FMT + "$", open311.requests_view, name="requests"),
    re_path(r"^v2/requests/(?P<reference>[^/]{1,100}?)" + FMT + "$", open311.request_detail, name="request"),
    re_path(r"^v2/tokens/(?P<token>[^/]{1,100}?)" + FMT + "$", open311.token_detail, name="token"),
    re_path(r"^v2/servicerequestupdates" + FMT + "$", open311.service_request_updates, name="updates"),
    re_path(r"^(?P<rest>.*)$", open311.not_found, name="not_found"),
]
