import datetime as dt

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from trygg.core.site import site_url
from trygg.promises.models import Promise

from . import selectors
from .models import ANONYMOUS, Comment


class PromiseCommentsFeed(Feed):
    """Published comments on a promise, its focus areas and activities, with their official replies.

    Valid Atom (RFC 4287): every entry has an author and an `updated` time, which moves when an official reply
    arrives, so that a reader shows the reply. Links and ids come from SITE_URL, never the request's Host."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, municipality: str, promise: str) -> Promise:
        return selectors.promise_get_public(municipality_slug=municipality, promise_slug=promise)

    def title(self, obj: Promise) -> str:
        return _("Kommentarer: %(title)s") % {"title": obj.title}

    def link(self, obj: Promise) -> str:
        return site_url(obj.get_absolute_url())

    def feed_url(self, obj: Promise) -> str:
        return site_url(
            reverse(
                "comments:promise_feed",
                kwargs={"municipality": obj.municipality.slug, "promise": obj.slug},
            )
        )

    def subtitle(self, obj: Promise) -> str:
        return _("Publicerade kommentarer och svar från %(name)s") % {"name": obj.municipality.name}

    def author_name(self, obj: Promise) -> str:
        return obj.municipality.name

    def items(self, obj: Promise) -> list[Comment]:
        return selectors.comments_public_for_promise(promise=obj)[:50]

    def item_title(self, item: Comment) -> str:
        return _("%(name)s om %(target)s") % {"name": item.author_name or ANONYMOUS, "target": item.target}

    def item_description(self, item: Comment) -> str:
        # Atom readers take the summary as HTML: escape it, so links and markup stay plain text as on the page.
        parts = [item.published_text]
        parts += [
            _("Svar från %(party)s: %(text)s") % {"party": r.party.name, "text": r.text}
            for r in item.replies.all()
        ]
        return "".join(str(linebreaks(escape(part))) for part in parts)

    def item_link(self, item: Comment) -> str:
        target = item.target
        path = target.get_absolute_url() if target is not None else "/"
        return site_url(f"{path}#kommentar-{item.pk}")

    def item_pubdate(self, item: Comment) -> dt.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Comment) -> dt.datetime | None:
        moments = [item.published_at, *(reply.created_at for reply in item.replies.all())]
        return max((moment for moment in moments if moment is not None), default=item.created_at)

    def item_author_name(self, item: Comment) -> str:
        return item.author_name or ANONYMOUS
