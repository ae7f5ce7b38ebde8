"""How long a login lasts, read from the Set-Cookie a browser gets."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.conf import settings

from masthead.accounts.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TWO_WEEKS = 14 * 24 * 3600
LOGIN = "/accounts/login/"


def session_set_cookie(response):
    """The session cookie this response sets, or None when it sets none."""
    return response.cookies.get(settings.SESSION_COOKIE_NAME)


def later(seconds: int):
    """The renewal's clock, moved on; the session itself stays valid (it is days, not weeks)."""
    now = time.time() + seconds
    return mock.patch("masthead.accounts.middleware.time.time", return_value=now)


def test_the_login_form_keeps_readers_logged_in_unless_they_untick_it(client):
    page = client.get(LOGIN).content.decode()

    assert 'name="remember"' in page
    box = page[page.index('name="remember"') - 200 : page.index('name="remember"') + 200]
    assert "checked" in box
    assert "Keep me logged in on this device" in page


def test_a_remembered_login_lasts_two_weeks(client, reader):
    response = client.post(LOGIN, {"login": reader.email, "password": PASSWORD, "remember": "on"})

    assert response.status_code == 302
    cookie = session_set_cookie(response)
    assert cookie["max-age"] == TWO_WEEKS
    assert cookie["expires"]


def test_an_unticked_box_gives_a_cookie_that_ends_with_the_browser(client, reader):
    response = client.post(LOGIN, {"login": reader.email, "password": PASSWORD})

    assert response.status_code == 302
    cookie = session_set_cookie(response)
    assert cookie.value
    assert cookie["max-age"] == "" and cookie["expires"] == ""


def test_a_code_login_is_remembered_too(client, reader, inbox):
    client.post("/accounts/login/code/", {"email": reader.email})

    confirmed = client.post(
        "/accounts/login/code/confirm/", {"code": inbox.last_to(reader.email).code()}
    )

    assert session_set_cookie(confirmed)["max-age"] == TWO_WEEKS


def test_a_returning_reader_is_renewed_once_half_the_time_is_gone(client, reader):
    client.post(LOGIN, {"login": reader.email, "password": PASSWORD, "remember": "on"})

    # The next days cost no session write: no new cookie.
    with later(6 * 24 * 3600):
        assert session_set_cookie(client.get("/account/")) is None

    with later(8 * 24 * 3600):
        renewed = client.get("/account/")
        again = client.get("/account/")

    assert renewed.status_code == 200
    assert session_set_cookie(renewed)["max-age"] == TWO_WEEKS
    assert session_set_cookie(again) is None  # once, not on every request


def test_a_browser_session_login_is_never_made_longer(client, reader):
    client.post(LOGIN, {"login": reader.email, "password": PASSWORD})

    with later(8 * 24 * 3600):
        response = client.get("/account/")

    assert response.status_code == 200
    assert session_set_cookie(response) is None
