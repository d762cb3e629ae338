from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from trygg.audit.admin import AuditedAdminMixin
from trygg.municipalities.admin import MembershipInline

from .models import User
from .services import user_end_sessions


@admin.register(User)
class TryggUserAdmin(AuditedAdminMixin, UserAdmin):
    inlines = [MembershipInline]
    actions = ["end_sessions"]

    @admin.action(description=_("Avsluta valda användares alla inloggningar"))
    def end_sessions(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            user_end_sessions(user=user, by=request.user)  # type: ignore[arg-type]
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(count)d användare loggades ut.", "%(count)d användare loggades ut.", count)
            % {"count": count},
            messages.SUCCESS,
        )
