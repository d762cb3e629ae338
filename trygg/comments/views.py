from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from trygg.core.csvexport import csv_response, csv_wants_excel
from trygg.core.ratelimit import Limit, client_key, rate_limit_exceeded

from . import selectors, services
from .forms import CommentForm, SubscribeForm
from .models import Comment, CommentSettings
from .targets import TargetKind, kind_for_object, target_get

COMMENT_LIMIT = Limit(scope="comment", count=5, seconds=600)
REPORT_LIMIT = Limit(scope="comment-report", count=20, seconds=3600)
SUBSCRIBE_LIMIT = Limit(scope="comment-subscribe", count=5, seconds=3600)


def _too_many() -> HttpResponse:
    return HttpResponse(
        _("För många försök på kort tid. Vänta en stund och försök igen."),
        status=429,
        content_type="text/plain; charset=utf-8",
    )


def _public_target(kind_key: str, pk: int) -> tuple[TargetKind, object]:
    found = target_get(key=kind_key, pk=pk)
    if found is None or not found[0].is_public(found[1]):
        raise Http404
    return found


def _back_to(target: object, query: dict[str, str], anchor: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{target.get_absolute_url()}?{urlencode(query)}#{anchor}")  # type: ignore[attr-defined]


def _comment_page(
    request: HttpRequest, target_kind: TargetKind, target: object, form: CommentForm, status: int = 200
) -> HttpResponse:
    municipality = target_kind.municipality(target)
    return render(
        request,
        "comments/comment_form.html",
        {
            "form": form,
            "target": target,
            "target_kind": target_kind,
            "municipality": municipality,
            "post_moderation": selectors.moderation_mode(municipality=municipality)
            == CommentSettings.Mode.POST,
        },
        status=status,
    )


def comment_create(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The comment page behind "Kommentera": the form, following by e-mail and reporting a comment. The pages
    commented on carry no form, so that they are the same for every visitor and come from the page cache."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    target_kind, target = _public_target(kind, pk)
    if request.method != "POST":
        return _comment_page(request, target_kind, target, CommentForm())
    if rate_limit_exceeded(request=request, limit=COMMENT_LIMIT):
        return _too_many()
    form = CommentForm(request.POST)
    if form.is_bot():
        # Answer a bot as if it had succeeded, and store nothing.
        return _back_to(target, {"kommentar": "granskas"}, "kommentarer-tack")
    if form.is_valid():
        try:
            comment, _created = services.comment_submit(
                target=target,  # type: ignore[arg-type]
                author_name=form.cleaned_data["author_name"],
                email=form.cleaned_data["email"],
                text=form.cleaned_data["text"],
                submission_id=form.cleaned_data["submission_id"],
                now=timezone.now(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            outcome = "publicerad" if comment.state == Comment.State.APPROVED else "granskas"
            return _back_to(target, {"kommentar": outcome}, "kommentarer-tack")
    return _comment_page(request, target_kind, target, form, status=400)


def comment_report(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    comment = selectors.comment_get_public(pk=pk)
    target = comment.target
    if target is None:
        raise Http404
    if rate_limit_exceeded(request=request, limit=REPORT_LIMIT):
        return _too_many()
    services.comment_report(comment=comment, client_key=client_key(request))
    kind = kind_for_object(target)
    if kind is None:
        raise Http404
    return HttpResponseRedirect(
        f"{reverse('comments:create', args=[kind.key, target.pk])}?{urlencode({'anmald': comment.pk})}#kommentar-{comment.pk}"
    )


def _see_other(url: str) -> HttpResponseRedirect:
    """303 See Other: the answer to a POST that did its work, so that a reload asks for the page and posts nothing."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _one_click(request: HttpRequest) -> bool:
    """The RFC 8058 one-click POST of a mail client: it is answered with the page, since no person reloads it."""
    return request.POST.get("List-Unsubscribe") == "One-Click"


def subscribe(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    target_kind, target = _public_target(kind, pk)
    if not target_kind.subscribable:
        raise Http404
    municipality = target_kind.municipality(target)
    if request.method != "POST":
        # The page after the POST (a reload shows it again and sends nothing), or the form on its own.
        if request.GET.get("skickat"):
            return render(
                request,
                "comments/subscription_requested.html",
                {"target": target, "municipality": municipality},
            )
        return render(
            request,
            "comments/subscribe_form.html",
            {
                "form": SubscribeForm(),
                "target": target,
                "target_kind": target_kind,
                "municipality": municipality,
            },
        )
    if rate_limit_exceeded(request=request, limit=SUBSCRIBE_LIMIT):
        return _too_many()
    form = SubscribeForm(request.POST)
    sent = _see_other(f"{reverse('comments:subscribe', args=[target_kind.key, pk])}?skickat=1")
    if form.is_bot():
        return sent
    if form.is_valid():
        try:
            services.subscription_request(
                target=target,  # type: ignore[arg-type]
                email=form.cleaned_data["email"],
                base_url=request.build_absolute_uri("/").rstrip("/"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return sent
    return render(
        request,
        "comments/subscribe_form.html",
        {"form": form, "target": target, "target_kind": target_kind, "municipality": municipality},
        status=400,
    )


def subscription_confirm(request: HttpRequest, token: str) -> HttpResponse:
    # Confirm on POST only: mail scanners open links, and opening must not subscribe anybody.
    subscription = services.subscription_for_confirm_token(token)
    if subscription is None:
        return render(request, "comments/subscription_invalid.html", status=404)
    if request.method == "POST":
        services.subscription_confirm(subscription=subscription, now=timezone.now())
        return _see_other(request.path)
    return render(
        request,
        "comments/subscription_confirm.html",
        {
            "subscription": subscription,
            "target": subscription.target,
            "confirmed": subscription.confirmed_at is not None,
        },
    )


@csrf_exempt  # RFC 8058 one-click unsubscribe: the mail client posts without a session; the token is the key.
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        services.subscription_unsubscribe(token=token)
        if _one_click(request):
            return render(request, "comments/unsubscribed.html")
        return _see_other(f"{request.path}?klart=1")
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if request.GET.get("klart"):
        return render(request, "comments/unsubscribed.html")
    return render(request, "comments/unsubscribe.html", {"token": token})


def promise_comments(request: HttpRequest, municipality: str, promise: str) -> HttpResponse:
    found = selectors.promise_get_public(municipality_slug=municipality, promise_slug=promise)
    return render(
        request,
        "comments/promise_comments.html",
        {
            "promise": found,
            "municipality": found.municipality,
            "comments": selectors.comments_public_for_promise(promise=found),
        },
    )


def promise_comments_csv(request: HttpRequest, municipality: str, promise: str) -> HttpResponse:
    """The published comments and replies as CSV: never an e-mail address, never an unpublished text."""
    found = selectors.promise_get_public(municipality_slug=municipality, promise_slug=promise)
    rows: list[list[object]] = [["id", "gäller", "namn", "publicerad", "redigerad", "text", "svar"]]
    for comment in selectors.comments_public_for_promise(promise=found):
        replies = " | ".join(f"{reply.party.name}: {reply.text}" for reply in comment.replies.all())
        rows.append(
            [
                comment.pk,
                str(comment.target),
                comment.author_name,
                comment.published_at.isoformat() if comment.published_at else "",
                "ja" if comment.is_edited else "nej",
                comment.published_text,
                replies,
            ]
        )
    return csv_response(
        rows,
        filename=f"kommentarer-{found.municipality.slug}-{found.slug}.csv",
        excel=csv_wants_excel(request),
    )
