"""The load run's users (started by bench/load.sh, which sets the environment below).

Four kinds of user, by weight (20 users → 9 / 6 / 3 / 2):
- ``Viewer``: a commerce-bureau or leadership account reading its home, the district
  dashboard, the ranking, the forecast, the park and pipeline pages and the big lists
  (projects, a project search, inflows);
- ``Verifier``: a commerce-bureau account working the verification queue: GET the queue, POST
  核实 for one of its pending inflows (the real form, CSRF token and all);
- ``Clerk``: a unit-staff account of T01 submitting inflows through the real form (GET the
  form for its CSRF token, POST with a unique voucher number, follow the redirect);
- ``Prober``: an anonymous monitor polling /healthz.

Every user logs in once, with the password load.sh gave to the accounts. A login that fails
stops that user and every login after it, so a mistake can never feed django-axes a series of
wrong passwords. At the end a table of requests, failures and p95 per endpoint is printed
(healthz beside the dashboard), and the exit code is 1 on any failure.

Environment: LOAD_PASSWORD, LOAD_VIEWERS and LOAD_CLERKS (comma-separated usernames),
LOAD_PROJECT_IDS (T01's project ids), LOAD_RESULT_FILE (where the count of accepted
submissions is written, for load.sh to check against the database).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import os
import random
import re
import time
import uuid
from collections import defaultdict
from zoneinfo import ZoneInfo

from locust import HttpUser, between, events, task
from locust.exception import StopUser

PASSWORD = os.environ.get("LOAD_PASSWORD", "")
VIEWERS = [u for u in os.environ.get("LOAD_VIEWERS", "commerce,leader").split(",") if u]
CLERKS = [u for u in os.environ.get("LOAD_CLERKS", "clerk").split(",") if u]
PROJECT_IDS = [int(p) for p in os.environ.get("LOAD_PROJECT_IDS", "").split(",") if p]
RESULT_FILE = os.environ.get("LOAD_RESULT_FILE", "")

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
INFLOW_URL = re.compile(r"/projects/inflows/(\d+)/$")
VERIFY_URL = re.compile(r'action="(/projects/inflows/\d+/verify/)"')
VERIFIERS = [u for u in os.environ.get("LOAD_VERIFIERS", "commerce").split(",") if u]
ORDER = [
    "healthz",
    "dashboard",
    "home",
    "ranking",
    "forecast",
    "park",
    "pipeline",
    "project list",
    "project search",
    "inflow list",
    "verification queue",
    "verify",
    "inflow form",
    "inflow submit",
    "inflow submit confirmed",
    "inflow detail",
    "login form",
    "login",
]

_viewer_names = itertools.cycle(VIEWERS)
_clerk_names = itertools.cycle(CLERKS)
_verifier_names = itertools.cycle(VERIFIERS)
state = {"login_broken": False, "submitted": 0, "last_login": 0.0}
# name → [(start time, response time ms)], for exact percentiles over the whole run and over
# the steady state after the last login (password hashing makes logins CPU-heavy).
samples: dict[str, list[tuple[float, float]]] = defaultdict(list)


@events.request.add_listener
def _record(name, response_time, start_time=None, **_kwargs) -> None:
    samples[name].append((start_time or time.time(), response_time))


def _p95(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def _token(response) -> str | None:
    match = TOKEN.search(response.text or "")
    return match.group(1) if match else None


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(0.5, 1.5)
    username = ""

    def log_in(self, username: str) -> None:
        if state["login_broken"] or not PASSWORD:
            raise StopUser()
        with self.client.get(
            "/accounts/login/", name="login form", catch_response=True
        ) as response:
            token = _token(response)
            if response.status_code != 200 or not token:
                response.failure(f"login form: {response.status_code}, token {bool(token)}")
                state["login_broken"] = True
                raise StopUser()
        with self.client.post(
            "/accounts/login/",
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                # Stop everyone's logins: never a second wrong password for django-axes.
                state["login_broken"] = True
                response.failure(f"login as {username} refused ({response.status_code})")
                raise StopUser()
        self.username = username
        state["last_login"] = max(state["last_login"], time.time())


class Viewer(PortalUser):
    weight = 9

    def on_start(self) -> None:
        self.log_in(next(_viewer_names))

    @task(3)
    def dashboard(self) -> None:
        with self.client.get(
            "/targets/progress/", name="dashboard", catch_response=True
        ) as response:
            if response.status_code != 200 or "indicator-figures" not in response.text:
                response.failure(f"dashboard: {response.status_code}")

    @task(1)
    def ranking(self) -> None:
        with self.client.get(
            "/targets/progress/ranking/", name="ranking", catch_response=True
        ) as response:
            if response.status_code != 200 or "<table" not in response.text:
                response.failure(f"ranking: {response.status_code}")

    def _page(self, url: str, name: str, marker: str) -> None:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200 or marker not in response.text:
                response.failure(f"{name}: {response.status_code}")

    @task(1)
    def home(self) -> None:
        self._page("/", "home", "<h1")

    @task(1)
    def forecast(self) -> None:
        self._page("/targets/progress/forecast/", "forecast", "<table")

    @task(1)
    def park(self) -> None:
        self._page("/targets/progress/park/", "park", "<table")

    @task(1)
    def pipeline(self) -> None:
        self._page("/targets/progress/pipeline/", "pipeline", "<table")

    @task(2)
    def project_list(self) -> None:
        page = random.choice(("", "?page=2", "?page=3"))
        self._page(f"/projects/{page}", "project list", "list-total")

    @task(1)
    def project_search(self) -> None:
        term = f"BENCH-{random.randrange(1000):04d}"
        self._page(f"/projects/?q={term}", "project search", "list-total")

    @task(2)
    def inflow_list(self) -> None:
        page = random.choice(("", "?page=2", "?status=pending"))
        self._page(f"/projects/inflows/{page}", "inflow list", "list-total")


class Verifier(PortalUser):
    weight = 3

    def on_start(self) -> None:
        self.log_in(next(_verifier_names))

    @task
    def verify(self) -> None:
        queue = "/projects/inflows/verification/"
        with self.client.get(queue, name="verification queue", catch_response=True) as response:
            token, actions = _token(response), VERIFY_URL.findall(response.text or "")
            if response.status_code != 200 or not token:
                response.failure(f"verification queue: {response.status_code}")
                return
        if not actions:
            return  # nothing pending: nothing to verify
        with self.client.post(
            random.choice(actions),
            data={"csrfmiddlewaretoken": token, "next": queue},
            headers={"Referer": self.host + queue},
            name="verify",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # Two verifiers may pick the same inflow: the second gets a message, also a 302.
            if response.status_code != 302:
                response.failure(f"verify: {response.status_code}")


class Clerk(PortalUser):
    weight = 6

    def on_start(self) -> None:
        if not PROJECT_IDS:
            raise StopUser()
        self.log_in(next(_clerk_names))

    @task
    def submit_inflow(self) -> None:
        project = random.choice(PROJECT_IDS)
        url = f"/projects/{project}/inflows/new/"
        with self.client.get(url, name="inflow form", catch_response=True) as response:
            token = _token(response)
            if response.status_code != 200 or not token:
                response.failure(f"inflow form: {response.status_code}")
                return
        # Yesterday in the portal's time zone: never in the future, never before a signing
        # (the synthetic projects were all signed by the end of last month).
        arrived = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date() - dt.timedelta(days=1)
        data = {
            "csrfmiddlewaretoken": token,
            "arrived_on": arrived.isoformat(),
            "amount": f"{random.randint(100, 99_999) / 100:.2f}",
            "voucher_no": f"LOAD-{uuid.uuid4().hex[:16]}",
        }
        for attempt in ("inflow submit", "inflow submit confirmed"):
            with self.client.post(
                url,
                data=data,
                # multipart like the browser's form (the file input left empty)
                files={"evidence": ("", b"", "application/octet-stream")},
                headers={"Referer": self.host + url},
                name=attempt,
                allow_redirects=False,
                catch_response=True,
            ) as response:
                location = response.headers.get("Location", "")
                if response.status_code == 302 and INFLOW_URL.search(location):
                    state["submitted"] += 1
                    break
                token = _token(response)
                if attempt == "inflow submit" and 'name="confirm_large"' in response.text and token:
                    # A likely 万/亿 slip against the contract: the clerk confirms, as on screen.
                    response.success()
                    data = {**data, "csrfmiddlewaretoken": token, "confirm_large": "on"}
                    continue
                response.failure(f"{attempt}: {response.status_code} → {location!r}")
                return
        with self.client.get(location, name="inflow detail", catch_response=True) as response:
            if response.status_code != 200 or data["voucher_no"] not in response.text:
                response.failure(f"inflow detail: {response.status_code}")


class Prober(HttpUser):
    weight = 2
    wait_time = between(0.5, 1.5)

    @task
    def healthz(self) -> None:
        with self.client.get("/healthz", name="healthz", catch_response=True) as response:
            if response.status_code != 200 or '"ok"' not in response.text:
                response.failure(f"healthz: {response.status_code}")


@events.quitting.add_listener
def _summary(environment, **_kwargs) -> None:
    stats = environment.stats
    entries = {entry.name: entry for entry in stats.entries.values()}
    names = [n for n in ORDER if n in entries] + sorted(set(entries) - set(ORDER))
    steady_from = state["last_login"]

    def p95s(name: str | None) -> tuple[float, float]:
        rows = [r for n in names for r in samples[n]] if name is None else samples[name]
        return _p95([rt for _t, rt in rows]), _p95([rt for t, rt in rows if t >= steady_from])

    print()
    print("p50 and p95 ms: over the whole run, and steady (after the last login)")
    header = (
        f"{'endpoint':<18} {'requests':>8} {'failures':>8} {'p50 ms':>9} "
        f"{'p95 ms':>7} {'p95 steady':>10} {'max ms':>7}"
    )
    print(header)
    print("-" * len(header))
    for name in [*names, None]:
        entry = stats.total if name is None else entries[name]
        whole, steady = p95s(name)
        print(
            f"{'all' if name is None else name:<18} {entry.num_requests:>8} "
            f"{entry.num_failures:>8} {entry.median_response_time:>9.0f} {_ms(whole):>7} "
            f"{_ms(steady):>10} {entry.max_response_time:>7.0f}"
        )
    if "healthz" in entries and "dashboard" in entries:
        (dash, dash_steady), (health, health_steady) = p95s("dashboard"), p95s("healthz")
        print(
            f"p95 dashboard {_ms(dash)} ms beside healthz {_ms(health)} ms "
            f"(steady: {_ms(dash_steady)} ms beside {_ms(health_steady)} ms)"
        )
    for error in stats.errors.values():
        print(f"ERROR {error.occurrences}× {error.method} {error.name}: {error.error}")
    slow = [n for n in names if n not in ("login", "login form") and (p95s(n)[1] or 0) > 1000]
    print(
        "p95 steady ≤ 1000 ms for every page: "
        + ("PASS" if not slow else "FAIL (" + ", ".join(slow) + ")")
    )
    expected = ("healthz", "dashboard", "ranking", "inflow submit", "inflow list", "verify")
    missing = [n for n in expected if n not in entries]
    if missing:
        print(f"ERROR no requests for: {', '.join(missing)}")
    if RESULT_FILE:
        with open(RESULT_FILE, "w", encoding="ascii") as fh:
            fh.write(f"{state['submitted']}\n")
    if stats.total.num_failures or missing or state["login_broken"]:
        environment.process_exit_code = 1
