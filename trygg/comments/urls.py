from django.urls import URLPattern, URLResolver, path

from . import staff_views, views
from .feeds import PromiseCommentsFeed

app_name = "comments"

urlpatterns: list[URLPattern | URLResolver] = [
    path("kommentera/<slug:kind>/<int:pk>/", views.comment_create, name="create"),
    path("kommentarer/<int:pk>/anmal/", views.comment_report, name="report"),
    path("prenumerera/<slug:kind>/<int:pk>/", views.subscribe, name="subscribe"),
    path("prenumerera/bekrafta/<str:token>/", views.subscription_confirm, name="subscription_confirm"),
    path("prenumerera/sluta/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("personal/kommentarer/", staff_views.moderation_queue, name="staff_queue"),
    path("personal/kommentarer/<int:pk>/", staff_views.comment_detail, name="staff_detail"),
    path("personal/kommentarer/<int:pk>/godkann/", staff_views.comment_approve, name="staff_approve"),
    path("personal/kommentarer/<int:pk>/avvisa/", staff_views.comment_reject, name="staff_reject"),
    path("personal/kommentarer/<int:pk>/dolj/", staff_views.comment_hide, name="staff_hide"),
    path("personal/kommentarer/<int:pk>/redigera/", staff_views.comment_edit_out, name="staff_edit_out"),
    path("personal/kommentarer/<int:pk>/svara/", staff_views.comment_reply, name="staff_reply"),
    path(
        "personal/kommentarer/lofte/<int:pk>/obesvarade/",
        staff_views.promise_unanswered,
        name="staff_unanswered",
    ),
    path(
        "personal/kommentarer/kommun/<int:municipality_pk>/namn/",
        staff_views.names_remove,
        name="staff_names",
    ),
    path(
        "personal/kommentarer/kommun/<int:municipality_pk>/installningar/",
        staff_views.comment_settings,
        name="staff_settings",
    ),
    path("<slug:municipality>/<slug:promise>/kommentarer/", views.promise_comments, name="promise_comments"),
    path(
        "<slug:municipality>/<slug:promise>/kommentarer/flode.atom",
        PromiseCommentsFeed(),
        name="promise_feed",
    ),
    path(
        "<slug:municipality>/<slug:promise>/kommentarer/kommentarer.csv",
        views.promise_comments_csv,
        name="promise_csv",
    ),
]
