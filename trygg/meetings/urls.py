from django.urls import URLPattern, URLResolver, path

from . import staff_views, views

app_name = "meetings"

urlpatterns: list[URLPattern | URLResolver] = [
    path("moten/bekrafta/<str:token>/", views.signup_confirm, name="signup_confirm"),
    path("personal/moten/", staff_views.overview, name="staff_overview"),
    path("personal/moten/<int:pk>/", staff_views.meeting_detail, name="staff_meeting"),
    path("personal/moten/<int:pk>/genomfort/", staff_views.meeting_record, name="staff_meeting_record"),
    path("personal/moten/<int:pk>/installt/", staff_views.meeting_cancel, name="staff_meeting_cancel"),
    path("personal/moten/ny/<slug:municipality>/", staff_views.meeting_new, name="staff_meeting_new"),
    path("personal/trygghetsvandringar/<int:pk>/", staff_views.walk_detail, name="staff_walk"),
    path(
        "personal/trygghetsvandringar/<int:pk>/genomford/", staff_views.walk_record, name="staff_walk_record"
    ),
    path(
        "personal/trygghetsvandringar/<int:pk>/iakttagelse/",
        staff_views.observation_add,
        name="staff_observation",
    ),
    path(
        "personal/iakttagelser/<int:pk>/foto/", staff_views.observation_photo, name="staff_observation_photo"
    ),
    path("personal/trygghetsvandringar/ny/<slug:municipality>/", staff_views.walk_new, name="staff_walk_new"),
    path("personal/uppgifter/<int:pk>/", staff_views.task_update, name="staff_task"),
    path("personal/grannsamverkan/<int:pk>/", staff_views.watch_detail, name="staff_watch"),
    path("personal/grannsamverkan/ny/<slug:municipality>/", staff_views.watch_new, name="staff_watch_new"),
    path("<slug:municipality>/moten/", views.meeting_calendar, name="calendar"),
    path("<slug:municipality>/moten/kalender.ics", views.meeting_calendar_ics, name="calendar_ics"),
    path("<slug:municipality>/mote/<int:pk>/", views.meeting_detail, name="meeting"),
    path("<slug:municipality>/trygghetsvandringar/", views.walk_list, name="walks"),
    path("<slug:municipality>/trygghetsvandring/<int:pk>/", views.walk_protocol, name="walk"),
    path("<slug:municipality>/trygghetsvandring/<int:pk>/rutt.svg", views.walk_route_svg, name="walk_route"),
    path(
        "<slug:municipality>/trygghetsvandring/<int:pk>/protokoll.pdf",
        views.walk_protocol_pdf,
        name="walk_pdf",
    ),
    path("<slug:municipality>/grannsamverkan/", views.watch_list, name="watches"),
]
