from django.contrib import admin

from .models import Area, Membership, Municipality, Party, PoliceArea


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["municipality", "party"]


class PartyInline(admin.TabularInline):
    model = Party
    extra = 0
    fields = ["name", "kind", "police_area"]


class AreaInline(admin.TabularInline):
    model = Area
    extra = 0
    fields = ["name"]


@admin.register(PoliceArea)
class PoliceAreaAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "scb_code", "county", "population"]
    search_fields = ["name", "scb_code"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["police_areas"]
    inlines = [PartyInline, AreaInline]


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "municipality", "police_area"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality"]
    list_filter = ["municipality"]
    search_fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "municipality", "party", "role"]
    list_filter = ["role", "municipality"]
    autocomplete_fields = ["user", "municipality", "party"]
