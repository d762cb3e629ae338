from django.contrib import admin
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest

from trygg.audit.admin import AuditedAdminMixin
from trygg.municipalities.admin_scoping import MunicipalityScopedAdmin

from .models import Open311Key, Place, ReportCategory


@admin.register(ReportCategory)
class ReportCategoryAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    municipality_path = "municipality"
    list_display = [
        "name",
        "municipality",
        "slug",
        "response_time",
        "response_unit",
        "duplicate_radius_m",
        "is_active",
    ]
    list_filter = ["municipality", "is_active"]
    fields = [
        "municipality",
        ("name", "slug"),
        "description",
        "problem",
        ("response_time", "response_unit"),
        "offensive_response_hours",
        "duplicate_radius_m",
        "activities",
        ("is_active", "order"),
    ]
    filter_horizontal = ["activities"]
    list_select_related = ["municipality"]


@admin.register(Place)
class PlaceAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    municipality_path = "municipality"
    list_display = ["name", "kind", "municipality", "latitude", "longitude"]
    list_filter = ["municipality", "kind"]
    search_fields = ["name"]
    fields = ["municipality", "name", "kind", "latitude", "longitude"]

    def save_model(self, request: HttpRequest, obj: Model, form: ModelForm, change: bool) -> None:
        from .services import place_normalize

        if isinstance(obj, Place):
            obj.normalized = place_normalize(obj.name)
        super().save_model(request, obj, form, change)


@admin.register(Open311Key)
class Open311KeyAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    """Keys are created with `trygg create_open311_key`; here they can be seen and revoked."""

    municipality_path = "municipality"
    list_display = [
        "name",
        "prefix",
        "municipality",
        "notify_reporters",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    fields = [
        "municipality",
        "name",
        "prefix",
        "notify_reporters",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = ["municipality", "prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
