"""The load scenario: residents, reporters, survey respondents and staff on one municipality's site.

Run by bench/bench_load.py, which prepares the database and writes the scenario file this reads
(TRYGG_SCENARIO: the municipality, promise, activities, report categories, the open survey, a file of
one-time survey codes and staff accounts with their TOTP keys). By hand, against a server prepared the same way:

    TRYGG_SCENARIO=/tmp/…/scenario.json locust -f bench/locustfile.py --host http://127.0.0.1:8000 \
        Resident Reporter SurveyRespondent Staff

(`bench_load.py --serve` prepares and serves, and prints this command.) Name the classes: `Healthz` (the baseline)
and `PhotoReporter` (checklist item 35) are separate runs, not part of the mix.

A response counts as failed when its status is not the expected one, and also when it is a 200 that shows a
form error (`class="errorlist"` or the error summary): a form that quietly refuses input is a failure too.

Environment: BENCH_PHOTO_BYTES (size of the generated photo, default 3 MiB), BENCH_FORM_SECONDS (time a person
takes to fill in a form between loading and sending it, default 3), BENCH_POSTS_PER_USER_PER_SECOND (the
PhotoReporter's pace, default 0.25), BENCH_CA_BUNDLE (a certificate file to trust over HTTPS), BENCH_LOOPBACK_CLIENTS
(1: each visitor from its own loopback address, as the cluster drill runs it with its rate limits on).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gevent
from benchresults import phone_photo
from locust import HttpUser, between, constant_throughput, events, task
from locust.clients import LocustHttpAdapter
from locust.exception import StopUser
from urllib3 import PoolManager

SCENARIO: dict[str, Any] = json.loads(Path(os.environ["TRYGG_SCENARIO"]).read_text(encoding="utf-8"))
MUNICIPALITY = SCENARIO["municipality"]
PROMISE = SCENARIO["promise"]
FORM_SECONDS = float(os.environ.get("BENCH_FORM_SECONDS", "3"))
PHOTO_BYTES = int(os.environ.get("BENCH_PHOTO_BYTES", str(3 * 1024 * 1024)))
ERROR_MARKERS = ('class="errorlist', 'class="error-summary')
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The report form's hidden fields a post sends back: its submission id and the signed time it was shown.
HIDDEN_RE = re.compile(r'<input type="hidden" name="(submission_id|form_started)" value="([^"]*)"')
RADIO_RE = re.compile(r'<input type="radio" name="([^"]+)" value="([^"]*)"')
# Ljungby's town and surroundings: posts spread over it rarely land near an open report of the same kind.
LATITUDES, LONGITUDES = (56.80, 56.87), (13.86, 14.02)


def _codes() -> Iterator[str]:
    with open(SCENARIO["codes_file"], encoding="utf-8") as codes:
        yield from (line.strip() for line in codes if line.strip())


# One code per respondent; gevent switches only at I/O, so next() on a shared iterator hands out each once.
# Earlier runs on the same database used the first BENCH_CODES_SKIP codes; how many this run used is written
# to BENCH_CODES_USED at the end.
CODES = itertools.islice(_codes(), int(os.environ.get("BENCH_CODES_SKIP", "0")), None)
codes_used = 0


@events.quitting.add_listener
def _write_codes_used(**_kwargs: object) -> None:
    target = os.environ.get("BENCH_CODES_USED")
    if target:
        Path(target).write_text(str(codes_used), encoding="utf-8")


# Each run starts at another account (BENCH_STAFF_OFFSET): a TOTP code is accepted once per account, and two runs
# may log in within the same 30-second step.
STAFF_ACCOUNTS = itertools.islice(
    itertools.cycle(SCENARIO["staff"]),
    int(os.environ.get("BENCH_STAFF_OFFSET", "0")) % len(SCENARIO["staff"]),
    None,
)
_photo: bytes | None = None


def photo() -> bytes:
    """The report's photo: the file bench_load.py made, or one made here (seconds of CPU, once per process)."""
    global _photo
    if _photo is None:
        made = SCENARIO.get("photo_file")
        _photo = Path(made).read_bytes() if made else phone_photo(PHOTO_BYTES)
    return _photo


def check(response: Any, *, expect: int = 200) -> str:
    """Mark a `catch_response` response failed or passed; returns its text."""
    text = response.text or ""
    if response.status_code != expect:
        response.failure(f"status {response.status_code}")
    elif any(marker in text for marker in ERROR_MARKERS):
        response.failure("200 with a form error")
    else:
        response.success()
    return text


# With BENCH_LOOPBACK_CLIENTS=1 each simulated visitor connects from its own loopback address (127.2.x.y; Linux
# answers the whole of 127.0.0.0/8 on lo), so that the per-client rate limits see many residents, not one.
LOOPBACK_CLIENTS = os.environ.get("BENCH_LOOPBACK_CLIENTS") == "1"
_client_numbers = itertools.count()


class TryggUser(HttpUser):
    """Every visitor; over HTTPS with a self-signed certificate (the cluster drill's nginx) it trusts the file
    BENCH_CA_BUNDLE names, since Locust's client does not read REQUESTS_CA_BUNDLE."""

    abstract = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if os.environ.get("BENCH_CA_BUNDLE"):
            self.client.verify = os.environ["BENCH_CA_BUNDLE"]
        if LOOPBACK_CLIENTS:
            number = next(_client_numbers)
            pool = PoolManager(source_address=(f"127.2.{number // 250}.{number % 250 + 1}", 0))
            for scheme in ("https://", "http://"):
                self.client.mount(scheme, LocustHttpAdapter(pool_manager=pool))


def origin(user: HttpUser) -> dict[str, str]:
    """The Origin header a browser sends with a form post; Django's CSRF check over HTTPS needs it (or a Referer)."""
    return {"Origin": user.host or ""}


def csrf_token(text: str) -> str:
    found = CSRF_RE.search(text)
    return found.group(1) if found else ""


class Resident(TryggUser):
    """Reads the promise: the municipality page, the promise, its activities and the map of reports."""

    weight = 20
    wait_time = between(1, 5)

    def get(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, catch_response=True) as response:
            return check(response)

    @task(3)
    def municipality_page(self) -> None:
        self.get(f"/{MUNICIPALITY}/", "/[kommun]/")

    @task(4)
    def promise_page(self) -> None:
        self.get(f"/{MUNICIPALITY}/{PROMISE}/", "/[kommun]/[löfte]/")

    @task(3)
    def activity_page(self) -> None:
        activity = random.choice(SCENARIO["activities"])
        self.get(f"/{MUNICIPALITY}/{PROMISE}/aktivitet/{activity}/", "/[kommun]/[löfte]/aktivitet/[id]/")

    @task(2)
    def report_map(self) -> None:
        self.get(f"/{MUNICIPALITY}/felanmalan/karta/", "/[kommun]/felanmalan/karta/")
        # The map page's script then fetches the reports in view.
        self.get(f"/{MUNICIPALITY}/felanmalan/karta.geojson", "/[kommun]/felanmalan/karta.geojson")


class Healthz(TryggUser):
    """The baseline: the cheapest request that still reaches the application and its database."""

    weight = 1  # never mixed in: bench_load.py names the classes of each run
    wait_time = between(1, 5)

    @task
    def health(self) -> None:
        with self.client.get("/healthz", name="/healthz", catch_response=True) as response:
            check(response)


class Reporter(TryggUser):
    """Opens the report form, takes a moment to fill it in, and sends a report with a photo."""

    weight = 2
    wait_time = between(5, 15)

    def on_start(self) -> None:
        photo()

    @task
    def report(self) -> None:
        url = f"/{MUNICIPALITY}/felanmalan/"
        with self.client.get(url, name="/[kommun]/felanmalan/", catch_response=True) as response:
            text = check(response)
        token, hidden = csrf_token(text), dict(HIDDEN_RE.findall(text))
        if not token or "submission_id" not in hidden:
            return
        gevent.sleep(FORM_SECONDS)
        fields = {
            "csrfmiddlewaretoken": token,
            "category": str(random.choice(SCENARIO["categories"])),
            "latitude": f"{random.uniform(*LATITUDES):.6f}",
            "longitude": f"{random.uniform(*LONGITUDES):.6f}",
            "description": "Gatlampan vid gång- och cykelvägen har varit släckt i en vecka.",
            **hidden,
            "website": "",
        }
        with self.client.post(
            url,
            data=fields,
            files={"photos": ("bild.jpg", photo(), "image/jpeg")},
            headers=origin(self),
            name="POST /[kommun]/felanmalan/ (photo)",
            catch_response=True,
        ) as response:
            text = check(response)
            filed = bool(response.history)
        if filed or response.status_code != 200:
            return
        # The duplicate check: an open report of the same kind is near. The person sends it anyway.
        gevent.sleep(FORM_SECONDS)
        with self.client.post(
            url,
            data={**fields, "csrfmiddlewaretoken": csrf_token(text) or token, "step": "check"},
            headers=origin(self),
            name="POST /[kommun]/felanmalan/ (after the duplicate check)",
            catch_response=True,
        ) as response:
            check(response)
            if not response.history and response.status_code == 200:
                response.failure("the report was not filed after the duplicate check")


class PhotoReporter(Reporter):
    """Checklist item 35: report posts with a 3 MB photo at a steady pace (BENCH_POSTS_PER_USER_PER_SECOND)."""

    weight = 1  # never mixed in: bench_load.py names the classes of each run
    wait_time = constant_throughput(float(os.environ.get("BENCH_POSTS_PER_USER_PER_SECOND", "0.25")))


class SurveyRespondent(TryggUser):
    """Redeems a one-time code and answers the safety survey page by page."""

    weight = 3
    wait_time = between(5, 15)

    @task
    def answer(self) -> None:
        global codes_used
        code = next(CODES, None)
        if code is None:
            raise StopUser
        codes_used += 1
        base = f"/{MUNICIPALITY}/trygghetsmatning/{SCENARIO['survey']}/"
        with self.client.get(
            base, name="/[kommun]/trygghetsmatning/[mätning]/", catch_response=True
        ) as response:
            text = check(response)
        gevent.sleep(FORM_SECONDS)
        with self.client.post(
            base,
            data={"csrfmiddlewaretoken": csrf_token(text), "code": code},
            headers=origin(self),
            name="POST /[kommun]/trygghetsmatning/[mätning]/ (code)",
            catch_response=True,
        ) as response:
            text = check(response)
        for _step in range(20):
            if not response.url or "/fragor/" not in response.url:
                break
            answers: dict[str, str] = {}
            for name, value in RADIO_RE.findall(text):
                # Each question's first choice or another, as people answer.
                if name not in answers or random.random() < 0.3:
                    answers[name] = value
            gevent.sleep(FORM_SECONDS)
            with self.client.post(
                response.url,
                data={"csrfmiddlewaretoken": csrf_token(text), **answers},
                headers=origin(self),
                name="POST /[kommun]/trygghetsmatning/[mätning]/fragor/[steg]/",
                catch_response=True,
            ) as response:
                text = check(response)
        if not response.url or not response.url.endswith("/tack/"):
            self.environment.events.request.fire(
                request_type="SURVEY",
                name="survey answered to the end",
                response_time=0,
                response_length=0,
                exception=RuntimeError(f"the survey ended at {response.url}"),
                context={},
            )


class Staff(TryggUser):
    """A coordinator who logs in with password and TOTP and records what was done."""

    fixed_count = 2
    wait_time = between(5, 20)

    def on_start(self) -> None:
        # Imported here: django_otp touches Django's settings, which must not happen before locust's gevent patching.
        from django_otp.oath import totp

        account = next(STAFF_ACCOUNTS)
        login = "/personal/logga-in/"
        with self.client.get(login, name=login, catch_response=True) as response:
            text = check(response)
        token = f"{totp(bytes.fromhex(account['totp_key'])):06d}"
        with self.client.post(
            login,
            data={
                "csrfmiddlewaretoken": csrf_token(text),
                "username": account["username"],
                "password": account["password"],
                "otp_token": token,
            },
            headers=origin(self),
            name=f"POST {login}",
            catch_response=True,
        ) as response:
            check(response)
            if response.url and "logga-in" in response.url:
                response.failure("the login did not succeed")

    def get(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, catch_response=True) as response:
            text = check(response)
            if response.url and "logga-in" in response.url:
                response.failure("sent to the login page")
        return text

    @task(2)
    def my_activities(self) -> None:
        self.get("/personal/aktiviteter/", "/personal/aktiviteter/")

    @task(1)
    def record_execution(self) -> None:
        activity = random.choice(SCENARIO["activities"])
        page = f"/personal/aktiviteter/{activity}/"
        text = self.get(page, "/personal/aktiviteter/[id]/")
        gevent.sleep(FORM_SECONDS)
        with self.client.post(
            f"{page}utforande/",
            data={
                "csrfmiddlewaretoken": csrf_token(text),
                "done_on": dt.date.today().isoformat(),
                "description": f"Trygghetsvandring i centrum med tolv deltagare ({uuid.uuid4().hex[:6]}).",
                "count": "1",
                "participants": "12",
            },
            headers=origin(self),
            name="POST /personal/aktiviteter/[id]/utforande/",
            catch_response=True,
        ) as response:
            check(response)
            if response.url and "logga-in" in response.url:
                response.failure("sent to the login page")
