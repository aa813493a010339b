"""The parent journeys under load (locust), driven by ``tests/load/run.py``
against the production shape on loopback only.

Two kinds of user share the server:

- ``Visitor``: the home page and the confidentiality code, anonymous;
- ``Parent``: signs in with a password and an authenticator code (TOTP,
  pyotp), then looks at their requests and one request, their appointments,
  books an appointment and cancels it, and downloads their records when the
  request page offers a download.

Both also fetch the bare view (``/load-test/floor/``, LOAD_TEST only): the
parents' requests of it are the floor the parent pages are compared with (a
signed-in request, as theirs are); the visitors' are reported apart. Every
response is checked: a status other than the expected one, or a page without
what it should say, is a failure. The accounts come from
``tests/load/seed.py`` (LOAD_ACCOUNTS).

The first LOAD_WARM_UP seconds are a warm-up: every user starting and every
parent signing in at once (Argon2 by design: the password step alone takes
about a fifth of a second of one processor) queue everything else for several
seconds, and the web processes fill their caches (templates, URLs). The statistics are reset when it
ends, so every endpoint's percentiles come from the same steady window; what
the warm-up saw (requests and failures) is written to LOAD_WARM_UP_FILE, and
a failure in it still fails the run.
"""

import json
import os
import random
import re
import sys
import threading
import time
from urllib.parse import urlsplit

import gevent
import pyotp
from locust import HttpUser, between, events, task
from locust.exception import StopUser

sys.path.insert(0, os.path.dirname(__file__))
from names import FLOOR, FLOOR_ANONYMOUS  # noqa: E402

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# sar:download, /requests/<reference>/records/<case id>/: the request page's
# "Download your records" link.
DOWNLOAD_LINK = re.compile(r'href="(/requests/[A-Z]{3}-\d{4}-\d{5,}/records/\d+/)"')
BOOKED = re.compile(r"/appointments/(\d+)/booked/$")
CANCEL_LINK = re.compile(r'href="/appointments/(\d+)/cancel/"')
# The day and time forms' answers to a choice no longer offered
# (appointments.forms.DateForm and TimeForm).
DAY_GONE = "Select one of the days shown"
TIME_GONE = "Select one of the times shown"

ACCOUNTS = json.loads(open(os.environ["LOAD_ACCOUNTS"]).read())["accounts"]  # noqa: SIM115
_next_account = iter(ACCOUNTS)
_accounts_lock = threading.Lock()
WAIT_MIN = float(os.environ.get("LOAD_WAIT_MIN", "0.5"))
WAIT_MAX = float(os.environ.get("LOAD_WAIT_MAX", "2"))
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "0"))
SESSION_SECONDS = float(os.environ.get("LOAD_SESSION_SECONDS", "60"))
WARM_UP = float(os.environ.get("LOAD_WARM_UP", "0"))
WARM_UP_FILE = os.environ.get("LOAD_WARM_UP_FILE", "")


@events.init.add_listener
def _loopback_only(environment, **kwargs):
    host = urlsplit(environment.host or "").hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit(f"The load test only targets loopback, not {host!r}.")


_environment = None
_requests_seen = 0


@events.init.add_listener
def _keep(environment, **kwargs):
    global _environment
    _environment = environment


@events.request.add_listener
def _bounded(**kwargs):
    # A hard cap on the number of requests, on top of the run time.
    global _requests_seen
    _requests_seen += 1
    if MAX_REQUESTS and _requests_seen == MAX_REQUESTS:
        gevent.spawn(_environment.runner.quit)


@events.test_start.add_listener
def _warm_up(environment, **kwargs):
    if WARM_UP <= 0:
        return

    def end_of_warm_up():
        gevent.sleep(WARM_UP)
        stats = environment.runner.stats
        if WARM_UP_FILE:
            seen = {
                "requests": stats.total.num_requests,
                "failures": stats.total.num_failures,
                "errors": [
                    {"name": e.name, "error": str(e.error), "occurrences": e.occurrences}
                    for e in stats.errors.values()
                ],
            }
            with open(WARM_UP_FILE, "w") as out:
                json.dump(seen, out)
        stats.reset_all()

    gevent.spawn(end_of_warm_up)


def _csrf(response) -> str:
    match = CSRF.search(response.text)
    if not match:
        raise ValueError("no CSRF token on the page")
    return match.group(1)


def _radio_values(response, name: str) -> list[str]:
    return re.findall(rf'name="{name}" type="radio" value="([^"]+)"', response.text) or re.findall(
        rf'type="radio"[^>]*name="{name}"[^>]*value="([^"]+)"', response.text
    )


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(WAIT_MIN, WAIT_MAX)

    def page(self, url: str, name: str, *, expect: str | None = None, status: int | tuple = 200):
        statuses = status if isinstance(status, tuple) else (status,)
        with self.client.get(
            url, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code not in statuses:
                response.failure(f"{response.status_code}, expected {status}")
            elif expect and expect not in response.text:
                response.failure(f"the page does not say {expect!r}")
            else:
                response.success()
        return response

    def form(
        self,
        url: str,
        data: dict,
        name: str,
        *,
        csrf_from,
        redirect_to: str | None = None,
        or_page_saying: str | None = None,
    ):
        """POST a form: a redirect (to ``redirect_to``) is a success, and so
        is the form again saying ``or_page_saying`` when given."""
        data = {**data, "csrfmiddlewaretoken": _csrf(csrf_from)}
        with self.client.post(
            url,
            data=data,
            name=name,
            allow_redirects=False,
            catch_response=True,
            headers={"Referer": self.host + url},
        ) as response:
            location = response.headers.get("Location", "")
            if or_page_saying and response.status_code == 200 and or_page_saying in response.text:
                response.success()
            elif response.status_code != 302:
                response.failure(f"{response.status_code}, expected a redirect")
            elif redirect_to and not re.search(redirect_to, location):
                response.failure(f"went to {location}, expected {redirect_to}")
            else:
                response.success()
        return response

    def floor(self, name: str = FLOOR):
        self.page("/load-test/floor/", name, expect="ok")


class Visitor(PortalUser):
    weight = 1

    @task(2)
    def bare_view(self):
        self.floor(FLOOR_ANONYMOUS)

    @task(3)
    def home(self):
        self.page("/", "home (anonymous)", expect="<h1")

    @task(3)
    def code(self):
        self.page("/confidentiality-code/", "code (anonymous)", expect="<h1")


class Parent(PortalUser):
    weight = 3

    def on_start(self):
        with _accounts_lock:
            try:
                self.account = next(_next_account)
            except StopIteration:
                raise StopUser() from None
        self.totp = pyotp.TOTP(self.account["totp"])
        self.last_step = None
        # Visits of different lengths around SESSION_SECONDS: parents who all
        # started together would otherwise all sign in again together, a
        # burst of Argon2 that no steady day of traffic has.
        self.visit_seconds = SESSION_SECONDS * random.uniform(0.5, 1.5)  # noqa: S311
        self.sign_in()

    def sign_in(self):
        page = self.page("/account/sign-in/", "sign in: page")
        self.form(
            "/account/sign-in/",
            {"email": self.account["email"], "password": self.account["password"]},
            "sign in: password",
            csrf_from=page,
            redirect_to="/account/",
        )
        page = self.page("/account/verify/", "sign in: TOTP page", expect='name="code"')
        # django-otp refuses a code used before (replay): at most one sign-in
        # per 30-second step.
        self.last_step = int(time.time() // 30)
        self.signed_in_at = time.monotonic()
        self.form(
            "/account/verify/",
            {"action": "verify", "code": self.totp.now()},
            "sign in: TOTP code",
            csrf_from=page,
            redirect_to="/account/",
        )

    @task(1)
    def sign_out_and_in(self):
        # A person signs in once a visit: a new visit about every SESSION_SECONDS.
        if time.monotonic() - self.signed_in_at < self.visit_seconds:
            return
        if int(time.time() // 30) == self.last_step:
            return
        page = self.page("/account/", "account dashboard", expect="<h1")
        self.form("/account/sign-out/", {}, "sign out", csrf_from=page)
        self.sign_in()

    # As often as the parent pages read most: the floor's p95 is the
    # denominator of every ratio, so it is estimated from as many requests
    # as theirs (about 500 in 180 s; at 2 it was 160, and its p95 one of its
    # slowest 8, which one stall moved by 10 ms).
    @task(6)
    def bare_view(self):
        self.floor()

    @task(6)
    def my_requests(self):
        self.page("/requests/", "my requests", expect=self.account["requests"][0])

    @task(6)
    def a_request(self):
        reference = random.choice(self.account["requests"])  # noqa: S311
        self.page(f"/requests/{reference}/", "a request", expect=reference)

    @task(4)
    def appointments(self):
        self.page("/appointments/", "your appointments", expect="Your appointments")

    @task(2)
    def book_and_cancel(self):
        start = self.page("/appointments/book/", "book: start", status=(200, 302))
        if start.status_code == 200:
            # Already booked (the page says so): cancel it, as a person would.
            listing = self.page("/appointments/", "your appointments", expect="Your appointments")
            found = CANCEL_LINK.search(listing.text or "")
            if found:
                self.cancel(found.group(1))
            return
        page = self.page("/appointments/book/how/", "book: how")
        locations = _radio_values(page, "location")
        if not locations:
            return
        self.form(
            "/appointments/book/how/",
            {"location": locations[0]},
            "book: how (answer)",
            csrf_from=page,
        )
        page = self.page("/appointments/book/help/", "book: help")
        self.form("/appointments/book/help/", {}, "book: help (answer)", csrf_from=page)
        page = self.page("/appointments/book/day/", "book: which day")
        days = _radio_values(page, "date")
        if not days:
            return
        # Between showing the days (or times) and the answer, other parents
        # may take the last time that day (or that time): the form says so
        # and asks again, which is the service working, not an error.
        answer = self.form(
            "/appointments/book/day/",
            {"date": random.choice(days)},  # noqa: S311
            "book: which day (answer)",
            csrf_from=page,
            or_page_saying=DAY_GONE,
        )
        if answer.status_code != 302:
            return
        page = self.page("/appointments/book/time/", "book: what time")
        times = _radio_values(page, "start")
        if not times:
            return
        answer = self.form(
            "/appointments/book/time/",
            {"start": random.choice(times)},  # noqa: S311
            "book: what time (answer)",
            csrf_from=page,
            or_page_saying=TIME_GONE,
        )
        if answer.status_code != 302:
            return
        page = self.page("/appointments/book/check/", "book: check")
        # Someone else may take the time first: the page says so and asks
        # again (book/time/), which is the service working, not an error.
        made = self.form(
            "/appointments/book/check/",
            {},
            "book: confirm",
            csrf_from=page,
            redirect_to=r"/appointments/(\d+/booked|book/time)/$",
        )
        found = BOOKED.search(made.headers.get("Location", ""))
        if not found:
            return
        pk = found.group(1)
        self.page(f"/appointments/{pk}/booked/", "book: booked", expect="Appointment booked")
        self.cancel(pk)

    def cancel(self, pk: str):
        page = self.page(f"/appointments/{pk}/cancel/", "cancel: page")
        self.form(f"/appointments/{pk}/cancel/", {}, "cancel: confirm", csrf_from=page)

    @task(2)
    def download(self):
        reference = self.account["requests"][1]
        page = self.page(f"/requests/{reference}/", "a request", expect=reference)
        link = DOWNLOAD_LINK.search(page.text or "")
        if link is None:
            return  # none offered on the request page (the seed made no ready bundle)
        with self.client.get(
            link.group(1), name="download records", catch_response=True
        ) as response:
            if response.status_code != 200 or not response.content.startswith(b"%PDF"):
                response.failure(f"{response.status_code}, not a PDF")
            else:
                response.success()
