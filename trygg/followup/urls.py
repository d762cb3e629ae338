from django.urls import URLPattern, URLResolver, path

from . import reminder_views, staff_views, views

app_name = "followup"

PROMISE = "<slug:municipality>/<slug:promise>"

urlpatterns: list[URLPattern | URLResolver] = [
    path("uppfoljning/", views.followup_explained, name="explained"),
    path("personal/aktiviteter/", staff_views.my_activities, name="my_activities"),
    path(
        "personal/kommun/<slug:municipality>/paminnelser/", reminder_views.reminder_log, name="reminder_log"
    ),
    path("personal/aktiviteter/<int:pk>/", staff_views.activity_followup, name="staff_activity"),
    path("personal/aktiviteter/<int:pk>/utforande/", staff_views.execution_record, name="record"),
    path("personal/aktiviteter/<int:pk>/planera/", staff_views.planned_date_add, name="plan"),
    path("personal/aktiviteter/<int:pk>/bedom/", staff_views.activity_assess, name="assess"),
    path("personal/aktiviteter/<int:pk>/installd/", staff_views.activity_cancel, name="cancel"),
    path("personal/utforande/<int:pk>/ratta/", staff_views.execution_correct, name="correct"),
    path("personal/utforande/<int:pk>/bilaga/", staff_views.execution_attachment, name="attachment"),
    path("<slug:municipality>/jamfor/<slug:earlier>/<slug:later>/", views.promise_compare, name="compare"),
    path(f"{PROMISE}/tidslinje/", views.promise_timeline, name="timeline"),
    path(f"{PROMISE}/flode/", views.promise_feed, name="feed"),
    path(f"{PROMISE}/kalender/", views.promise_calendar, name="calendar"),
    path(f"{PROMISE}/rapport/", views.report_card, name="report"),
    path(f"{PROMISE}/rapport.pdf", views.report_card_pdf, name="report_pdf"),
    path(f"{PROMISE}/rapport/diagram.svg", views.report_chart, name="report_chart"),
    path(f"{PROMISE}/export/aktiviteter.csv", views.export_activities_csv, name="export_activities"),
    path(f"{PROMISE}/export/utforanden.csv", views.export_executions_csv, name="export_executions"),
    path(f"{PROMISE}/export/uppfoljning.json", views.export_json, name="export_json"),
]
