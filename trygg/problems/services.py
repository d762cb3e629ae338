from django.db import transaction

from .catalogue import DEFAULT_PROBLEMS
from .models import Problem


@transaction.atomic
def problems_ensure_defaults() -> int:
    """Create the shipped problems that are missing; never renames or deletes what staff changed."""
    created = 0
    for order, (slug, name) in enumerate(DEFAULT_PROBLEMS, start=1):
        _problem, was_created = Problem.objects.get_or_create(
            slug=slug, defaults={"name": name, "order": order}
        )
        created += was_created
    return created
