"""The promises in the back office: to read only.

Every write to a promise, its signatories, focus areas and activities goes through `trygg.promises.services`
(on the staff pages under /personal/lofte/), so that each change is checked, audited and, on a published promise,
recorded as a rättelse. Publishing is the publish service's alone. The admin therefore offers no add, change or
delete here: it lists and shows, and links to the staff page where the change is made.
"""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from trygg.municipalities.admin_scoping import MunicipalityScopedAdmin

from .fields import ACTIVITY_FIELDS, PROMISE_FIELDS
from .models import Activity, Correction, FocusArea, Promise, Signatory


class ReadOnlyAdminMixin:
    """Shows, never writes: the services are the one way in."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class SignatoryInline(ReadOnlyInline):
    model = Signatory
    fields = readonly_fields = ("order", "name", "role", "party", "signed_on")


class FocusAreaInline(ReadOnlyInline):
    model = FocusArea
    fields = readonly_fields = ("order", "title", "slug")


class CorrectionInline(ReadOnlyInline):
    model = Correction
    fields = readonly_fields = ("made_on", "reason", "changes")


def _staff_link(promise: Promise) -> str:
    return format_html(
        '<a href="{}">{}</a>',
        reverse("promises:staff_detail", args=[promise.pk]),
        _("Ändra på personalsidan"),
    )


@admin.register(Promise)
class PromiseAdmin(ReadOnlyAdminMixin, MunicipalityScopedAdmin):
    municipality_path = "municipality"
    list_display = ["title", "municipality", "slug", "valid_from", "valid_until", "status", "staff_page"]
    list_filter = ["status", "municipality"]
    search_fields = ["title", "introduction"]
    date_hierarchy = "valid_from"
    # The fields staff edit (the services' list, so a new one such as source_url shows here too), then the record.
    fields = readonly_fields = (
        "municipality",
        *PROMISE_FIELDS,
        "status",
        "published_on",
        "previous",
        "staff_page",
    )
    inlines = [SignatoryInline, FocusAreaInline, CorrectionInline]
    list_select_related = ["municipality"]

    @admin.display(description=_("personalsidan"))
    def staff_page(self, obj: Promise) -> str:
        return _staff_link(obj)


@admin.register(FocusArea)
class FocusAreaAdmin(ReadOnlyAdminMixin, MunicipalityScopedAdmin):
    municipality_path = "promise__municipality"
    list_display = ["title", "promise", "period", "order"]
    list_filter = ["promise__municipality", "promise"]
    search_fields = ["title", "description"]
    fields = readonly_fields = (
        "promise",
        "order",
        "title",
        "slug",
        "description",
        "evidence_note",
        "problems",
    )
    list_select_related = ["promise__municipality"]

    @admin.display(description=_("period"), ordering="promise__valid_from")
    def period(self, obj: FocusArea) -> str:
        return f"{obj.promise.valid_from:%Y-%m-%d} – {obj.promise.valid_until:%Y-%m-%d}"


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdminMixin, MunicipalityScopedAdmin):
    municipality_path = "focus_area__promise__municipality"
    list_display = ["__str__", "promise", "focus_area", "quantity", "per"]
    list_filter = ["focus_area__promise__municipality", "focus_area__promise", "per"]
    search_fields = ["text"]
    fields = readonly_fields = (*ACTIVITY_FIELDS, "responsible_users")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Activity]:
        return super().get_queryset(request).select_related("focus_area__promise__municipality")

    @admin.display(description=_("medborgarlöfte"), ordering="focus_area__promise__valid_from")
    def promise(self, obj: Activity) -> Promise:
        return obj.focus_area.promise
