"""The back office shows the follow-up records read-only: executions are recorded and corrected on the staff
pages, so that every correction keeps its revision. Planned dates may be edited here."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from trygg.audit.admin import AuditedAdminMixin
from trygg.municipalities.admin_scoping import MunicipalityScopedAdmin

from .models import Assessment, Cancellation, Execution, ExecutionRevision, PlannedDate, ReminderSent

ACTIVITY_MUNICIPALITY = "activity__focus_area__promise__municipality"


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ExecutionRevisionInline(ReadOnlyMixin, admin.TabularInline):
    model = ExecutionRevision
    extra = 0
    fields = ["changed_at", "changed_by_name", "reason", "before", "after"]
    readonly_fields = ["changed_at", "changed_by_name", "reason", "before", "after"]


@admin.register(Execution)
class ExecutionAdmin(ReadOnlyMixin, AuditedAdminMixin, MunicipalityScopedAdmin):
    municipality_path = ACTIVITY_MUNICIPALITY
    list_display = ["done_on", "activity", "count", "withdrawn", "is_example", "recorded_by"]
    list_filter = ["withdrawn", "is_example"]
    search_fields = ["description", "activity__text"]
    date_hierarchy = "done_on"
    inlines = [ExecutionRevisionInline]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyMixin, AuditedAdminMixin, MunicipalityScopedAdmin):
    municipality_path = ACTIVITY_MUNICIPALITY
    list_display = ["assessed_on", "activity", "status", "assessed_by"]
    list_filter = ["status"]


@admin.register(Cancellation)
class CancellationAdmin(ReadOnlyMixin, AuditedAdminMixin, MunicipalityScopedAdmin):
    municipality_path = ACTIVITY_MUNICIPALITY
    list_display = ["cancelled_on", "activity", "lifted_on", "cancelled_by"]


@admin.register(PlannedDate)
class PlannedDateAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    municipality_path = ACTIVITY_MUNICIPALITY
    list_display = ["date", "activity", "note"]
    date_hierarchy = "date"
    raw_id_fields = ["activity"]


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["sent_on", "user"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The digests name users of every municipality: only superusers read them, whatever the group allows.
        return bool(request.user.is_superuser)
