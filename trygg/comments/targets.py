"""What residents may comment on and subscribe to: an allow-list of models, one entry each.

A comment points at its target through a GenericForeignKey, and only the content types registered here are
accepted. To let residents comment on meetings or reports later, register the model in that app's
`AppConfig.ready()` with `register_target(...)`: the form, the queue, the feeds and the digests then work
for it without a change in this app.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db import models
from django.utils.functional import Promise as LazyString
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class TargetKind:
    key: str  # in URLs: /kommentera/<key>/<id>/
    label: str  # app_label.model_name
    name: LazyString | str  # "medborgarlöftet", shown to residents
    municipality: Callable[[Any], Any]
    promise: Callable[[Any], Any] = field(default=lambda target: None)
    # Is the target itself public? Comments on a draft may not be written or shown.
    is_public: Callable[[Any], bool] = field(default=lambda target: True)
    # The extra targets whose comments a subscriber of this target hears about (a focus area's activities).
    covered: Callable[[Any], list[models.Model]] = field(default=lambda target: [])
    subscribable: bool = False
    # select_related paths that its URL and title need, so a list of comments loads targets in one query.
    related: tuple[str, ...] = ()
    # The targets (a queryset of primary keys) of one municipality that a party is expected to answer comments
    # on: the activities it is responsible for, and the focus areas and promises that hold them.
    answerable_by: Callable[[Any, Any], models.QuerySet[Any]] | None = None


_TARGETS: dict[str, TargetKind] = {}


def register_target(kind: TargetKind) -> None:
    _TARGETS[kind.label] = kind


def kind_for_label(label: str) -> TargetKind | None:
    return _TARGETS.get(label)


def kind_for_key(key: str) -> TargetKind | None:
    return next((kind for kind in _TARGETS.values() if kind.key == key), None)


def kind_for_object(target: models.Model) -> TargetKind | None:
    return _TARGETS.get(target._meta.label_lower)


def registered_kinds() -> list[TargetKind]:
    return list(_TARGETS.values())


def content_type_for_label(label: str) -> ContentType:
    app_label, model = label.split(".")
    return ContentType.objects.get_by_natural_key(app_label, model)


def allowed_labels() -> list[str]:
    return list(_TARGETS)


def allowed_content_types() -> models.Q:
    """For `limit_choices_to`: the registered content types only."""
    query = models.Q(pk__in=[])
    for label in _TARGETS:
        app_label, model = label.split(".")
        query |= models.Q(app_label=app_label, model=model)
    return query


def target_prefetch(lookup: str = "target") -> GenericPrefetch:
    """Prefetch the targets of many comments with what their URLs need: one query per kind of target."""
    querysets = [
        apps.get_model(kind.label)._default_manager.select_related(*kind.related)
        for kind in _TARGETS.values()
    ]
    return GenericPrefetch(lookup, querysets)


def content_type_for(target: models.Model) -> ContentType:
    return ContentType.objects.get_for_model(target)


def target_get(*, key: str, pk: int) -> tuple[TargetKind, models.Model] | None:
    """The registered kind and the object, or None when either does not exist."""
    kind = kind_for_key(key)
    if kind is None:
        return None
    app_label, model_name = kind.label.split(".")
    model = ContentType.objects.get_by_natural_key(app_label, model_name).model_class()
    if model is None:
        return None
    found = model._default_manager.filter(pk=pk).first()
    return (kind, found) if found is not None else None


def _register_promises() -> None:
    from django.db.models import Q

    from trygg.promises.models import Activity, FocusArea, Promise

    def activity_promise(activity: Any) -> Any:
        return activity.focus_area.promise

    register_target(
        TargetKind(
            key="lofte",
            label="promises.promise",
            name=_("medborgarlöftet"),
            municipality=lambda promise: promise.municipality,
            promise=lambda promise: promise,
            is_public=lambda promise: promise.is_public,
            covered=lambda promise: [
                item
                for focus_area in promise.focus_areas.prefetch_related("activities")
                for item in (focus_area, *focus_area.activities.all())
            ],
            subscribable=True,
            related=("municipality",),
            answerable_by=lambda party, municipality: (
                Promise.objects.filter(municipality=municipality)
                .filter(Q(signatories__party=party) | Q(focus_areas__activities__responsible_parties=party))
                .values("pk")
            ),
        )
    )
    register_target(
        TargetKind(
            key="fokusomrade",
            label="promises.focusarea",
            name=_("fokusområdet"),
            municipality=lambda focus_area: focus_area.promise.municipality,
            promise=lambda focus_area: focus_area.promise,
            is_public=lambda focus_area: focus_area.promise.is_public,
            covered=lambda focus_area: list(focus_area.activities.all()),
            subscribable=True,
            related=("promise__municipality",),
            answerable_by=lambda party, municipality: FocusArea.objects.filter(
                promise__municipality=municipality, activities__responsible_parties=party
            ).values("pk"),
        )
    )
    register_target(
        TargetKind(
            key="aktivitet",
            label="promises.activity",
            name=_("aktiviteten"),
            municipality=lambda activity: activity_promise(activity).municipality,
            promise=activity_promise,
            is_public=lambda activity: activity_promise(activity).is_public,
            related=("focus_area__promise__municipality",),
            answerable_by=lambda party, municipality: Activity.objects.filter(
                focus_area__promise__municipality=municipality, responsible_parties=party
            ).values("pk"),
        )
    )


_register_promises()
