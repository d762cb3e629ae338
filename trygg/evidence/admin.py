from django.contrib import admin

from trygg.audit.admin import AuditedAdminMixin
from trygg.municipalities.admin_scoping import MunicipalityScopedAdmin, ScopedInlineMixin

from .models import Dialogue, DialogueProblem, FocusAreaEvidence, Measure


class DialogueProblemInline(ScopedInlineMixin, admin.TabularInline):
    model = DialogueProblem
    extra = 0


@admin.register(Dialogue)
class DialogueAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    municipality_path = "municipality"
    list_display = ["date", "kind", "place", "participants", "municipality"]
    list_filter = ["kind", "municipality"]
    inlines = [DialogueProblemInline]
    exclude = ["created_by"]


@admin.register(Measure)
class MeasureAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    municipality_path = "municipality"
    list_display = ["text", "year", "owner", "is_public", "municipality"]
    list_filter = ["year", "is_public", "municipality"]
    filter_horizontal = ["problems"]
    raw_id_fields = ["activity"]


@admin.register(FocusAreaEvidence)
class FocusAreaEvidenceAdmin(MunicipalityScopedAdmin):
    municipality_path = "focus_area__promise__municipality"
    list_display = ["focus_area", "label", "points", "year"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
