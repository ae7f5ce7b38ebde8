"""Sessions kept by the process that read them, and dropped everywhere when they change.

Only an article page's read uses a kept copy. Driven over HTTP with a real Redis as
the session cache and a real generation listener (without one nothing is kept: every
other test's setting), then through a running site whose gunicorn workers are separate
processes. Whether a request found the reader signed in is read off the article
page's account menu.
"""

from __future__ import annotations

import http.cookiejar
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
from django.test import Client

from masthead.accounts import sessions
from masthead.accounts.tests.conftest import PASSWORD
from masthead.accounts.tests.test_security import NEW_PASSWORD, is_logged_in, log_in
from masthead.content.tests.helpers import demo_article
from tests.support.live_site import LiveSite
from tests.support.subscriptions import REDIS_URL, cut_subscription
from tests.support.waiting import eventually

pytestmark = pytest.mark.redis


SIGNED_IN_MENU = 'class="account-links__login" href="/account/"'


@pytest.fixture
def article_path(db) -> str:
    return demo_article("free").url


def signed_in_on(client: Client, path: str) -> bool:
    """What the article page's account menu says."""
    response = client.get(path)
    assert response.status_code == 200
    return SIGNED_IN_MENU in response.content.decode()


def read_until_kept(client: Client, path: str) -> None:
    """The first read finds the article through Wagtail; the next, through the fast path,
    keeps the session."""
    for _ in range(2):
        assert signed_in_on(client, path)


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
def test_an_article_page_is_served_from_the_process_copy_until_a_drop(
    listening, client, reader, article_path
):
    assert log_in(client, reader.email).status_code == 302
    read_until_kept(client, article_path)
    key = session_key(client)

    remove_behind_the_process_back(key)
    # This process kept the session it read: no cache or database read to notice...
    assert signed_in_on(client, article_path)
    # ...for an article page only: any other page reads the shared cache.
    assert not is_logged_in(client)

    # What another process's logout sends once it has deleted the session.
    redis.Redis.from_url(REDIS_URL).publish(listening.channel, f"drop:session:{key}")

    assert eventually(lambda: not signed_in_on(client, article_path))


@pytest.mark.django_db
def test_logout_ends_a_kept_session_at_once(listening, client, reader, article_path):
    log_in(client, reader.email)
    old_cookie = with_session(session_key(client))
    read_until_kept(old_cookie, article_path)

    assert client.post("/accounts/logout/").status_code == 302

    assert not signed_in_on(old_cookie, article_path)
    assert not signed_in_on(client, article_path)


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
def test_a_password_change_ends_the_other_kept_sessions(listening, client, reader, article_path):
    log_in(client, reader.email)
    other_device = Client()
    log_in(other_device, reader.email, ip="192.0.2.7")
    read_until_kept(other_device, article_path)

    changed = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert changed.status_code == 302
    assert not signed_in_on(other_device, article_path)
    assert signed_in_on(client, article_path)


@pytest.mark.django_db
def test_a_lost_subscription_distrusts_every_kept_session(listening, client, reader, article_path):
    log_in(client, reader.email)
    read_until_kept(client, article_path)
    remove_behind_the_process_back(session_key(client))
    before = listening.subscription

    # A drop sent while the subscription is gone would be lost: nothing kept is trusted.
    assert cut_subscription(REDIS_URL, listening) == 1
    eventually(lambda: listening.values() is not None and listening.subscription > before)

    assert not signed_in_on(client, article_path)


@pytest.mark.django_db
def test_a_session_changed_by_one_request_is_what_the_next_one_reads(listening, client, reader):
    log_in(client, reader.email)
    key = session_key(client)

    def for_an_article_page():
        store = sessions.SessionStore(key)
        sessions.allow_kept_copy(store)
        return store

    assert for_an_article_page().get("note") is None  # read, and kept
    changed = sessions.SessionStore(key)
    changed["note"] = "saved by another request"
    changed.save()

    assert for_an_article_page().get("note") == "saved by another request"


# Through gunicorn: each worker is a process with its own copies.

WORKERS = 3
REQUESTS = 60
# Free: a request without a session or reader cookie gets it whole, with the menu.
FREE_DEMO_ARTICLE = "/climate/kessler-reservoir-early-drawdown/"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def signed_in_at(site: LiveSite, path: str, session_cookie: str) -> bool:
    request = urllib.request.Request(
        site.url + path, headers={"Cookie": f"sessionid={session_cookie}"}
    )
    with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
        assert response.status == 200
        return SIGNED_IN_MENU in response.read().decode()


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
    article = FREE_DEMO_ARTICLE
    with ThreadPoolExecutor(8) as pool:
        # Enough requests that every worker reads the session and keeps it.
        before = list(pool.map(lambda _: signed_in_at(site, article, session), range(REQUESTS)))
    assert all(before)

    logout = site.url + "/accounts/logout/"
    post(browser, logout, {"csrfmiddlewaretoken": form_token(browser, logout)})

    with ThreadPoolExecutor(8) as pool:
        after = list(pool.map(lambda _: signed_in_at(site, article, session), range(REQUESTS)))
    assert not any(after), f"{after.count(True)} of {REQUESTS} still signed in"
