from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import BaseFormSet, ModelForm
from django.http import HttpRequest

from trygg.municipalities import rules

from .models import AuditEntry
from .services import audit_changes, audit_record


def _form_before(form: ModelForm) -> dict[str, Any]:
    return {field: form.initial.get(field) for field in form.changed_data}


def _form_after(form: ModelForm) -> dict[str, Any]:
    return {field: form.cleaned_data.get(field) for field in form.changed_data}


class AuditedAdminMixin:
    """Every create, update and delete made in the admin, bulk deletes and inlines included, is audited."""

    def save_model(self, request: HttpRequest, obj: Model, form: ModelForm, change: bool) -> None:
        form._audit_before = _form_before(form) if change else {}  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)  # type: ignore[misc]

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        if change and not form.changed_data:
            return
        audit_record(
            actor=request.user,
            action=AuditEntry.Action.UPDATE if change else AuditEntry.Action.CREATE,
            instance=form.instance,
            changes=audit_changes(
                before=getattr(form, "_audit_before", {}), after=_form_after(form), fields=form.changed_data
            ),
        )

    def save_formset(self, request: HttpRequest, form: ModelForm, formset: BaseFormSet, change: bool) -> None:
        deleted_forms = list(formset.deleted_forms)
        for deleted in deleted_forms:
            if deleted.instance.pk:
                audit_record(actor=request.user, action=AuditEntry.Action.DELETE, instance=deleted.instance)
        changed = [
            (inline_form, _form_before(inline_form), inline_form.instance.pk is None)
            for inline_form in formset.forms
            if inline_form.has_changed() and inline_form not in deleted_forms
        ]
        super().save_formset(request, form, formset, change)  # type: ignore[misc]
        for inline_form, before, created in changed:
            if inline_form.instance.pk is None:
                continue
            audit_record(
                actor=request.user,
                action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
                instance=inline_form.instance,
                changes=audit_changes(
                    before=before, after=_form_after(inline_form), fields=inline_form.changed_data
                ),
            )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        audit_record(actor=request.user, action=AuditEntry.Action.DELETE, instance=obj)
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            audit_record(actor=request.user, action=AuditEntry.Action.DELETE, instance=obj)
        super().delete_queryset(request, queryset)  # type: ignore[misc]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "action", "model", "object_repr", "municipality"]
    list_filter = ["action", "model", "municipality"]
    search_fields = ["object_repr", "actor_name", "object_id"]
    date_hierarchy = "at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEntry]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(municipality__in=rules.editable_municipalities(request.user))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return rules.can_use_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return rules.can_use_admin(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
