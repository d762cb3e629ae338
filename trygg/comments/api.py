"""Published comments and their official replies. Never an e-mail address, never an unpublished comment."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from trygg.api.pagination import BoundedPageNumberPagination
from trygg.core.site import site_url

from . import selectors

router = Router(tags=["kommentarer"])


class ReplyOut(Schema):
    party: str
    text: str
    created_at: dt.datetime


class CommentOut(Schema):
    id: int
    target_type: str
    target_title: str
    url: str
    author_name: str
    text: str
    is_edited: bool
    published_at: dt.datetime | None
    replies: list[ReplyOut]


@router.get("/municipalities/{slug}/promises/{promise_slug}/comments", response=list[CommentOut])
@paginate(BoundedPageNumberPagination)
def promise_comments(request: HttpRequest, slug: str, promise_slug: str) -> Any:
    """The published comments on a promise, its focus areas and activities, newest first."""
    promise = selectors.promise_get_public(municipality_slug=slug, promise_slug=promise_slug)
    return [
        {
            "id": comment.pk,
            "target_type": comment.content_type.model,
            "target_title": str(comment.target),
            "url": site_url(
                (comment.target.get_absolute_url() if comment.target is not None else "/")
                + f"#kommentar-{comment.pk}"
            ),
            "author_name": comment.author_name,
            "text": comment.published_text,
            "is_edited": comment.is_edited,
            "published_at": comment.published_at,
            "replies": [
                {"party": reply.party.name, "text": reply.text, "created_at": reply.created_at}
                for reply in comment.replies.all()
            ],
        }
        for comment in selectors.comments_public_for_promise(promise=promise)
    ]
