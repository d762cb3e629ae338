from django.contrib import admin

from trygg.audit.admin import AuditedAdminMixin
from trygg.municipalities.admin_scoping import MunicipalityScopedAdmin

from .models import Indicator, Measurement


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    list_display = ["name", "municipality", "kind", "unit", "is_public"]
    list_filter = ["kind", "is_public"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Measurement)
class MeasurementAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    # Measurements are recorded on the staff page or imported, so they count as executions once.
    municipality_path = "indicator__municipality"
    list_display = ["indicator", "sampled_on", "substance", "value", "tested", "positive"]
    list_filter = ["substance"]

    def has_add_permission(self, request: object) -> bool:
        return False
