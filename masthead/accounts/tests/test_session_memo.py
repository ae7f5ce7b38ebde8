"""Sessions kept by the process that read them, and dropped everywhere when they change.

Driven over HTTP with a real Redis as the session cache and a real generation
listener (without one nothing is kept: every other test's setting), then through a
running site whose gunicorn workers are separate processes.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from html import unescape

import pytest
import redis
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client, override_settings

from masthead.accounts import sessions
from masthead.accounts.tests.conftest import PASSWORD
from masthead.accounts.tests.test_security import NEW_PASSWORD, is_logged_in, log_in
from masthead.core import generations
from masthead.core.listener import GenerationListener
from masthead.settings import redis_cache
from tests.support.live_site import LiveSite
from tests.support.subscriptions import cut_subscription
from tests.support.waiting import eventually

pytestmark = pytest.mark.redis

REDIS_URL = os.environ.get("TEST_REDIS_URL") or os.environ.get(
    "REDIS_URL", "redis://127.0.0.1:6379/13"
)


@pytest.fixture
def listening(monkeypatch):
    """This process on Redis, with a listener that vouches for its subscription."""
    with override_settings(CACHES={"default": redis_cache(REDIS_URL)}):
        cache.clear()
        listener = GenerationListener(
            REDIS_URL, f"test-generations-{uuid.uuid4().hex}", generations._read_all
        )
        monkeypatch.setattr(generations, "_listener", lambda: listener)
        eventually(listener.values)
        yield listener
        listener.stop()
        cache.clear()


def session_key(client: Client) -> str:
    return client.cookies["sessionid"].value


def with_session(key: str) -> Client:
    other = Client()
    other.cookies["sessionid"] = key
    return other


def remove_behind_the_process_back(key: str) -> None:
    """The session gone from the cache and the database, and no drop sent."""
    cache.delete(sessions.SessionStore.cache_key_prefix + key)
    Session.objects.filter(session_key=key).delete()


@pytest.mark.django_db
def test_a_signed_in_reader_is_served_from_the_process_copy_until_a_drop(listening, client, reader):
    assert log_in(client, reader.email).status_code == 302
    assert is_logged_in(client)
    key = session_key(client)

    remove_behind_the_process_back(key)
    # This process kept the session it read: no cache or database read to notice.
    assert is_logged_in(client)

    # What another process's logout sends once it has deleted the session.
    redis.Redis.from_url(REDIS_URL).publish(listening.channel, f"drop:session:{key}")

    assert eventually(lambda: not is_logged_in(client))


@pytest.mark.django_db
def test_logout_ends_a_kept_session_at_once(listening, client, reader):
    log_in(client, reader.email)
    key = session_key(client)
    old_cookie = with_session(key)
    assert is_logged_in(old_cookie)

    assert client.post("/accounts/logout/").status_code == 302

    assert not is_logged_in(old_cookie)
    assert not is_logged_in(client)


@pytest.mark.django_db
def test_a_new_session_id_at_login_leaves_the_old_one_dead(listening, client, reader):
    planted_session = client.session  # a session of its own, as a login form would start
    planted_session["planted"] = "by whoever set this cookie"
    planted_session.save()
    anonymous_key = session_key(client)
    assert with_session(anonymous_key).session.get("planted")

    log_in(client, reader.email)

    assert session_key(client) != anonymous_key
    planted = with_session(anonymous_key)
    assert not is_logged_in(planted)
    assert not Session.objects.filter(session_key=anonymous_key).exists()


@pytest.mark.django_db
def test_a_password_change_ends_the_other_kept_sessions(listening, client, reader):
    log_in(client, reader.email)
    other_device = Client()
    log_in(other_device, reader.email, ip="192.0.2.7")
    assert is_logged_in(other_device)

    changed = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert changed.status_code == 302
    assert not is_logged_in(other_device)
    assert is_logged_in(client)


@pytest.mark.django_db
def test_a_lost_subscription_distrusts_every_kept_session(listening, client, reader):
    log_in(client, reader.email)
    assert is_logged_in(client)
    remove_behind_the_process_back(session_key(client))
    before = listening.subscription

    # A drop sent while the subscription is gone would be lost: nothing kept is trusted.
    assert cut_subscription(REDIS_URL, listening) == 1
    eventually(lambda: listening.values() is not None and listening.subscription > before)

    assert not is_logged_in(client)


@pytest.mark.django_db
def test_a_session_changed_by_one_request_is_what_the_next_one_reads(listening, client, reader):
    log_in(client, reader.email)
    assert is_logged_in(client)
    store = sessions.SessionStore(session_key(client))
    store["note"] = "saved by another request"
    store.save()

    assert with_session(session_key(client)).session.get("note") == "saved by another request"


# Through gunicorn: each worker is a process with its own copies.

WORKERS = 3
REQUESTS = 60


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def account_status(site: LiveSite, session_cookie: str) -> int:
    request = urllib.request.Request(
        site.url + "/account/", headers={"Cookie": f"sessionid={session_cookie}"}
    )
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def form_token(opener, url: str) -> str:
    with opener.open(url, timeout=30) as response:
        page = response.read().decode()
    return unescape(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1))


def post(opener, url: str, fields: dict) -> None:
    data = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(url, data=data, headers={"Referer": url})
    with opener.open(request, timeout=30):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    live = LiveSite(
        workdir=tmp_path_factory.mktemp("session-memo"),
        workers=WORKERS,
        extra_env={"REDIS_URL": REDIS_URL, "GENERATION_LISTENER": "1"},
    )
    live.start()
    yield live
    live.stop()


def test_a_logout_served_by_one_worker_ends_the_session_in_every_worker(site):
    email = f"memo-{uuid.uuid4().hex[:8]}@example.org"
    site.manage(
        "shell",
        "-c",
        "from allauth.account.models import EmailAddress\n"
        "from django.contrib.auth import get_user_model\n"
        f"user = get_user_model().objects.create_user('{email.split('@')[0]}', '{email}', "
        f"'{PASSWORD}')\n"
        f"EmailAddress.objects.create(user=user, email='{email}', primary=True, verified=True)",
    )
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = site.url + "/accounts/login/"
    post(
        browser,
        login,
        {"csrfmiddlewaretoken": form_token(browser, login), "login": email, "password": PASSWORD},
    )
    session = next(cookie.value for cookie in jar if cookie.name == "sessionid")
    with ThreadPoolExecutor(8) as pool:
        # Enough requests that every worker reads the session and keeps it.
        before = list(pool.map(lambda _: account_status(site, session), range(REQUESTS)))
    assert set(before) == {200}

    logout = site.url + "/accounts/logout/"
    post(browser, logout, {"csrfmiddlewaretoken": form_token(browser, logout)})

    with ThreadPoolExecutor(8) as pool:
        after = list(pool.map(lambda _: account_status(site, session), range(REQUESTS)))
    assert 200 not in after, f"{after.count(200)} of {REQUESTS} still signed in"
