"""The reader cookie's own verification agrees with Django's ``get_signed_cookie``.

``identity._unsign_reader_cookie`` takes the common case (a cookie under the
current key) with a key derived once; everything it refuses goes to Django.
These tests check both answer alike for good, forged, expired, rotated-key and
legacy-salt cookies, and that a cookie refused by both gives no reader.
"""

from __future__ import annotations

import time
import uuid

import pytest
from django.core import signing
from django.http import HttpResponse
from django.test import RequestFactory

from masthead.paywall import identity


def _signed(reader_id: str) -> str:
    response = HttpResponse()
    identity.set_reader_cookie(response, reader_id)
    return response.cookies[identity.READER_COOKIE].value


def _request(cookie: str):
    request = RequestFactory().get("/")
    request.COOKIES[identity.READER_COOKIE] = cookie
    return request


def _django_says(cookie: str) -> str | None:
    return _request(cookie).get_signed_cookie(
        identity.READER_COOKIE,
        default=None,
        salt=identity.READER_COOKIE_SALT,
        max_age=identity.READER_COOKIE_AGE,
    )


def _reader_of(cookie: str) -> str | None:
    identity._verified_cookies._entries.clear()
    return identity.anonymous_id(_request(cookie))


def test_a_cookie_the_site_signed_is_read_without_django_and_agrees_with_it():
    reader_id = uuid.uuid4().hex
    cookie = _signed(reader_id)
    value, signed_at = identity._unsign_reader_cookie(cookie)
    assert value == reader_id
    assert abs(signed_at - time.time()) < 60  # signed just now: the cookie's own timestamp
    assert _django_says(cookie) == reader_id
    assert _reader_of(cookie) == reader_id


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c[:-2] + ("AA" if not c.endswith("AA") else "BB"),  # signature
        lambda c: uuid.uuid4().hex + c[32:],  # another reader's id
        lambda c: c.rsplit(":", 1)[0],  # no signature
        lambda c: "",
        lambda c: ":::",
        lambda c: c.replace(":", "!"),
    ],
)
def test_a_forged_cookie_is_refused_by_both(tamper):
    cookie = tamper(_signed(uuid.uuid4().hex))
    assert identity._unsign_reader_cookie(cookie) == (None, 0)
    assert _django_says(cookie) is None
    assert _reader_of(cookie) is None


def test_an_expired_cookie_is_refused_by_both(monkeypatch):
    cookie = _signed(uuid.uuid4().hex)
    later = time.time() + identity.READER_COOKIE_AGE + 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert identity._unsign_reader_cookie(cookie) == (None, 0)
    assert _django_says(cookie) is None
    assert _reader_of(cookie) is None


def test_a_cookie_under_a_rotated_key_is_left_to_django_which_accepts_it(settings):
    reader_id = uuid.uuid4().hex
    cookie = _signed(reader_id)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-" + "x" * 50
    assert identity._unsign_reader_cookie(cookie) == (None, 0)
    assert _reader_of(cookie) == reader_id == _django_says(cookie)
    settings.SECRET_KEY_FALLBACKS = []
    assert _reader_of(cookie) is None


def test_a_legacy_salt_cookie_is_left_to_django(settings):
    reader_id = uuid.uuid4().hex
    legacy = signing.get_cookie_signer(
        salt=identity.READER_COOKIE + identity.READER_COOKIE_SALT
    ).sign(reader_id)
    assert identity._unsign_reader_cookie(legacy) == (None, 0)
    settings.SIGNED_COOKIE_LEGACY_SALT_FALLBACK = True
    assert _reader_of(legacy) == reader_id == _django_says(legacy)
    settings.SIGNED_COOKIE_LEGACY_SALT_FALLBACK = False
    assert _reader_of(legacy) is None


def test_another_signing_backend_is_left_to_django(settings):
    cookie = _signed(uuid.uuid4().hex)
    settings.SIGNING_BACKEND = "masthead.paywall.tests.test_reader_cookie.OtherSigner"
    assert identity._unsign_reader_cookie(cookie) == (None, 0)


class OtherSigner(signing.TimestampSigner):
    pass
