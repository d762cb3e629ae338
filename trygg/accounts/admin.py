from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from trygg.audit.admin import AuditedAdminMixin
from trygg.municipalities.admin import MembershipInline
from trygg.municipalities.admin_scoping import scoped_choices

from .models import User


@admin.register(User)
class TryggUserAdmin(AuditedAdminMixin, UserAdmin):
    inlines = [MembershipInline]
    actions = ["end_sessions"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        # Only the users of the municipalities one edits: another tenant's staff answer as missing.
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=scoped_choices(User, request).values("pk"))  # type: ignore[union-attr]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # The same service as every other channel: sessions and API keys end with the deactivation. The
            # services are imported here, not when the admin is discovered at every start.
            from .services import user_deactivate

            user_deactivate(user=obj, by=request.user, now=timezone.now())  # type: ignore[arg-type]

    @admin.action(description=_("Avsluta valda användares alla inloggningar"))
    def end_sessions(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        from .services import user_end_sessions

        for user in queryset:
            user_end_sessions(user=user, by=request.user)  # type: ignore[arg-type]
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(count)d användare loggades ut.", "%(count)d användare loggades ut.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class ScopedTOTPDeviceAdmin(TOTPDeviceAdmin):
    """django-otp's device admin, limited to the devices of the users of the municipalities one edits."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[TOTPDevice]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(user__in=scoped_choices(User, request).values("pk"))  # type: ignore[union-attr]


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, ScopedTOTPDeviceAdmin)
