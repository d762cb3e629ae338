from django.contrib import admin

from trygg.audit.admin import AuditedAdminMixin

from .models import Problem


@admin.register(Problem)
class ProblemAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
