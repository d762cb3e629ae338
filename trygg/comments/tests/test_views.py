import html5lib
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trygg.comments.models import Comment, CommentContact
from trygg.comments.tests.factories import CommentFactory, ReplyFactory
from trygg.municipalities.models import Party
from trygg.promises.models import Activity, Promise

pytestmark = pytest.mark.django_db


def _parse(content: bytes) -> object:
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(content)


def _create_url(target) -> str:
    key = {"promise": "lofte", "focusarea": "fokusomrade", "activity": "aktivitet"}[target._meta.model_name]
    return reverse("comments:create", kwargs={"kind": key, "pk": target.pk})


def _targets(promise: Promise) -> list:
    focus_area = promise.focus_areas.first()
    assert focus_area is not None
    return [promise, focus_area, focus_area.activities.first()]


def _every_public_view(client: Client, promise: Promise) -> str:
    """Every page, feed, API answer and export that shows comments, as one string."""
    municipality, slug = promise.municipality.slug, promise.slug
    urls = [target.get_absolute_url() for target in _targets(promise)] + [
        reverse("comments:promise_comments", kwargs={"municipality": municipality, "promise": slug}),
        reverse("comments:promise_feed", kwargs={"municipality": municipality, "promise": slug}),
        reverse("comments:promise_csv", kwargs={"municipality": municipality, "promise": slug}),
        f"/api/municipalities/{municipality}/promises/{slug}/comments",
    ]
    contents = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        contents.append(response.content.decode())
    return "\n".join(contents)


def test_the_comment_form_is_on_its_own_page_behind_kommentera_on_the_promise_focus_area_and_activity_pages(
    client: Client, promise: Promise
) -> None:
    for target in _targets(promise):
        commented = client.get(target.get_absolute_url()).content.decode()
        page = client.get(_create_url(target)).content.decode()

        assert f'href="{_create_url(target)}"' in commented and "<form" not in commented.split("</main>")[0]
        assert f'action="{_create_url(target)}"' in page
        assert "allmän handling" in page
        assert "publiceras först när den har granskats" in page


def test_the_pages_with_comments_are_valid_html_with_one_h1(client: Client, promise: Promise) -> None:
    for target in _targets(promise):
        ReplyFactory.create(comment=CommentFactory.create(on=target), party=Party.objects.get(kind="police"))
    for target in _targets(promise):
        document = _parse(client.get(target.get_absolute_url()).content)
        assert len(document.findall(".//h1")) == 1  # type: ignore[attr-defined]
    _parse(client.get(reverse("comments:promise_comments", args=["ljungby", "2023"])).content)


def test_a_resident_comments_and_is_told_it_will_be_reviewed(
    client: Client, promise: Promise, comment_data
) -> None:
    response = client.post(_create_url(promise), comment_data())

    assert response.status_code == 302
    assert response["Location"] == f"{promise.get_absolute_url()}?kommentar=granskas#kommentarer-tack"
    comment = Comment.objects.get()
    assert comment.state == Comment.State.PENDING
    assert comment.author_name == "Eva"
    assert CommentContact.objects.get().email == "eva@example.se"
    assert "visas här när den har granskats" in client.get(response["Location"]).content.decode()


def test_under_pre_moderation_nothing_unapproved_appears_anywhere(
    client: Client, promise: Promise, comment_data
) -> None:
    for target in _targets(promise):
        client.post(_create_url(target), comment_data(text=f"Ej granskad text om {target.pk}"))
    assert Comment.objects.filter(state=Comment.State.PENDING).count() == 3

    everything = _every_public_view(client, promise)

    assert "Ej granskad text" not in everything


@pytest.mark.parametrize("mode", ["pre", "post"])
@pytest.mark.parametrize("state", [Comment.State.REJECTED, Comment.State.HIDDEN, Comment.State.PENDING])
def test_under_either_mode_nothing_rejected_or_hidden_appears_anywhere(
    client: Client, promise: Promise, mode: str, state: str
) -> None:
    from trygg.comments.models import CommentSettings

    CommentSettings.objects.create(municipality=promise.municipality, moderation_mode=mode)
    for target in _targets(promise):
        CommentFactory.create(on=target, state=state, published_text=f"Syns inte {state}")
        CommentFactory.create(on=target, published_text="Den här syns")

    everything = _every_public_view(client, promise)

    assert f"Syns inte {state}" not in everything
    assert "Den här syns" in everything


def test_an_email_address_never_appears_anywhere_public(client: Client, promise: Promise) -> None:
    for target in _targets(promise):
        comment = CommentFactory.create(on=target)
        CommentContact.objects.create(comment=comment, email="hemlig@example.se")

    assert "hemlig@example.se" not in _every_public_view(client, promise)


def test_under_post_moderation_a_clean_comment_shows_at_once(
    client: Client, promise: Promise, comment_data, post_moderation
) -> None:
    response = client.post(_create_url(promise), comment_data(text="Tack för de nya lamporna!"))

    assert "kommentar=publicerad" in response["Location"]
    assert "Tack för de nya lamporna!" in _every_public_view(client, promise)


def test_html_and_links_are_shown_as_text(client: Client, promise: Promise) -> None:
    CommentFactory.create(
        on=promise, published_text='<script>alert(1)</script> se <a href="https://x.se">x</a>'
    )

    page = client.get(promise.get_absolute_url()).content.decode()
    feed = client.get(reverse("comments:promise_feed", args=["ljungby", "2023"])).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<a href="https://x.se">' not in page
    assert "<script>" not in feed and "&lt;script&gt;" not in feed.replace("&amp;lt;script&amp;gt;", "")


def test_the_honeypot_writes_nothing(client: Client, promise: Promise, comment_data) -> None:
    response = client.post(_create_url(promise), comment_data(**{"kommentar-website": "http://spam.example"}))

    assert response.status_code == 302
    assert Comment.objects.count() == 0


def test_over_the_rate_limit_the_answer_is_429_and_nothing_is_written(
    client: Client, promise: Promise, comment_data
) -> None:
    for _attempt in range(5):
        assert client.post(_create_url(promise), comment_data()).status_code == 302

    response = client.post(_create_url(promise), comment_data(text="Den sjätte"))

    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/plain")
    assert Comment.objects.count() == 5
    assert not Comment.objects.filter(original_text="Den sjätte").exists()


def test_a_double_submit_creates_one_comment(client: Client, promise: Promise, comment_data) -> None:
    data = comment_data()

    client.post(_create_url(promise), data)
    client.post(_create_url(promise), data)

    assert Comment.objects.count() == 1


def test_an_invalid_comment_is_shown_again_with_errors_and_writes_nothing(
    client: Client, promise: Promise, comment_data
) -> None:
    response = client.post(_create_url(promise), comment_data(text="   "))

    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    _parse(response.content)
    assert Comment.objects.count() == 0


def test_a_draft_promise_cannot_be_commented(client: Client, promise: Promise, comment_data) -> None:
    Promise.objects.filter(pk=promise.pk).update(status=Promise.Status.DRAFT)

    assert client.post(_create_url(promise), comment_data()).status_code == 404
    assert Comment.objects.count() == 0


def test_a_target_outside_the_allow_list_cannot_be_commented(client: Client, comment_data) -> None:
    content_type = ContentType.objects.get_for_model(Party)
    response = client.post(f"/kommentera/part/{content_type.pk}/", comment_data())

    assert response.status_code == 404


def test_three_residents_reporting_a_comment_hide_it(promise: Promise) -> None:
    comment = CommentFactory.create(on=promise, published_text="En elak kommentar")
    url = reverse("comments:report", kwargs={"pk": comment.pk})

    for address in ["10.0.0.1", "10.0.0.2", "10.0.0.3"]:
        response = Client(REMOTE_ADDR=address).post(url)
        assert response.status_code == 302

    comment.refresh_from_db()
    assert comment.state == Comment.State.PENDING
    assert "En elak kommentar" not in Client().get(promise.get_absolute_url()).content.decode()


def test_the_comment_sections_query_count_does_not_grow_with_comments(
    client: Client, promise: Promise
) -> None:
    police = Party.objects.get(kind="police")
    ReplyFactory.create(comment=CommentFactory.create(on=promise), party=police)
    url = promise.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for comment in CommentFactory.create_batch(15, on=promise):
        ReplyFactory.create(comment=comment, party=police)

    with CaptureQueriesContext(connection) as after:
        response = client.get(url)

    assert response.content.decode().count('class="comment"') == 16
    assert len(after) == len(before)


def test_the_promise_comments_page_and_api_need_few_queries(
    client: Client, promise: Promise, django_assert_max_num_queries
) -> None:
    police = Party.objects.get(kind="police")
    for target in _targets(promise):
        for comment in CommentFactory.create_batch(5, on=target):
            ReplyFactory.create(comment=comment, party=police)

    with django_assert_max_num_queries(8):
        client.get(reverse("comments:promise_comments", args=["ljungby", "2023"]))
    with django_assert_max_num_queries(8):
        response = client.get("/api/municipalities/ljungby/promises/2023/comments")
    assert response.json()["count"] == 15


def test_the_api_and_export_hold_no_email_field(client: Client, promise: Promise) -> None:
    CommentFactory.create(on=promise)

    item = client.get("/api/municipalities/ljungby/promises/2023/comments").json()["items"][0]
    header = (
        client.get(reverse("comments:promise_csv", args=["ljungby", "2023"])).content.decode().splitlines()[0]
    )

    assert not any("mail" in key for key in item)
    assert "mail" not in header


def test_the_feed_is_atom(client: Client, promise: Promise) -> None:
    CommentFactory.create(on=promise, author_name="Eva", published_text="Bra jobbat")

    response = client.get(reverse("comments:promise_feed", args=["ljungby", "2023"]))

    assert response["Content-Type"].startswith("application/atom+xml")
    assert "Bra jobbat" in response.content.decode()


def test_the_feed_is_valid_atom_whose_entry_updates_when_an_official_reply_arrives(
    client: Client, promise: Promise, settings
) -> None:
    from trygg.core.tests.formats import assert_atom_rfc4287

    settings.SITE_URL = "https://trygg.example.se"
    settings.ALLOWED_HOSTS = ["testserver", "annat-namn.example"]  # a second name the site answers to
    activity = Activity.objects.filter(focus_area__promise=promise).order_by("pk").first()
    assert activity is not None
    comment = CommentFactory.create(on=activity, author_name="", published_text="Bra jobbat")
    CommentFactory.create(on=promise, author_name="Eva", published_text="Tack")
    feed_url = reverse("comments:promise_feed", args=["ljungby", "2023"])
    before = {
        entry.title: entry.updated_parsed for entry in assert_atom_rfc4287(client.get(feed_url).content)
    }

    ReplyFactory.create(comment=comment, party=Party.objects.filter(kind="police").first())
    response = client.get(feed_url, HTTP_HOST="annat-namn.example")

    entries = assert_atom_rfc4287(response.content)
    after = {entry.title: entry for entry in entries}
    reply_title = next(title for title in after if activity.text[:20] in title)
    assert after[reply_title].updated_parsed > before[reply_title]
    assert after[reply_title].author == "anonym"
    assert all(entry.link.startswith("https://trygg.example.se/") for entry in entries)
    assert "annat-namn" not in response.content.decode()


def test_formula_text_in_comments_is_neutralised_in_both_csv_variants(
    client: Client, promise: Promise
) -> None:
    import csv
    import io

    formulas = [
        '=HYPERLINK("http://x.se","klicka")',
        "@SUM(A1:A2)",
        "-2+3+cmd|' /C calc'!A0",
        "+1+1",
        "\tx",
        "\rx",
    ]
    for text in formulas:
        CommentFactory.create(on=promise, author_name="=1+1", published_text=text)
    url = reverse("comments:promise_csv", args=["ljungby", "2023"])

    plain = list(csv.reader(io.StringIO(client.get(url).content.decode())))
    excel_body = client.get(url + "?excel=1").content.decode("utf-8")
    excel = list(csv.reader(io.StringIO(excel_body.removeprefix("\ufeff")), delimiter=";"))

    assert excel_body.startswith("\ufeff")
    for rows in (plain, excel):
        cells = [cell for row in rows[1:] for cell in row]
        assert not [cell for cell in cells if cell[:1] in {"=", "+", "-", "@", "\t", "\r"}]
        assert {f"'{text}" for text in formulas} <= set(cells)
