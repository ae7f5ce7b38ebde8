"""issue 10, item 7: logging out must not hand back a fresh meter (database and Redis stores)."""

from __future__ import annotations

import os

import pytest
import redis
from django.test import Client, override_settings

from masthead.paywall import identity
from masthead.paywall.tests.conftest import body, gated_sentence, metered_articles
from masthead.paywall.tests.test_http import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a long test password 42"
TEST_REDIS_URL = os.environ.get("REDIS_URL") or os.environ.get(
    "TEST_REDIS_URL", "redis://127.0.0.1:6379/13"
)
LIMIT_REACHED = "You've reached your daily free article limit."


@pytest.fixture(params=["database", "redis"])
def store(request):
    env = {"PAYWALL_METER_STORE": request.param}
    if request.param == "redis":
        env["REDIS_URL"] = TEST_REDIS_URL
    with override_settings(**env):
        yield request.param


@pytest.fixture
def account(store):
    user = make_user()
    if store == "redis":
        # Account meters are keyed by user id, which the next test run reuses.
        client = redis.Redis.from_url(TEST_REDIS_URL)
        for key in client.scan_iter(f"meter:*:u:{user.pk}"):
            client.delete(key)
    return user


def whole(client, article) -> bool:
    response = client.get(article.url, follow=True)
    assert response.status_code == 200
    return gated_sentence(article) in body(response)


def log_in(client, user):
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


def log_out(client):
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_logging_in_before_reading_then_out_hands_back_no_fresh_meter(account):
    articles = metered_articles()
    browser = Client()
    log_in(browser, account)  # straight to the login page: no reader cookie yet
    # The registered limit, 5, read as the account.
    assert [whole(browser, a) for a in articles[:6]] == [True] * 5 + [False]

    log_out(browser)

    # The anonymous limit is 3, and the account has read 5 this period: nothing more.
    page = body(browser.get(articles[6].url, follow=True))
    assert gated_sentence(articles[6]) not in page
    assert LIMIT_REACHED in page
    # Re-reading what the account read this period stays free.
    assert whole(browser, articles[0])


def test_logging_out_keeps_the_more_used_of_browser_and_account_meters(account):
    articles = metered_articles()
    laptop, phone = Client(), Client()
    assert whole(laptop, articles[0])  # one anonymous read on the laptop
    log_in(phone, account)
    assert all(whole(phone, a) for a in articles[1:4])  # three on the phone

    log_in(laptop, account)
    log_out(laptop)

    # The laptop's anonymous meter now holds all four, past the anonymous limit of 3:
    # re-reads are free, nothing new is.
    assert [whole(laptop, a) for a in articles[:5]] == [True, True, True, True, False]


def test_a_stolen_pre_login_cookie_is_no_fresher_than_the_logged_out_one(account):
    articles = metered_articles()
    browser = Client()
    assert whole(browser, articles[0])
    before_login = browser.cookies[identity.READER_COOKIE].value
    log_in(browser, account)
    assert all(whole(browser, a) for a in articles[1:5])

    log_out(browser)

    # Putting back the cookie from before login gives that meter as it stood (one read),
    # the same as clearing cookies would; the logged-out browser itself is at the limit.
    assert not whole(browser, articles[5])
    restored = Client()
    restored.cookies[identity.READER_COOKIE] = before_login
    assert [whole(restored, a) for a in articles[5:8]] == [True, True, False]
