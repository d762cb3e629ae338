from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from trygg.audit.admin import AuditedAdminMixin
from trygg.municipalities.admin_scoping import MunicipalityScopedAdmin, ScopedInlineMixin

from .models import Activity, FocusArea, Promise, Signatory


class SignatoryInline(ScopedInlineMixin, admin.TabularInline):
    model = Signatory
    extra = 0
    fields = ["order", "name", "role", "party"]


class FocusAreaInline(ScopedInlineMixin, admin.StackedInline):
    model = FocusArea
    extra = 0
    fields = ["order", "title", "slug", "description", "problems", "activities_link"]
    readonly_fields = ["activities_link"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["problems"]
    show_change_link = True

    @admin.display(description=_("aktiviteter"))
    def activities_link(self, obj: FocusArea) -> str:
        if not obj.pk:
            return "–"
        return format_html(
            '<a href="../../../focusarea/{}/change/">{}</a>',
            obj.pk,
            _("Redigera fokusområdets aktiviteter"),
        )


class ActivityInline(ScopedInlineMixin, admin.StackedInline):
    model = Activity
    extra = 0
    fieldsets = [
        (None, {"fields": ["order", "text", "responsible_parties", "partners"]}),
        (_("Vad som lovas"), {"fields": [("quantity", "quantity_max", "at_least"), ("unit", "per")]}),
        (
            _("För vem, var och när"),
            {"fields": ["target_group", ("place", "area"), ("start_date", "end_date")]},
        ),
        (_("Ansvariga personer"), {"fields": ["responsible_users"]}),
    ]
    filter_horizontal = ["responsible_parties", "partners", "responsible_users"]


@admin.register(Promise)
class PromiseAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    municipality_path = "municipality"
    list_display = ["title", "municipality", "slug", "valid_from", "valid_until", "status"]
    list_filter = ["status", "municipality"]
    search_fields = ["title", "introduction"]
    date_hierarchy = "valid_from"
    fields = [
        "municipality",
        "title",
        "slug",
        ("valid_from", "valid_until"),
        "introduction",
        ("status", "published_on"),
        "source_note",
    ]
    inlines = [SignatoryInline, FocusAreaInline]
    list_select_related = ["municipality"]


@admin.register(FocusArea)
class FocusAreaAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    municipality_path = "promise__municipality"
    list_display = ["title", "promise", "order"]
    list_filter = ["promise__municipality", "promise"]
    search_fields = ["title", "description"]
    fields = ["promise", "order", "title", "slug", "description", "problems"]
    filter_horizontal = ["problems"]
    inlines = [ActivityInline]
    list_select_related = ["promise__municipality"]


@admin.register(Activity)
class ActivityAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    municipality_path = "focus_area__promise__municipality"
    list_display = ["__str__", "focus_area", "quantity", "per"]
    list_filter = ["focus_area__promise__municipality", "per"]
    search_fields = ["text"]
    filter_horizontal = ["responsible_parties", "partners", "responsible_users"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Activity]:
        return super().get_queryset(request).select_related("focus_area__promise__municipality")
