"""Reads about municipalities for the staff pages."""

from django.db.models import Q, QuerySet

from .models import Municipality, Party, PoliceArea


def police_areas_choosable(*, municipality: Municipality) -> QuerySet[PoliceArea]:
    """The police areas a municipality's own staff may say cover it: those that already do, and those that cover
    no municipality yet. An area that covers another municipality is linked by the platform operators: taking it
    would hand that area's police party to this municipality's staff."""
    return (
        PoliceArea.objects.filter(Q(municipalities=municipality) | Q(municipalities__isnull=True))
        .distinct()
        .order_by("name")
    )


def parties_choosable(*, municipality: Municipality) -> QuerySet[Party]:
    """The parties a member of this municipality's staff may belong to: its own and the police that cover it."""
    return (
        Party.objects.filter(Q(municipality=municipality) | Q(police_area__municipalities=municipality))
        .distinct()
        .order_by("kind", "name")
    )
