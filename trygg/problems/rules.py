"""Who may change the shared problem list: every municipality's focus areas, survey items, crime categories and
report categories map to it, so a change reaches all tenants. Only platform operators (superusers) edit it."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def can_edit_problem_list(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active)
