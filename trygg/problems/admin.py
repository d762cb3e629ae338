from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from trygg.audit.admin import AuditedAdminMixin

from .models import Problem
from .rules import can_edit_problem_list


@admin.register(Problem)
class ProblemAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    # The list is shared by every municipality: a municipality's staff may read it, never change it.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_edit_problem_list(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_edit_problem_list(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_edit_problem_list(request.user)
