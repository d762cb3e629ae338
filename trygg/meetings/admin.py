from django.contrib import admin

from trygg.audit.admin import AuditedAdminMixin
from trygg.municipalities.admin_scoping import MunicipalityScopedAdmin, ScopedInlineMixin

from .models import Meeting, MeetingActivity, NeighbourhoodWatch, Observation, RaisedProblem, SafetyWalk, Task


class MeetingActivityInline(ScopedInlineMixin, admin.TabularInline):
    model = MeetingActivity
    extra = 0
    readonly_fields = ["execution"]


class RaisedProblemInline(ScopedInlineMixin, admin.TabularInline):
    model = RaisedProblem
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    list_display = ["title", "municipality", "kind", "starts_at", "status", "is_public"]
    list_filter = ["kind", "status", "is_public"]
    search_fields = ["title", "place"]
    inlines = [MeetingActivityInline, RaisedProblemInline]
    filter_horizontal = ["organisers"]


@admin.register(SafetyWalk)
class SafetyWalkAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    list_display = ["title", "municipality", "date", "status"]
    list_filter = ["status"]
    search_fields = ["title"]
    filter_horizontal = ["organisers"]


@admin.register(Observation)
class ObservationAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    municipality_path = "walk__municipality"
    list_display = ["place", "category", "walk", "created_at"]
    list_filter = ["category"]
    readonly_fields = ["submission_id", "photo", "created_by"]


@admin.register(Task)
class TaskAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    municipality_path = "observation__walk__municipality"
    list_display = ["observation", "owner_party", "due_on", "state"]
    list_filter = ["state"]


@admin.register(NeighbourhoodWatch)
class NeighbourhoodWatchAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    list_display = ["name", "municipality", "signed_up_on"]
    search_fields = ["name"]
