from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from trygg.municipalities.admin import MembershipInline

from .models import User


@admin.register(User)
class TryggUserAdmin(UserAdmin):
    inlines = [MembershipInline]
