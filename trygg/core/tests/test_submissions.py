"""A staff form posted twice makes its thing once (trygg/core/submissions.py)."""

import itertools
import time
import uuid
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.test import RequestFactory

from trygg.core import submissions
from trygg.core.submissions import PENDING, once_per_form


class Counting:
    """A view that counts its runs and redirects, or answers 400 while `refuse` is set."""

    def __init__(self, refuse: bool = False) -> None:
        self.runs = 0
        self.refuse = refuse

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.runs += 1
        if self.refuse:
            return HttpResponse("errors", status=400)
        return HttpResponseRedirect(f"/made/{self.runs}/")


@pytest.fixture(autouse=True)
def cache(monkeypatch) -> LocMemCache:
    # A cache of this test's own that other threads may write to (the database cache's table is held by the
    # test's transaction).
    own = LocMemCache(f"submissions-{uuid.uuid4()}", {})
    monkeypatch.setattr(submissions, "caches", {"default": own})
    return own


def _post(data: dict[str, str]) -> HttpRequest:
    return RequestFactory().post("/personal/moten/ny/ljungby/", data)


def test_the_same_filled_in_form_runs_once_and_the_second_post_goes_where_the_first_went() -> None:
    counting = Counting()
    view = once_per_form(counting)
    data = {"csrfmiddlewaretoken": "a" * 64, "title": "Dialogmöte"}

    first, second = view(_post(data)), view(_post(data))

    assert counting.runs == 1
    assert first["Location"] == second["Location"] == "/made/1/"


def test_another_rendering_of_the_form_or_other_fields_run_again() -> None:
    counting = Counting()
    view = once_per_form(counting)

    view(_post({"csrfmiddlewaretoken": "a" * 64, "title": "Dialogmöte"}))
    view(_post({"csrfmiddlewaretoken": "b" * 64, "title": "Dialogmöte"}))
    view(_post({"csrfmiddlewaretoken": "a" * 64, "title": "Dialogmöte i Lagan"}))

    assert counting.runs == 3


def test_a_form_that_came_back_with_errors_is_forgotten_so_it_can_be_sent_again() -> None:
    counting = Counting(refuse=True)
    view = once_per_form(counting)
    data = {"csrfmiddlewaretoken": "a" * 64, "title": ""}

    assert view(_post(data)).status_code == 400
    assert view(_post(data)).status_code == 400
    assert counting.runs == 2


def test_posts_without_a_csrf_field_are_not_guarded() -> None:
    counting = Counting()
    view = once_per_form(counting)

    view(_post({"title": "Dialogmöte"}))
    view(_post({"title": "Dialogmöte"}))

    assert counting.runs == 2


def test_a_second_post_while_the_first_runs_waits_for_its_answer(cache: LocMemCache, monkeypatch) -> None:
    counting = Counting()
    view = once_per_form(counting)
    request = _post({"csrfmiddlewaretoken": "a" * 64, "title": "Dialogmöte"})
    key = submissions._post_key(request)
    assert key is not None
    cache.set(key, PENDING, 60)  # as the first post leaves it while it runs
    waits: list[float] = []

    def first_answers_during_the_third_wait(seconds: float) -> None:
        # The first post, in another process, redirects while this one waits (no thread: a test clock may stand).
        waits.append(seconds)
        if len(waits) == 3:
            cache.set(key, "/made/by-the-first/", 60)

    monkeypatch.setattr(submissions, "time", SimpleNamespace(sleep=first_answers_during_the_third_wait))

    response = view(request)

    assert counting.runs == 0
    assert len(waits) == 3
    assert response["Location"] == "/made/by-the-first/"


def test_a_cache_that_does_not_answer_lets_every_post_through(monkeypatch) -> None:
    counting = Counting()
    view = once_per_form(counting)
    down = mock.Mock(add=mock.Mock(return_value=False), get=mock.Mock(return_value=None))
    monkeypatch.setattr(submissions, "caches", {"default": down})
    data = {"csrfmiddlewaretoken": "a" * 64, "title": "Dialogmöte"}

    view(_post(data))
    view(_post(data))

    assert counting.runs == 2


def test_a_first_post_that_never_answers_lets_the_second_through_even_when_the_clock_stands_still(
    cache: LocMemCache, monkeypatch
) -> None:
    counting = Counting()
    view = once_per_form(counting)
    monkeypatch.setattr(submissions, "WAIT_SECONDS", 0.2)
    monkeypatch.setattr(submissions, "POLL_SECONDS", 0.01)
    request = _post({"csrfmiddlewaretoken": "a" * 64, "title": "Dialogmöte"})
    key = submissions._post_key(request)
    assert key is not None
    cache.set(key, PENDING, 60)  # the first post's process was killed while it ran
    readings = itertools.count()

    def standing_clock() -> float:
        assert next(readings) < 1000, "the wait reads a clock that stands still, for ever"
        return 0.0

    # The clock as libfaketime's absolute time gives it: standing, the monotonic one too.
    monkeypatch.setattr(submissions, "time", SimpleNamespace(sleep=time.sleep, monotonic=standing_clock))
    response = view(request)

    assert counting.runs == 1
    assert response["Location"] == "/made/1/"
