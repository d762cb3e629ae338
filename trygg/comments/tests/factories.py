import datetime as dt
from typing import Any

import factory
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from trygg.comments.models import Comment, OfficialReply
from trygg.promises.models import Promise
from trygg.promises.tests.factories import PromiseFactory


class CommentFactory(factory.django.DjangoModelFactory[Comment]):
    """A published comment on a promise unless told otherwise."""

    class Meta:
        model = Comment
        exclude = ["on"]

    on = factory.SubFactory(PromiseFactory)
    municipality = factory.LazyAttribute(lambda comment: _promise_of(comment.on).municipality)
    content_type = factory.LazyAttribute(lambda comment: ContentType.objects.get_for_model(comment.on))
    object_id = factory.LazyAttribute(lambda comment: comment.on.pk)
    promise = factory.LazyAttribute(lambda comment: _promise_of(comment.on))
    author_name = factory.Sequence(lambda n: f"Invånare {n}")
    original_text = factory.Sequence(lambda n: f"Kommentar nummer {n} om belysningen i parken.")
    published_text = factory.LazyAttribute(lambda comment: comment.original_text)
    state = Comment.State.APPROVED
    published_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))


def _promise_of(target: Any) -> Promise:
    if isinstance(target, Promise):
        return target
    focus_area = getattr(target, "focus_area", None)
    return (focus_area or target).promise


class ReplyFactory(factory.django.DjangoModelFactory[OfficialReply]):
    class Meta:
        model = OfficialReply

    comment = factory.SubFactory(CommentFactory)
    text = "Tack för synpunkten, vi tittar på det."
