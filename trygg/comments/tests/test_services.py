import datetime as dt
import uuid

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from trygg.audit.models import AuditEntry
from trygg.comments import services
from trygg.comments.models import ANONYMOUS, Comment, CommentContact, ModerationEvent, OfficialReply
from trygg.comments.tests.factories import CommentFactory
from trygg.municipalities.models import Party
from trygg.promises.models import Promise
from trygg.promises.tests.factories import PromiseFactory

pytestmark = pytest.mark.django_db


def _submit(target, text="Bra med fler trygghetsvandringar.", submission_id=None, email=""):
    return services.comment_submit(
        target=target,
        author_name="Eva",
        email=email,
        text=text,
        submission_id=submission_id or uuid.uuid4(),
        now=timezone.now(),
    )


def test_under_pre_moderation_a_new_comment_waits_for_review(promise: Promise) -> None:
    comment, created = _submit(promise)

    assert created
    assert comment.state == Comment.State.PENDING
    assert comment.published_at is None
    assert comment.municipality == promise.municipality
    assert comment.promise == promise


def test_under_post_moderation_a_clean_comment_is_published_at_once(
    promise: Promise, post_moderation
) -> None:
    comment, _created = _submit(promise)

    assert comment.state == Comment.State.APPROVED
    assert comment.published_at is not None
    assert not comment.reviewed


def test_under_post_moderation_a_flagged_comment_still_waits(promise: Promise, post_moderation) -> None:
    comment, _created = _submit(promise, text="Ring mig på 070-123 45 67")

    assert comment.state == Comment.State.PENDING
    assert comment.flags == ["phone"]


def test_a_threat_is_marked_urgent(promise: Promise) -> None:
    comment, _created = _submit(promise, text="Grannen hotar oss och det brinner i förrådet")

    assert comment.is_urgent
    assert "threat" in comment.flags


def test_the_same_submission_twice_creates_one_comment(promise: Promise) -> None:
    submission_id = uuid.uuid4()

    first, first_created = _submit(promise, submission_id=submission_id)
    second, second_created = _submit(promise, submission_id=submission_id)

    assert first.pk == second.pk
    assert (first_created, second_created) == (True, False)
    assert Comment.objects.count() == 1


def test_a_comment_on_a_draft_is_refused(home_municipality) -> None:
    draft = PromiseFactory.create(municipality=home_municipality, status=Promise.Status.DRAFT)

    with pytest.raises(ValidationError):
        _submit(draft)

    assert Comment.objects.count() == 0


def test_the_email_is_kept_apart_from_the_comment(promise: Promise) -> None:
    comment, _created = _submit(promise, email="eva@example.se")

    assert CommentContact.objects.get(comment=comment).email == "eva@example.se"
    assert "eva@example.se" not in str(AuditEntry.objects.filter(model="comments.comment").values())


def test_approving_records_who_when_and_publishes(promise: Promise, coordinator) -> None:
    comment, _created = _submit(promise)

    services.comment_approve(comment=comment, by=coordinator, now=timezone.now())

    comment.refresh_from_db()
    assert comment.state == Comment.State.APPROVED
    assert comment.published_at is not None
    event = comment.events.get(action=ModerationEvent.Action.APPROVED)
    assert event.actor == coordinator
    assert AuditEntry.objects.filter(
        model="comments.comment", object_id=str(comment.pk), actor=coordinator
    ).exists()


def test_rejecting_needs_a_reason_and_records_it(promise: Promise, coordinator) -> None:
    comment, _created = _submit(promise)

    with pytest.raises(ValidationError):
        services.comment_reject(comment=comment, by=coordinator, reason=" ", now=timezone.now())
    services.comment_reject(comment=comment, by=coordinator, reason="Personangrepp", now=timezone.now())

    comment.refresh_from_db()
    assert comment.state == Comment.State.REJECTED
    assert comment.events.get(action=ModerationEvent.Action.REJECTED).reason == "Personangrepp"


def test_a_crew_member_cannot_moderate_and_nothing_changes(promise: Promise, crew_member) -> None:
    comment, _created = _submit(promise)

    with pytest.raises(PermissionDenied):
        services.comment_approve(comment=comment, by=crew_member, now=timezone.now())

    comment.refresh_from_db()
    assert comment.state == Comment.State.PENDING


def test_edit_out_keeps_the_original_and_marks_the_published_text_as_edited(
    promise: Promise, coordinator
) -> None:
    comment, _created = _submit(promise, text="Ring Kalle på 070-123 45 67 om klottret.")

    services.comment_edit_out(
        comment=comment, by=coordinator, published_text="Ring Kalle på [borttaget] om klottret.", reason=""
    )

    comment.refresh_from_db()
    assert comment.original_text == "Ring Kalle på 070-123 45 67 om klottret."
    assert comment.published_text == "Ring Kalle på [borttaget] om klottret."
    assert comment.is_edited
    audit = AuditEntry.objects.get(model="comments.comment", object_id=str(comment.pk), actor=coordinator)
    assert "070" not in str(audit.changes)


def test_the_redaction_suggestion_removes_what_the_flags_found(promise: Promise) -> None:
    comment, _created = _submit(promise, text="Han bor på Storgatan 12 och snattar.")

    assert services.redaction_suggestion(comment=comment) == "Han bor på [borttaget] och snattar."


def test_three_reports_from_different_clients_hide_a_published_comment(promise: Promise) -> None:
    comment = CommentFactory.create(on=promise)

    services.comment_report(comment=comment, client_key="a")
    services.comment_report(comment=comment, client_key="a")  # the same client counts once
    services.comment_report(comment=comment, client_key="b")
    comment.refresh_from_db()
    assert comment.state == Comment.State.APPROVED
    assert comment.reports_count == 2

    services.comment_report(comment=comment, client_key="c")

    comment.refresh_from_db()
    assert comment.state == Comment.State.PENDING
    assert comment.events.filter(action=ModerationEvent.Action.REPORTED).count() == 1


def test_approving_a_reported_comment_again_resets_the_count(promise: Promise, coordinator) -> None:
    comment = CommentFactory.create(on=promise)
    for key in "abc":
        services.comment_report(comment=comment, client_key=key)

    services.comment_approve(comment=comment, by=coordinator, now=timezone.now())

    comment.refresh_from_db()
    assert (comment.state, comment.reports_count) == (Comment.State.APPROVED, 0)


def test_a_police_officer_replies_as_the_police_and_the_commenter_is_told(
    promise: Promise, police_officer, django_capture_on_commit_callbacks
) -> None:
    comment = CommentFactory.create(on=promise)
    CommentContact.objects.create(comment=comment, email="eva@example.se")
    police = Party.objects.get(kind=Party.Kind.POLICE)

    with django_capture_on_commit_callbacks(execute=True):
        reply = services.reply_create(
            comment=comment, party=police, by=police_officer, text="Vi patrullerar där."
        )

    assert reply.party == police
    assert mail.outbox[0].to == ["eva@example.se"]
    assert "Polisen" in mail.outbox[0].subject


def test_nobody_replies_for_a_party_they_do_not_belong_to(promise: Promise, police_officer) -> None:
    comment = CommentFactory.create(on=promise)
    kommun = Party.objects.get(municipality=promise.municipality, kind=Party.Kind.MUNICIPALITY)

    with pytest.raises(PermissionDenied):
        services.reply_create(comment=comment, party=kommun, by=police_officer, text="Svar")

    assert OfficialReply.objects.count() == 0


def test_removing_a_residents_name_signs_their_comments_anonym_and_is_audited(
    promise: Promise, coordinator
) -> None:
    mine = CommentFactory.create_batch(2, on=promise, author_name="Eva Ek")
    other = CommentFactory.create(on=promise, author_name="Olle")

    changed = services.comment_names_remove(
        municipality=promise.municipality,
        comments=mine,
        by=coordinator,
        reason="Bad om det per telefon 3 maj",
    )

    assert changed == 2
    assert set(Comment.objects.filter(pk__in=[c.pk for c in mine]).values_list("author_name", flat=True)) == {
        ANONYMOUS
    }
    other.refresh_from_db()
    assert other.author_name == "Olle"
    assert AuditEntry.objects.filter(model="comments.comment", actor=coordinator).count() == 2


def test_purging_deletes_only_the_old_email_addresses(promise: Promise) -> None:
    old = CommentFactory.create(on=promise)
    new = CommentFactory.create(on=promise)
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    CommentContact.objects.create(comment=old, email="old@example.se")
    CommentContact.objects.create(comment=new, email="new@example.se")

    purged = services.contact_emails_purge(older_than=timezone.now() - dt.timedelta(days=365))

    assert purged == 1
    assert list(CommentContact.objects.values_list("email", flat=True)) == ["new@example.se"]
    assert Comment.objects.count() == 2
