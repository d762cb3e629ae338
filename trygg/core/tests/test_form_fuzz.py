"""Malformed submissions to every public form: no server error, no row written, a field error or a refusal.

Rate limits are switched off here (they are tested on their own in each app and below); there are no timing
traps. Honeypot fields are left empty, so each answer must be the form again with its error summary.
`make fuzz` (HYPOTHESIS_PROFILE=fuzz) runs 1,000 submissions per form, `make test` a quick 40.
"""

import datetime as dt
import os
import uuid
from collections.abc import Callable

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trygg.comments.models import Comment
from trygg.demo.reports import load_reports_demo
from trygg.meetings.models import Meeting
from trygg.promises.models import Promise
from trygg.reports.models import ReportCategory
from trygg.surveys import services as survey_services
from trygg.surveys.models import Survey
from trygg.surveys.views import _sections

EXAMPLES = 1000 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else 40
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any character a browser could send (lone surrogates cannot be encoded, so no client sends them).
ANY_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)
CONTROL_TEXT = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=31), min_size=1, max_size=20)
LONG_TEXT = st.integers(min_value=2_001, max_value=50_000).map(lambda length: "å" * length)
ODD_NUMBERS = st.sampled_from(
    ["1e309", "-1e309", "nan", "NaN", "inf", "-inf", "9" * 40, "-9" * 20, "-1", "0", "1.5", "0x10", "١٢", " "]
)
SCALAR = st.one_of(ANY_TEXT, CONTROL_TEXT, LONG_TEXT, ODD_NUMBERS, st.integers().map(str))
# A list posts the field several times: the wrong type for a single-valued field.
ANY_VALUE = st.one_of(SCALAR, st.lists(SCALAR, min_size=2, max_size=3))
NOT_A_UUID = st.one_of(ANY_TEXT.filter(lambda text: not _is_uuid(text)), st.just(""))
NOT_AN_EMAIL = st.one_of(
    ANY_TEXT.filter(lambda text: "@" not in text and text.strip() != ""), st.just("a@"), st.just("@b.se")
)
EXTRA_FIELDS = st.dictionaries(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-", min_size=1, max_size=20), ANY_TEXT, max_size=3
)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _submission(
    draw: st.DrawFn,
    *,
    fields: dict[str, st.SearchStrategy[object]],
    breakers: dict[str, st.SearchStrategy[object]],
    keep_empty: tuple[str, ...] = (),
) -> dict[str, object]:
    """Plausible or random values for some fields, extra fields, and always one field surely invalid."""
    data: dict[str, object] = {
        name: value for name, value in draw(EXTRA_FIELDS).items() if name not in fields
    }
    for name, plausible in fields.items():
        choice = draw(st.sampled_from(["plausible", "random", "missing"]))
        if choice == "plausible":
            data[name] = draw(plausible)
        elif choice == "random":
            data[name] = draw(ANY_VALUE)
    broken = draw(st.sampled_from(sorted(breakers)))
    value = draw(breakers[broken])
    if value is None:
        data.pop(broken, None)
    else:
        data[broken] = value
    for name in keep_empty:
        data[name] = ""
    return data


def _rows(*labels: str) -> int:
    return sum(
        model._default_manager.count()
        for label in labels
        for model in apps.get_app_config(label).get_models()
    )


def _refused_with_a_field_error(response, *, plain_refusals: frozenset[int] = frozenset()) -> None:
    assert response.status_code < 500
    if response.status_code in plain_refusals:
        return
    assert response.status_code in {200, 400}, response.status_code
    assert response["Content-Type"].startswith("text/html")
    assert b'class="error-summary"' in response.content
    assert "<title>Fel:" in response.content.decode()


def _post_and_check(
    client: Client, url: str, data: dict[str, object], labels: tuple[str, ...], **check
) -> None:
    before = _rows(*labels)
    response = client.post(url, data)
    _refused_with_a_field_error(response, **check)
    assert _rows(*labels) == before


@pytest.fixture
def fuzz_settings(settings, tmp_path):
    settings.RATE_LIMITS_ENABLED = False
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MAP_TILES_URL = ""
    return settings


@pytest.fixture
def promise(home_municipality, fuzz_settings) -> Promise:
    return Promise.objects.get(municipality=home_municipality, slug="2023")


@st.composite
def comment_submissions(draw: st.DrawFn) -> dict[str, object]:
    return _submission(
        draw,
        fields={
            "kommentar-author_name": st.just("Eva"),
            "kommentar-email": st.just("eva@example.se"),
            "kommentar-text": st.just("Mer belysning, tack."),
            "kommentar-submission_id": st.uuids().map(str),
        },
        breakers={
            "kommentar-text": st.one_of(
                st.none(), st.just(""), st.text(alphabet=" \t\r\n", max_size=5), LONG_TEXT, st.just("a\x00b")
            ),
            "kommentar-email": NOT_AN_EMAIL,
            "kommentar-submission_id": NOT_A_UUID,
            "kommentar-author_name": LONG_TEXT,
        },
        keep_empty=("kommentar-website",),
    )


def test_fuzzed_comment_submissions_write_nothing_and_answer_with_a_field_error(client, promise) -> None:
    url = reverse("comments:create", kwargs={"kind": "lofte", "pk": promise.pk})

    @FUZZ
    @given(data=comment_submissions())
    def submit(data: dict[str, object]) -> None:
        _post_and_check(client, url, data, ("comments",))

    submit()
    assert Comment.objects.count() == 0


@st.composite
def subscription_submissions(draw: st.DrawFn) -> dict[str, object]:
    return _submission(
        draw,
        fields={"prenumeration-email": st.just("eva@example.se")},
        breakers={
            "prenumeration-email": st.one_of(st.none(), NOT_AN_EMAIL, st.lists(NOT_AN_EMAIL, min_size=2))
        },
        keep_empty=("prenumeration-website",),
    )


def test_fuzzed_subscriptions_write_nothing_and_answer_with_a_field_error(client, promise) -> None:
    url = reverse("comments:subscribe", kwargs={"kind": "lofte", "pk": promise.pk})

    @FUZZ
    @given(data=subscription_submissions())
    def submit(data: dict[str, object]) -> None:
        _post_and_check(client, url, data, ("comments",))

    submit()


def _bad_file(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


BAD_PHOTOS = st.one_of(
    st.binary(max_size=2000).map(lambda content: [_bad_file(content, "bild.jpg")]),
    st.binary(max_size=200).map(lambda content: [_bad_file(b"\x89PNG\r\n\x1a\n" + content, "bild.png")]),
    st.binary(max_size=200).map(lambda content: [_bad_file(b"\xff\xd8\xff\xe0" + content, "bild.jpg")]),
    st.binary(max_size=200).map(
        lambda content: [_bad_file(b"RIFF\x00\x00\x00\x00WEBP" + content, "bild.webp")]
    ),
    st.just([_bad_file(b"GIF89a", f"bild{index}.gif") for index in range(4)]),
)


@st.composite
def report_submissions(draw: st.DrawFn, category_pk: int) -> dict[str, object]:
    return _submission(
        draw,
        fields={
            "category": st.just(str(category_pk)),
            "place": st.just("Stora torget"),
            "latitude": st.just("56.833"),
            "longitude": st.just("13.941"),
            "description": st.just("Lampan är trasig."),
            "reporter_name": st.just("Eva"),
            "reporter_email": st.just("eva@example.se"),
            "offensive": st.sampled_from(["on", ""]),
            "not_emergency": st.sampled_from(["on", ""]),
            "step": st.sampled_from(["", "check"]),
            "submission_id": st.uuids().map(str),
        },
        breakers={
            "category": st.one_of(st.none(), st.just(""), ODD_NUMBERS, st.just("999999"), CONTROL_TEXT),
            "description": st.one_of(st.none(), st.just(""), LONG_TEXT, st.just("a\x00b")),
            "latitude": st.one_of(
                st.sampled_from(["91", "-90.0001", "nan", "inf", "1e309", "abc"]),
                st.floats(min_value=90.0001, exclude_min=True).map(str),
            ),
            "longitude": st.one_of(
                st.sampled_from(["180.5", "-181", "NaN", "-inf", "1e309", "x"]),
                st.floats(max_value=-180.0001).map(str),
            ),
            "submission_id": NOT_A_UUID,
            "reporter_email": NOT_AN_EMAIL,
            "photos": BAD_PHOTOS,
        },
        keep_empty=("website",),
    )


def test_fuzzed_reports_write_nothing_and_answer_with_a_field_error(
    client, home_municipality, fuzz_settings
) -> None:
    load_reports_demo(home_municipality)
    url = reverse("reports:create", kwargs={"municipality": home_municipality.slug})
    category = ReportCategory.objects.filter(municipality=home_municipality).first()
    assert category is not None

    @FUZZ
    @given(data=report_submissions(category.pk))
    def submit(data: dict[str, object]) -> None:
        _post_and_check(client, url, data, ("reports",))

    submit()


@pytest.fixture
def open_survey(coordinator, home_municipality, fuzz_settings) -> tuple[Survey, str]:
    created = survey_services.survey_create(
        municipality=home_municipality,
        year=2025,
        title="Trygghetsmätning 2025",
        slug="2025",
        mode=Survey.Mode.INVITATION,
        k=10,
        languages=["en"],
        areas=["Centrum", "Landsbygd"],
        by=coordinator,
    )
    survey = survey_services.survey_set_status(survey=created, status=Survey.Status.OPEN, by=coordinator)
    [code] = survey_services.invitation_codes_generate(survey=survey, count=1, by=coordinator)
    return survey, code


def test_fuzzed_survey_codes_are_refused_with_a_field_error(client, open_survey) -> None:
    survey, code = open_survey

    @FUZZ
    @given(
        data=st.fixed_dictionaries(
            {"code": st.one_of(ANY_VALUE, LONG_TEXT, st.just(""))}, optional={"extra": ANY_TEXT}
        ).filter(lambda data: str(data["code"]).strip().upper() != code)
    )
    def submit(data: dict[str, object]) -> None:
        _post_and_check(client, survey.get_absolute_url(), data, ("surveys",))

    submit()


def _not_a_choice_of(valid: set[str]) -> Callable[[str], bool]:
    return lambda text: text != "" and text not in valid and text.strip() not in valid


def _survey_page_breakers(survey: Survey, step: int) -> tuple[dict, dict]:
    _section, _label, questions = _sections(survey, "sv")[step - 1]
    fields: dict[str, st.SearchStrategy[object]] = {"next": st.just("1")}
    breakers: dict[str, st.SearchStrategy[object]] = {}
    if step == 1:
        fields["area"] = st.sampled_from(["Centrum", "Landsbygd", "-"])
        breakers["area"] = st.one_of(
            st.none(), st.just(""), ANY_TEXT.filter(lambda text: text not in {"Centrum", "Landsbygd", "-"})
        )
    for question in questions:
        if question.kind == "text":
            fields[question.code] = ANY_TEXT.filter(lambda text: "\x00" not in text)
            breakers[question.code] = st.one_of(LONG_TEXT, st.just("a\x00b"))
        else:
            valid = {str(value) for value, _label in question.choices}
            fields[question.code] = st.sampled_from(sorted(valid))
            breakers[question.code] = st.one_of(ODD_NUMBERS, ANY_TEXT).filter(_not_a_choice_of(valid))
    return fields, breakers


def test_fuzzed_survey_pages_are_refused_with_a_field_error_and_store_no_answer(client, open_survey) -> None:
    survey, code = open_survey
    assert client.post(survey.get_absolute_url(), {"code": code}).status_code == 302
    page_count = len(_sections(survey, "sv"))
    pages = {step: _survey_page_breakers(survey, step) for step in range(1, page_count + 1)}

    @st.composite
    def page_submissions(draw: st.DrawFn) -> tuple[int, dict[str, object]]:
        step = draw(st.integers(min_value=1, max_value=page_count))
        fields, breakers = pages[step]
        return step, _submission(draw, fields=fields, breakers=breakers)

    @FUZZ
    @given(submission=page_submissions())
    def submit(submission: tuple[int, dict[str, object]]) -> None:
        step, data = submission
        data.pop("back", None)
        url = reverse("surveys:step", args=[survey.municipality.slug, survey.slug, step])
        _post_and_check(client, url, data, ("surveys",))

    submit()


@pytest.fixture
def future_meeting(home_municipality, fuzz_settings) -> Meeting:
    return Meeting.objects.create(
        municipality=home_municipality,
        kind=Meeting.Kind.DIALOGUE,
        title="Dialogmöte om centrum",
        starts_at=timezone.now() + dt.timedelta(days=10),
        place="Stadshuset",
        is_public=True,
        capacity=5,
    )


@st.composite
def signup_submissions(draw: st.DrawFn) -> dict[str, object]:
    return _submission(
        draw,
        fields={
            "name": st.just("Eva"),
            "email": st.just("eva@example.se"),
            "count": st.integers(min_value=1, max_value=5).map(str),
            "submission_id": st.uuids().map(str),
        },
        breakers={
            "count": st.one_of(
                st.none(), ODD_NUMBERS, st.integers(max_value=0).map(str), st.integers(min_value=21).map(str)
            ),
            "submission_id": NOT_A_UUID,
            "email": NOT_AN_EMAIL,
            "name": LONG_TEXT,
        },
    )


def test_fuzzed_meeting_sign_ups_write_nothing_and_answer_with_a_field_error(client, future_meeting) -> None:
    url = future_meeting.get_absolute_url()

    @FUZZ
    @given(data=signup_submissions())
    def submit(data: dict[str, object]) -> None:
        _post_and_check(client, url, data, ("meetings",))

    submit()


def test_the_fuzz_runs_1000_examples_under_the_fuzz_profile_and_40_otherwise() -> None:
    expected = 1000 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else 40
    assert FUZZ.max_examples == expected


# The guards switched off above, each on its own (those of the comment and report forms are in their apps).


def test_subscription_requests_over_the_rate_limit_get_429_and_write_nothing(
    client, promise, settings
) -> None:
    settings.RATE_LIMITS_ENABLED = True
    url = reverse("comments:subscribe", kwargs={"kind": "lofte", "pk": promise.pk})
    for number in range(5):
        client.post(url, {"prenumeration-email": f"eva{number}@example.se"})
    before = _rows("comments")

    refused = client.post(url, {"prenumeration-email": "eva9@example.se"})

    assert refused.status_code == 429
    assert _rows("comments") == before


def test_following_a_report_with_the_honeypot_filled_is_refused_and_writes_nothing(
    client, home_municipality, fuzz_settings
) -> None:
    load_reports_demo(home_municipality)
    from trygg.reports.models import Report

    report = Report.objects.get(reference="EX-LJU-S1")
    before = _rows("reports")

    response = client.post(f"{report.get_absolute_url()}folj/", {"email": "bo@example.se", "website": "x"})

    assert response.status_code == 400
    assert _rows("reports") == before


def test_meeting_sign_ups_over_the_rate_limit_get_429_and_write_nothing(client, future_meeting) -> None:
    future_meeting.capacity = None
    future_meeting.save(update_fields=["capacity"])
    with override_settings(RATE_LIMITS_ENABLED=True):
        for _ in range(10):
            client.post(future_meeting.get_absolute_url(), {"submission_id": str(uuid.uuid4()), "count": "1"})
        before = _rows("meetings")

        refused = client.post(
            future_meeting.get_absolute_url(), {"submission_id": str(uuid.uuid4()), "count": "1"}
        )

    assert refused.status_code == 429
    assert _rows("meetings") == before


def test_guessing_survey_codes_over_the_rate_limit_gets_429_even_for_the_right_code(
    client, open_survey
) -> None:
    survey, code = open_survey
    with override_settings(RATE_LIMITS_ENABLED=True):
        answers = [
            client.post(survey.get_absolute_url(), {"code": f"GISSA-{number:05d}"}).status_code
            for number in range(20)
        ]

        refused = client.post(survey.get_absolute_url(), {"code": code})

    assert set(answers) == {400}
    assert refused.status_code == 429
    assert f"surveys:draft:{survey.pk}" not in client.session
