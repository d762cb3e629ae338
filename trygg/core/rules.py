"""Who may see what the installation itself is doing."""

from trygg.municipalities.rules import AnyUser, is_verified_staff


def can_view_operations(user: AnyUser) -> bool:
    """The installation's administrators (superusers, with a second factor): the view names the servers behind
    the site and how they fare, which no municipality's staff needs."""
    return is_verified_staff(user) and bool(getattr(user, "is_superuser", False))
