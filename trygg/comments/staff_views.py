from collections.abc import Callable
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from trygg.accounts.decorators import staff_required
from trygg.accounts.models import User
from trygg.municipalities import rules as municipality_rules
from trygg.municipalities.models import Municipality

from . import rules, selectors, services
from .forms import (
    ApproveForm,
    EditOutForm,
    NameRemovalForm,
    NameSearchForm,
    ReasonForm,
    ReplyForm,
    SettingsForm,
)
from .models import Comment
from .targets import kind_for_object


def _user(request: HttpRequest) -> User:
    # staff_required has already let only a verified, logged-in user through.
    return cast(User, request.user)


@staff_required
def moderation_queue(request: HttpRequest) -> HttpResponse:
    queue = selectors.moderation_queue(user=request.user)
    municipalities = municipality_rules.staff_municipalities(request.user).order_by("name")
    return render(
        request,
        "comments/staff/queue.html",
        {
            "waiting": queue.waiting,
            "unreviewed": queue.unreviewed,
            "awaiting_reply": selectors.comments_awaiting_reply(user=request.user),
            "municipalities": [m for m in municipalities if rules.can_moderate(request.user, m)],
        },
    )


def _detail_context(request: HttpRequest, comment: Comment, **forms: Form) -> dict[str, Any]:
    parties = rules.reply_parties(request.user, comment.municipality)
    target = comment.target
    kind = kind_for_object(target) if target is not None else None
    return {
        "comment": comment,
        "target": target,
        "target_kind": kind,
        "can_moderate": rules.can_moderate(request.user, comment.municipality),
        "can_reply": bool(parties) and comment.state == Comment.State.APPROVED,
        "approve_form": forms.get("approve_form") or ApproveForm(),
        "reject_form": forms.get("reject_form") or ReasonForm(prefix="avvisa"),
        "hide_form": forms.get("hide_form") or ReasonForm(prefix="dolj"),
        "edit_form": forms.get("edit_form")
        or EditOutForm(initial={"published_text": services.redaction_suggestion(comment=comment)}),
        "reply_form": forms.get("reply_form") or ReplyForm(parties=parties),
        "suggestion_differs": services.redaction_suggestion(comment=comment) != comment.published_text,
    }


@staff_required
def comment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    comment = selectors.comment_get_for_staff(user=request.user, pk=pk)
    return render(request, "comments/staff/comment_detail.html", _detail_context(request, comment))


def _moderation_post(
    request: HttpRequest,
    pk: int,
    *,
    form_class: Callable[..., Form],
    form_name: str,
    prefix: str | None,
    act: Callable[[Comment, dict[str, Any]], object],
) -> HttpResponse:
    comment = selectors.comment_get_for_staff(user=request.user, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not rules.can_moderate(request.user, comment.municipality):
        raise PermissionDenied
    form = form_class(request.POST, prefix=prefix) if prefix else form_class(request.POST)
    if form.is_valid():
        try:
            act(comment, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return HttpResponseRedirect(reverse("comments:staff_detail", kwargs={"pk": comment.pk}))
    return render(
        request,
        "comments/staff/comment_detail.html",
        _detail_context(request, comment, **{form_name: form}),
        status=400,
    )


@staff_required
def comment_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _moderation_post(
        request,
        pk,
        form_class=ApproveForm,
        form_name="approve_form",
        prefix=None,
        act=lambda comment, data: services.comment_approve(
            comment=comment,
            by=_user(request),
            now=timezone.now(),
            reason=data["reason"],
        ),
    )


@staff_required
def comment_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _moderation_post(
        request,
        pk,
        form_class=ReasonForm,
        form_name="reject_form",
        prefix="avvisa",
        act=lambda comment, data: services.comment_reject(
            comment=comment,
            by=_user(request),
            reason=data["reason"],
            now=timezone.now(),
        ),
    )


@staff_required
def comment_hide(request: HttpRequest, pk: int) -> HttpResponse:
    return _moderation_post(
        request,
        pk,
        form_class=ReasonForm,
        form_name="hide_form",
        prefix="dolj",
        act=lambda comment, data: services.comment_hide(
            comment=comment,
            by=_user(request),
            reason=data["reason"],
            now=timezone.now(),
        ),
    )


@staff_required
def comment_edit_out(request: HttpRequest, pk: int) -> HttpResponse:
    return _moderation_post(
        request,
        pk,
        form_class=EditOutForm,
        form_name="edit_form",
        prefix=None,
        act=lambda comment, data: services.comment_edit_out(
            comment=comment,
            by=_user(request),
            published_text=data["published_text"],
            reason=data["reason"],
        ),
    )


@staff_required
def comment_reply(request: HttpRequest, pk: int) -> HttpResponse:
    comment = selectors.comment_get_for_staff(user=request.user, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    parties = rules.reply_parties(request.user, comment.municipality)
    if not parties:
        raise PermissionDenied
    form = ReplyForm(request.POST, parties=parties)
    if form.is_valid():
        try:
            services.reply_create(
                comment=comment,
                party=form.cleaned_data["party"],
                by=_user(request),
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return HttpResponseRedirect(reverse("comments:staff_detail", kwargs={"pk": comment.pk}))
    return render(
        request,
        "comments/staff/comment_detail.html",
        _detail_context(request, comment, reply_form=form),
        status=400,
    )


@staff_required
def promise_unanswered(request: HttpRequest, pk: int) -> HttpResponse:
    promise = selectors.promise_get_for_staff(user=request.user, pk=pk)
    return render(
        request,
        "comments/staff/unanswered.html",
        {"promise": promise, "comments": selectors.comments_without_reply(promise=promise)},
    )


def _staff_municipality(request: HttpRequest, pk: int) -> Municipality:
    return get_object_or_404(municipality_rules.staff_municipalities(request.user), pk=pk)


@staff_required
def names_remove(request: HttpRequest, municipality_pk: int) -> HttpResponse:
    """A resident asked to have their name taken off their comments: find them by name, then pick."""
    municipality = _staff_municipality(request, municipality_pk)
    if not rules.can_remove_names(request.user, municipality):
        raise PermissionDenied
    search = NameSearchForm(request.GET or None)
    comments = (
        selectors.comments_by_author_name(municipality=municipality, name=search.cleaned_data["name"])
        if search.is_valid()
        else []
    )
    status, changed = 200, None
    form = NameRemovalForm(comments=comments)
    if request.method == "POST":
        form = NameRemovalForm(request.POST, comments=comments)
        if form.is_valid():
            changed = services.comment_names_remove(
                municipality=municipality,
                comments=list(form.cleaned_data["comments"]),
                by=_user(request),
                reason=form.cleaned_data["reason"],
            )
            comments = []
            form = NameRemovalForm(comments=comments)
        else:
            status = 400
    return render(
        request,
        "comments/staff/names_remove.html",
        {
            "municipality": municipality,
            "search": search,
            "form": form,
            "comments": comments,
            "changed": changed,
        },
        status=status,
    )


@staff_required
def comment_settings(request: HttpRequest, municipality_pk: int) -> HttpResponse:
    municipality = _staff_municipality(request, municipality_pk)
    if not rules.can_moderate(request.user, municipality):
        raise PermissionDenied
    form = SettingsForm(
        request.POST or None,
        initial={"moderation_mode": selectors.moderation_mode(municipality=municipality)},
    )
    if request.method == "POST" and form.is_valid():
        services.comment_settings_set(
            municipality=municipality,
            mode=form.cleaned_data["moderation_mode"],
            by=_user(request),
        )
        return HttpResponseRedirect(reverse("comments:staff_queue"))
    return render(
        request,
        "comments/staff/settings.html",
        {"municipality": municipality, "form": form},
        status=400 if request.method == "POST" else 200,
    )
