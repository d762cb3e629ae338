from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from . import rules
from .models import Area, Municipality, Party


class MunicipalityScopedAdmin(admin.ModelAdmin):
    """An admin that shows and offers only the objects of the municipalities the user may edit.

    `municipality_path` is the lookup from the model to its Municipality.
    """

    municipality_path = "municipality"

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(
            **{f"{self.municipality_path}__in": rules.editable_municipalities(request.user)}
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return rules.can_use_admin(request.user) and super().has_module_permission(request)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        scoped = scoped_choices(db_field.related_model, request)
        if scoped is not None:
            kwargs["queryset"] = scoped
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        scoped = scoped_choices(db_field.related_model, request)
        if scoped is not None:
            kwargs["queryset"] = scoped
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedInlineMixin:
    """Inline forms offer only choices from the user's own municipalities."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        scoped = scoped_choices(db_field.related_model, request)
        if scoped is not None:
            kwargs["queryset"] = scoped
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        scoped = scoped_choices(db_field.related_model, request)
        if scoped is not None:
            kwargs["queryset"] = scoped
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


def scoped_choices(model: type[models.Model], request: HttpRequest) -> models.QuerySet[Any] | None:
    """The objects of `model` that the user may pick, or None when the model is not tied to a municipality."""
    from trygg.accounts.models import User
    from trygg.promises.models import FocusArea, Promise

    allowed = rules.editable_municipalities(request.user)
    if model is Municipality:
        return allowed
    if model is Party:
        return Party.objects.filter(
            models.Q(municipality__in=allowed) | models.Q(police_area__municipalities__in=allowed)
        ).distinct()
    if model in (Area, Promise):
        return model._default_manager.filter(municipality__in=allowed)
    if model is FocusArea:
        return FocusArea.objects.filter(promise__municipality__in=allowed)
    if model is User:
        return User.objects.filter(memberships__municipality__in=allowed).distinct()
    return None
