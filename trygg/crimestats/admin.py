from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from trygg.audit.admin import AuditedAdminMixin
from trygg.municipalities.admin_scoping import MunicipalityScopedAdmin

from .models import ComparisonGroup, CrimeCategory, ImportRun


@admin.register(CrimeCategory)
class CrimeCategoryAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "problem"]
    search_fields = ["name", "code"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["file_name", "kind", "periods", "rows", "replaced", "imported_at"]
    readonly_fields = [field.name for field in ImportRun._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ComparisonGroup)
class ComparisonGroupAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    municipality_path = "municipality"
    list_display = ["municipality", "name"]
    filter_horizontal = ["members"]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # Any municipality may be compared with, not only those the user edits.
        if db_field.name == "members":
            return admin.ModelAdmin.formfield_for_manytomany(self, db_field, request, **kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)
