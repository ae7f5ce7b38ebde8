"""A realistic mix of readers against the production shape, for minutes (not run by CI).

Starts `make cluster`'s shape (deploy/cluster.py: nginx → 3 gunicorn processes of 2
workers, the task worker and the scheduler) over its own PostgreSQL database and Redis
DB, with a fake Stripe API in this process for the webhooks, then runs for --duration
seconds (default 600):

  ~70 %  anonymous readers: free articles and the home page without a cookie (what
         nginx's micro-cache answers), metered articles with a reader cookie
  ~20 %  logged-in readers: registered readers on metered articles, subscribers on
         subscribers-only articles
  ~10 %  subscribers posting comments (within the 5-second and hourly limits) and
         readers logging in with their password
  and    one Stripe webhook a second, signed with the Stripe SDK's own scheme.

Each simulated reader comes from an address of its own (X-Forwarded-For, believed from
nginx: TRUSTED_PROXIES=127.0.0.1), as real readers do.

It reports, per kind of request: count, errors, p50 and p99; the X-Cache-Status of the
anonymous free pages; the resident memory (RSS) of every process of the shape at the
start (after a warm-up) and at the end; and, measured in the same run while the mix is
running, the rate nginx answers a free article from its micro-cache against its own rate
for a static file (wrk, 10 s each; target >= 0.5).

Why not locust: it is not in the project's environment, and this needs no more than a
client per thread with keep-alive; wrk measures the two raw rates, which a Python client
cannot reach.

Environment: LOAD_DATABASE_URL (postgres://postgres@127.0.0.1:5432/masthead_load; dropped
and re-created), LOAD_REDIS_URL (redis://127.0.0.1:6379/14; flushed), LOAD_PORT (a free
port). Exit status 1 when any request failed.

    .venv/bin/python bench/load.py --duration 600 [--rate 120] [--threads 24]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deploy.cluster import Cluster, free_port  # noqa: E402
from tests.support.fake_stripe import FakeStripe, event, new_id, sign  # noqa: E402

DATABASE_URL = os.environ.get(
    "LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/masthead_load"
)
REDIS_URL = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/14")
STRIPE_KEY = "sk_test_masthead_load"
STRIPE_SECRET = "whsec_test_masthead_load"  # noqa: S105 - the fake Stripe's, made up
PRICE = "price_test_monthly"
SUBSCRIBERS = 60
REGISTERED = 12
PASSWORD = "load-test pass phrase 7"  # noqa: S105 - the load readers', made up
# (kind, weight): about 70 % anonymous, 20 % logged in, 10 % comments and logins.
MIX = [
    ("anonymous free article", 35),
    ("anonymous home", 15),
    ("anonymous metered", 20),
    ("registered metered", 10),
    ("subscriber article", 10),
    ("comment", 6),
    ("login", 4),
]


# ---------------------------------------------------------------- the readers, made in the DB


def make_readers(out: str) -> None:
    """Run inside the cluster's environment (``load.py _readers OUT``)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    import django

    django.setup()
    from datetime import timedelta
    from importlib import import_module

    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from masthead.billing.models import Plan, Subscription, SubscriptionStatus
    from masthead.content.models import ArticlePage

    Plan.objects.filter(name="Monthly").update(stripe_price_id=PRICE, active=True)
    store = import_module(settings.SESSION_ENGINE).SessionStore
    hashed = make_password(PASSWORD)

    def reader(kind: str, n: int, *, paid: bool):
        email = f"load-{kind}-{n}@example.org"
        user = get_user_model().objects.create(
            username=f"load-{kind}-{n}", email=email, first_name=f"Reader {n}", password=hashed
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        if paid:
            Subscription.objects.create(
                user=user,
                plan=Plan.objects.get(name="Monthly"),
                status=SubscriptionStatus.ACTIVE,
                current_period_end=timezone.now() + timedelta(days=30),
            )
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        return {"email": email, "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}"}

    def path(page) -> str:
        return urlsplit(page.get_url()).path

    articles = ArticlePage.objects.live()
    stripe_reader = get_user_model().objects.create(username="load-stripe", email="s@example.org")
    Path(out).write_text(
        json.dumps(
            {
                "subscribers": [reader("subscriber", n, paid=True) for n in range(SUBSCRIBERS)],
                "registered": [reader("registered", n, paid=False) for n in range(REGISTERED)],
                "free": [path(p) for p in articles.filter(access_level="free")],
                "metered": [path(p) for p in articles.filter(access_level="metered")],
                "subscribers_only": [path(p) for p in articles.filter(access_level="subscribers")],
                "stripe_user_id": stripe_reader.pk,
            }
        )
    )


# ---------------------------------------------------------------- measuring


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.cache_status: dict[str, int] = defaultdict(int)

    def record(self, kind: str, seconds: float, error: str | None = None) -> None:
        with self.lock:
            self.times[kind].append(seconds)
            if error:
                self.errors[kind].append(error)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else 0.0


class Client:
    """One keep-alive connection through nginx, as one reader's browser, from one address."""

    def __init__(self, port: int):
        self.port = port
        self.address = (
            f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
        )
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, *, body: str = "", headers: dict | None = None):
        headers = {"X-Forwarded-For": self.address, **(headers or {})}
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.connection.request(method, path, body=body or None, headers=headers)
                response = self.connection.getresponse()
                return response, response.read().decode("utf-8", "replace")
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # nginx closed an idle keep-alive connection: open a new one, once.
                self.connection.close()
                self.connection = None
                if attempt:
                    raise


def cookies_of(response) -> dict:
    found = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        found[name] = rest.split(";", 1)[0]
    return found


class Mix:
    def __init__(self, port: int, facts: dict, stats: Stats):
        self.port, self.facts, self.stats = port, facts, stats
        self.kinds = [kind for kind, _ in MIX]
        self.weights = [weight for _, weight in MIX]
        self.commenters = list(facts["subscribers"])
        self.commenter_lock = threading.Lock()
        self.next_comment_at: dict[str, float] = {}
        self.comments_by: dict[str, int] = defaultdict(int)

    def one(self, client: Client, state: dict) -> None:
        kind = random.choices(self.kinds, self.weights)[0]
        started = time.perf_counter()
        try:
            error = getattr(self, "_" + kind.replace(" ", "_"))(client, state)
        except (OSError, http.client.HTTPException) as exc:
            client.connection = None
            error = type(exc).__name__
        self.stats.record(kind, time.perf_counter() - started, error)

    @staticmethod
    def _expect(response, *statuses: int) -> str | None:
        return None if response.status in statuses else f"{response.status}"

    def _anonymous_free_article(self, client, state):
        response, _ = client.request("GET", random.choice(self.facts["free"]))
        self.stats.cache_status[response.headers.get("X-Cache-Status", "-")] += 1
        return self._expect(response, 200)

    def _anonymous_home(self, client, state):
        response, _ = client.request("GET", "/")
        self.stats.cache_status[response.headers.get("X-Cache-Status", "-")] += 1
        return self._expect(response, 200)

    def _anonymous_metered(self, client, state):
        # A reader keeps a cookie for a few articles, then a new reader arrives.
        if "reader" not in state or random.random() < 0.25:
            response, _ = client.request("GET", self.facts["metered"][0])
            if response.status != 302:
                return f"first visit {response.status}"
            state["reader"] = "mh_reader=" + cookies_of(response)["mh_reader"]
        path = random.choice(self.facts["metered"])
        response, _ = client.request("GET", path, headers={"Cookie": state["reader"]})
        return self._expect(response, 200)

    def _registered_metered(self, client, state):
        reader = random.choice(self.facts["registered"])
        path = random.choice(self.facts["metered"])
        response, _ = client.request("GET", path, headers={"Cookie": reader["cookie"]})
        return self._expect(response, 200)

    def _subscriber_article(self, client, state):
        reader = random.choice(self.facts["subscribers"])
        path = random.choice(self.facts["subscribers_only"] + self.facts["metered"])
        response, _ = client.request("GET", path, headers={"Cookie": reader["cookie"]})
        return self._expect(response, 200)

    def _commenter(self):
        """A subscriber who may post now: 5 s since their last comment, under 30 an hour."""
        with self.commenter_lock:
            now = time.monotonic()
            ready = [
                s
                for s in self.commenters
                if self.next_comment_at.get(s["email"], 0) <= now
                and self.comments_by[s["email"]] < 28
            ]
            if not ready:
                return None
            chosen = random.choice(ready)
            # Not again until 6 s after this comment is posted (set when it is).
            self.next_comment_at[chosen["email"]] = float("inf")
            self.comments_by[chosen["email"]] += 1
            return chosen

    def _comment(self, client, state):
        subscriber = self._commenter()
        if subscriber is None:
            return self._subscriber_article(client, state)
        try:
            return self._post_comment(client, subscriber)
        finally:
            with self.commenter_lock:
                self.next_comment_at[subscriber["email"]] = time.monotonic() + 6

    def _post_comment(self, client, subscriber):
        path = random.choice(self.facts["free"])
        response, page = client.request("GET", path, headers={"Cookie": subscriber["cookie"]})
        if response.status != 200:
            return f"article {response.status}"
        action = re.search(r'action="(/comments/articles/\d+/)"', page)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        csrf = cookies_of(response).get("csrftoken")
        if not (action and token and csrf):
            return "no comment form"
        body = urlencode(
            {
                "csrfmiddlewaretoken": token[1],
                "body": f"Reading this from the load test, {uuid.uuid4().hex[:10]}.",
            }
        )
        response, _ = client.request(
            "POST",
            action[1],
            body=body,
            headers={
                "Cookie": f"{subscriber['cookie']}; csrftoken={csrf}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        return self._expect(response, 302)

    def _login(self, client, state):
        reader = random.choice(self.facts["registered"])
        response, page = client.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        csrf = cookies_of(response).get("csrftoken")
        if response.status != 200 or not (token and csrf):
            return f"login form {response.status}"
        body = urlencode(
            {"csrfmiddlewaretoken": token[1], "login": reader["email"], "password": PASSWORD}
        )
        response, _ = client.request(
            "POST",
            "/accounts/login/",
            body=body,
            headers={
                "Cookie": f"csrftoken={csrf}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        return self._expect(response, 302)


def reader_thread(mix: Mix, port: int, rate: float, stop: threading.Event) -> None:
    """Requests at about ``rate`` a second (exponential gaps), from readers who come and go."""
    client, state = Client(port), {}
    while not stop.is_set():
        mix.one(client, state)
        if random.random() < 0.05:
            client, state = Client(port), {}
        stop.wait(random.expovariate(rate))


def webhook_thread(port: int, stripe: FakeStripe, user_id: int, stats: Stats, stop) -> None:
    subscription = stripe.add_subscription(customer=new_id("cus"), price=PRICE, user_id=user_id)
    client = Client(port)
    while not stop.wait(1.0):
        payload = json.dumps(event("customer.subscription.updated", subscription))
        started = time.perf_counter()
        try:
            response, text = client.request(
                "POST",
                "/billing/webhooks/stripe/",
                body=payload,
                headers={
                    "Content-Type": "application/json",
                    "Stripe-Signature": sign(payload, STRIPE_SECRET),
                },
            )
            error = None if response.status == 200 and text.startswith("ok") else response.status
        except (OSError, http.client.HTTPException) as exc:
            client.connection, error = None, type(exc).__name__
        stats.record("webhook", time.perf_counter() - started, str(error) if error else None)


# ---------------------------------------------------------------- processes and memory


def group_members(leader: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == leader:  # the process group
            members.append(int(entry.name))
    return sorted(members)


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def describe(pid: int) -> str:
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    text = " ".join(a.decode() for a in args if a)
    for marker, name in (
        ("nginx: master", "nginx master"),
        ("nginx: worker", "nginx worker"),
        ("gunicorn", "gunicorn"),
        ("db_worker", "task worker"),
        ("while sleep", "scheduler"),
    ):
        if marker in text:
            return name
    return text[:40]


def memory(cluster: Cluster) -> dict[int, tuple[str, int]]:
    found = {}
    for process in [*cluster.apps, *cluster.others]:
        for pid in group_members(process.pid):
            found[pid] = (describe(pid), rss_kb(pid))
    return found


def wrk_rate(url: str, seconds: int = 10) -> float:
    result = subprocess.run(
        ["wrk", "-t2", "-c32", f"-d{seconds}s", url], capture_output=True, text=True, check=True
    )
    return float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)[1])


# ---------------------------------------------------------------- the run


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=600, help="seconds (default 600)")
    parser.add_argument("--rate", type=float, default=120, help="reader requests a second")
    parser.add_argument("--threads", type=int, default=24)
    args = parser.parse_args()
    if not shutil.which("wrk") or not shutil.which("nginx"):
        print("load.py needs nginx and wrk")
        return 2

    import redis

    recreate_database(DATABASE_URL)
    redis.Redis.from_url(REDIS_URL).flushdb()
    workdir = Path(tempfile.mkdtemp(prefix="masthead-load-"))
    stripe = FakeStripe(STRIPE_KEY).start()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DJANGO_SETTINGS_MODULE="masthead.settings",
        PYTHONPATH=str(ROOT),
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        MASTHEAD_VAR_DIR=str(workdir),
        TRUSTED_PROXIES="127.0.0.1",
        PAYMENT_PROVIDER="stripe",
        STRIPE_SECRET_KEY=STRIPE_KEY,
        STRIPE_WEBHOOK_SECRET=STRIPE_SECRET,
        STRIPE_API_BASE=stripe.url,
        LOG_LEVEL="ERROR",
    )
    python = sys.executable
    for command in (
        ["migrate", "-v0"],
        ["collectstatic", "--noinput", "-v0"],
        ["load_demo", "-v0"],
    ):
        subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True)
    facts_file = workdir / "readers.json"
    subprocess.run(
        [python, str(Path(__file__).resolve()), "_readers", str(facts_file)], env=env, check=True
    )
    facts = json.loads(facts_file.read_text())
    port = int(os.environ.get("LOAD_PORT") or free_port())
    cluster = Cluster(env=env, workdir=workdir, port=port, app_processes=3, workers=2)
    cluster.start()
    stats, stop = Stats(), threading.Event()
    try:
        page = Client(port).request("GET", facts["free"][0])[1]
        static = re.search(r'href="(/static/[^"]+\.css)"', page)[1]
        mix = Mix(port, facts, stats)
        # Warm-up: every page once, so the start RSS is a running process's, not a new one's.
        warm = Client(port)
        for path in facts["free"] + facts["metered"] + facts["subscribers_only"] + ["/"]:
            warm.request("GET", path)
        time.sleep(2)
        start_memory = memory(cluster)
        started = time.monotonic()
        threads = [
            threading.Thread(target=reader_thread, args=(mix, port, args.rate / args.threads, stop))
            for _ in range(args.threads)
        ]
        threads.append(
            threading.Thread(
                target=webhook_thread, args=(port, stripe, facts["stripe_user_id"], stats, stop)
            )
        )
        for thread in threads:
            thread.start()
        # Midway, with the mix running: nginx's micro-cache against its own static files.
        time.sleep(max(0, args.duration / 2 - 10))
        cached_rate = wrk_rate(f"http://127.0.0.1:{port}{facts['free'][0]}")
        static_rate = wrk_rate(f"http://127.0.0.1:{port}{static}")
        time.sleep(max(0, started + args.duration - time.monotonic()))
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        elapsed = time.monotonic() - started
        end_memory = memory(cluster)
    finally:
        stop.set()
        cluster.stop()
        stripe.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    total = sum(len(t) for t in stats.times.values())
    failed = sum(len(e) for e in stats.errors.values())
    print(f"\n{total} requests in {elapsed:.0f} s ({total / elapsed:.1f}/s), {failed} errors\n")
    print("| kind | requests | errors | p50 ms | p99 ms |\n|---|---:|---:|---:|---:|")
    for kind in [k for k, _ in MIX] + ["webhook"]:
        times = stats.times.get(kind, [])
        print(
            f"| {kind} | {len(times)} | {len(stats.errors.get(kind, []))} | "
            f"{percentile(times, 0.5) * 1000:.1f} | {percentile(times, 0.99) * 1000:.1f} |"
        )
    for kind, errors in stats.errors.items():
        print(f"errors in {kind}: {sorted(set(errors))[:5]}")
    hits = dict(stats.cache_status)
    print(f"\nnginx X-Cache-Status of anonymous free pages and home: {hits}")
    print(
        f"micro-cached free article {cached_rate:,.0f} req/s, static file {static_rate:,.0f} "
        f"req/s: ratio {cached_rate / static_rate:.2f} (target >= 0.5)\n"
    )
    print("| process | pid | RSS start MB | RSS end MB | change |\n|---|---:|---:|---:|---:|")
    for pid, (name, before) in sorted(start_memory.items(), key=lambda item: item[1][0]):
        after = end_memory.get(pid, (name, 0))[1]
        change = f"{(after - before) / before * 100:+.0f} %" if before and after else "gone"
        print(f"| {name} | {pid} | {before / 1024:.1f} | {after / 1024:.1f} | {change} |")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "_readers":
        make_readers(sys.argv[2])
        raise SystemExit(0)
    raise SystemExit(main())
