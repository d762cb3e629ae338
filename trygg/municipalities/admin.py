from django.contrib import admin
from django.db import models

from trygg.audit.admin import AuditedAdminMixin

from .admin_scoping import MunicipalityScopedAdmin, ScopedInlineMixin
from .models import Area, Membership, Municipality, Party, PoliceArea


class MembershipInline(ScopedInlineMixin, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["municipality", "party"]


class PartyInline(ScopedInlineMixin, admin.TabularInline):
    model = Party
    extra = 0
    fields = ["name", "kind", "police_area"]


class AreaInline(ScopedInlineMixin, admin.TabularInline):
    model = Area
    extra = 0
    fields = ["name"]


@admin.register(PoliceArea)
class PoliceAreaAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    municipality_path = "municipalities"
    search_fields = ["name"]


@admin.register(Municipality)
class MunicipalityAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    municipality_path = "pk"
    list_display = ["name", "scb_code", "county", "population"]
    search_fields = ["name", "scb_code"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["police_areas"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [PartyInline, AreaInline]


@admin.register(Party)
class PartyAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    municipality_path = "municipality"
    list_display = ["name", "kind", "municipality", "police_area"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Area)
class AreaAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    municipality_path = "municipality"
    list_display = ["name", "municipality"]
    list_filter = ["municipality"]
    search_fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    municipality_path = "municipality"
    list_display = ["user", "municipality", "party", "role"]
    list_filter = ["role", "municipality"]
    autocomplete_fields = ["user", "municipality", "party"]
