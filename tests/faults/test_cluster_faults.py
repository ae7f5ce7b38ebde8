"""Faults in the production shape: nginx → 3 app processes → the database and Redis.

Bounded in time and on loopback only. Each test breaks one part under load and
checks what readers got while it was broken and after it came back.
"""

from __future__ import annotations

import html
import http.client
import json
import random
import re
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import psycopg
import pytest

from tests.faults.clients import FREE, METERED, Load, get, new_reader, path_of, whole
from tests.faults.conftest import STRIPE_WEBHOOK_SECRET, readers
from tests.support.fake_stripe import event, new_id, sign

ANONYMOUS_LIMIT = 3
LIMIT_HEADING = "You've reached your daily free article limit"


def test_the_meter_stays_exact_with_100_racing_requests_over_three_app_processes(cluster):
    reader = new_reader(cluster.port)
    requests = [article for article in METERED for _ in range(10)][:100]
    random.shuffle(requests)
    with ThreadPoolExecutor(max_workers=24) as pool:
        results = list(pool.map(lambda a: (a, get(cluster.port, path_of(a), reader)), requests))
    assert all(status == 200 for _, (status, _, _) in results)
    served_whole = {a["slug"] for a, (_, body, _) in results if whole(body, a)}
    assert len(served_whole) == ANONYMOUS_LIMIT


def post(port: int, path: str, body: str, headers: dict, timeout: float = 15) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("POST", path, body=body.encode(), headers=headers)
        response = connection.getresponse()
        return response.status, html.unescape(response.read().decode("utf-8", "replace"))
    finally:
        connection.close()


# A request that got no whole answer: the connection failed, or it closed mid-response
# (IncompleteRead, when an app process is killed after nginx has passed on its headers).
NO_WHOLE_ANSWER = (OSError, http.client.HTTPException)


def died(status: int | None) -> bool:
    """The request got no answer from Masthead: the connection failed, or nginx said its
    app process went away (502) or timed out (504)."""
    return status is None or status in (502, 504)


class Commenter:
    """A logged-in subscriber posting a comment every few seconds, as a browser without
    JavaScript does. A request that dies is sent again, as a reader would press the
    button again, after the one-comment-per-5-seconds limit."""

    def __init__(self, port: int, session: str, article_path: str, start_after: float):
        self.port, self.start_after = port, start_after
        status, page, cookies = get(port, article_path, session)
        assert status == 200, status
        self.action = re.search(r'action="(/comments/articles/\d+/)"', page)[1]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        self.cookie = f"{session}; csrftoken={cookies['csrftoken']}"
        self.token = token
        self.outcomes: dict[str, str] = {}
        self.deaths = 0

    def _send(self, body: str) -> tuple[int | None, str]:
        form = urlencode({"csrfmiddlewaretoken": self.token, "body": body})
        headers = {
            "Cookie": self.cookie,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        try:
            return post(self.port, self.action, form, headers)
        except NO_WHOLE_ANSWER as error:
            return None, type(error).__name__

    def comment(self, body: str) -> str:
        for attempt in range(4):
            status, page = self._send(body)
            if status == 302:
                return "posted"
            if attempt and status == 429 and "same comment" in page:
                return "posted"  # the attempt that died had gone through: it is there once
            if died(status) or (attempt and status == 429 and "wait a few seconds" in page):
                self.deaths += 1
                time.sleep(5.5)
                continue
            return f"refused: {status} {page[:200]}"
        return "gave up"

    def run(self, stop: threading.Event) -> None:
        time.sleep(self.start_after)
        while not stop.is_set():
            body = f"Still reading, comment {uuid.uuid4().hex[:12]}."
            self.outcomes[body] = self.comment(body)
            stop.wait(5.3)


class Stripe:
    """Stripe delivering events about a reader's subscriptions: each event is signed with
    the SDK's own scheme and sent again (re-signed) until Masthead answers 200, as
    Stripe retries; some are delivered twice, as Stripe may."""

    def __init__(self, port: int, subscriptions: list[dict]):
        self.port, self.subscriptions = port, subscriptions
        self.answers: dict[str, list[str]] = {}
        self.deaths = 0

    def deliver(self, payload: str) -> str:
        while True:
            headers = {
                "Content-Type": "application/json",
                "Stripe-Signature": sign(payload, STRIPE_WEBHOOK_SECRET),
            }
            try:
                status, text = post(self.port, "/billing/webhooks/stripe/", payload, headers)
            except NO_WHOLE_ANSWER:
                status, text = None, ""
            if status == 200:
                return text
            if not (died(status) or status >= 500):
                return f"{status} {text[:200]}"
            self.deaths += 1
            time.sleep(0.3)

    def run(self, stop: threading.Event) -> None:
        number = 0
        while not stop.is_set():
            subscription = self.subscriptions[number % len(self.subscriptions)]
            evt = event("customer.subscription.updated", subscription, event_id=new_id("evt"))
            payload = json.dumps(evt)
            answers = self.answers.setdefault(evt["id"], [])
            answers.append(self.deliver(payload))
            if number % 5 == 0:
                answers.append(self.deliver(payload))
            number += 1
            time.sleep(0.02)


def test_killing_an_app_process_under_load_loses_no_get_comment_or_webhook(cluster, stripe_api):
    made = readers(cluster.site, "subscribers", "8")
    subscriptions = [
        stripe_api.add_subscription(
            customer=new_id("cus"), price="price_test_monthly", user_id=made["user_id"]
        )
        for _ in range(3)
    ]
    commenters = [
        Commenter(cluster.port, session, path_of(FREE[0]), start_after=n * 0.6)
        for n, session in enumerate(made["sessions"])
    ]
    stripe = Stripe(cluster.port, subscriptions)
    reader = new_reader(cluster.port)
    paths = [("/", ""), (path_of(FREE[0]), ""), (path_of(FREE[0]), reader)]
    paths += [(path_of(a), reader) for a in METERED[:3]]
    stop = threading.Event()
    writers = [threading.Thread(target=c.run, args=(stop,)) for c in commenters]
    writers += [threading.Thread(target=stripe.run, args=(stop,)) for _ in range(2)]
    try:
        with Load(cluster.port, paths) as load:
            for writer in writers:
                writer.start()
            time.sleep(2.5)
            cluster.kill_app(0)
            time.sleep(4)
            stop.set()
            for writer in writers:
                writer.join(timeout=60)
    finally:
        stop.set()
        cluster.start_app(0)
        cluster._wait_for(f"http://127.0.0.1:{cluster.app_ports[0]}/robots.txt")
    recorded = readers(cluster.site, "recorded")
    print(
        f"{load.done} GETs ({load.cut_short} cut short by the kill), "
        f"{sum(len(c.outcomes) for c in commenters)} comments "
        f"({sum(c.deaths for c in commenters)} died and were sent again), "
        f"{len(stripe.answers)} webhooks ({stripe.deaths} died and were redelivered)"
    )

    assert load.done > 50
    assert load.failures == []
    # Every comment a reader sent is in the database exactly once.
    outcomes = {body: o for c in commenters for body, o in c.outcomes.items()}
    assert len(outcomes) >= len(commenters)
    assert {o for o in outcomes.values()} == {"posted"}, outcomes
    assert Counter(recorded["comments"]) == Counter(list(outcomes))
    # Every event Stripe sent was processed once; a second delivery changed nothing.
    assert len(stripe.answers) > 20
    for event_id, answers in stripe.answers.items():
        assert answers[0] in ("ok: processed", "ok: ignored"), answers
        assert all(answer == "ok: ignored" for answer in answers[1:]), answers
        assert recorded["webhooks"][event_id] == ["processed", 1]
    assert Counter(recorded["subscriptions"]) == Counter(s["id"] for s in subscriptions)


def test_redis_killed_and_paused_under_load_then_back(cluster, own_redis):
    reader = new_reader(cluster.port)
    free, metered = FREE[0], METERED[0]
    paths = [("/", ""), (path_of(free), reader), (path_of(metered), reader)]
    with Load(cluster.port, paths) as load:
        time.sleep(1)
        own_redis.kill()
        # While Redis is gone: free pages whole, a metered article the teaser, never a 5xx.
        status, body, _ = get(cluster.port, path_of(free), reader)
        assert status == 200 and whole(body, free)
        status, body, _ = get(cluster.port, path_of(METERED[1]), new_reader(cluster.port))
        assert status == 200 and not whole(body, METERED[1]) and "paywall-prompt" in body
        time.sleep(2)
        own_redis.start()  # back, empty, on the same port
        time.sleep(2)
        own_redis.pause()
        started = time.monotonic()
        status, body, _ = get(cluster.port, path_of(free), reader)
        paused_for = time.monotonic() - started
        assert status == 200 and whole(body, free)
        time.sleep(1)
        own_redis.resume()
        time.sleep(2)
    assert load.done > 30
    assert load.failures == []
    # A request while Redis was paused waited for its timeouts, not for Redis.
    assert paused_for < 5
    # Recovered without a restart: a new reader is metered again and reads whole.
    deadline = time.monotonic() + 10
    while True:
        status, body, _ = get(cluster.port, path_of(METERED[2]), new_reader(cluster.port))
        if status == 200 and whole(body, METERED[2]):
            break
        assert time.monotonic() < deadline, "the meter did not recover within 10 s"
        time.sleep(0.5)


def test_a_locked_events_table_delays_no_page(cluster):
    """Events are written by a thread of each process, so a lock on their table stops
    nothing a reader waits for; they are written once the lock is gone.

    (The table keeps the name it had in the paywall app: the move to insights was
    state-only.)
    """
    url = cluster.env.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip(
            "a table lock another session holds is a PostgreSQL fault (the PG pass runs it)"
        )

    reader = new_reader(cluster.port)
    paths = [("/", ""), (path_of(FREE[0]), reader), (path_of(METERED[0]), reader)]
    with psycopg.connect(url) as holder:
        count_before = holder.execute("SELECT count(*) FROM paywall_readerevent").fetchone()[0]
        holder.commit()
        holder.execute("LOCK TABLE paywall_readerevent IN ACCESS EXCLUSIVE MODE")
        slowest = 0.0
        deadline = time.monotonic() + 6
        served = 0
        while time.monotonic() < deadline:
            path, cookie = random.choice(paths)
            started = time.monotonic()
            status, _, _ = get(cluster.port, path, cookie)
            slowest = max(slowest, time.monotonic() - started)
            assert status == 200
            served += 1
        holder.rollback()  # releases the lock
        assert served > 20
        # Generous: a page takes milliseconds; a page waiting on the lock would take seconds.
        assert slowest < 1.0, f"a page took {slowest:.2f} s while the events table was locked"
        deadline = time.monotonic() + 20
        while holder.execute("SELECT count(*) FROM paywall_readerevent").fetchone()[0] <= (
            count_before
        ):
            holder.rollback()
            assert time.monotonic() < deadline, "the events were not written after the lock"
            time.sleep(0.5)
