from django.contrib import admin
from django.http import HttpRequest

from trygg.audit.admin import AuditedAdminMixin
from trygg.municipalities.admin_scoping import MunicipalityScopedAdmin

from .models import Comment, CommentSettings

COMMENT_FIELDS = (
    "municipality",
    "content_type",
    "object_id",
    "promise",
    "author_name",
    "state",
    "flags",
    "is_urgent",
    "reports_count",
    "reviewed",
    "is_edited",
    "published_text",
    "original_text",
    "created_at",
    "published_at",
)


@admin.register(CommentSettings)
class CommentSettingsAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    list_display = ["municipality", "moderation_mode"]
    municipality_path = "municipality"


@admin.register(Comment)
class CommentAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    """Read-only: moderation happens on the staff pages, where every step is recorded with its reason."""

    list_display = ["pk", "municipality", "state", "is_urgent", "created_at", "author_name"]
    list_filter = ["state", "is_urgent"]
    municipality_path = "municipality"
    # The e-mail address lives in CommentContact, which has no admin: it is never shown.
    fields = COMMENT_FIELDS
    readonly_fields = COMMENT_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
