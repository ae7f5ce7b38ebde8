"""The per-request CSRF token: Django's format and flags, with one random read per draw."""

from __future__ import annotations

from collections import Counter

from django.middleware import csrf
from django.test import RequestFactory

from masthead.core import requests


def test_the_token_unmasks_to_the_cookie_secret_and_renews_the_cookie():
    request = RequestFactory().get("/")
    secret = csrf._get_new_csrf_string()
    request.META["CSRF_COOKIE"] = secret
    token = requests.csrf_token(request)
    assert len(token) == csrf.CSRF_TOKEN_LENGTH
    assert set(token) <= set(csrf.CSRF_ALLOWED_CHARS)
    assert csrf._unmask_cipher_token(token) == secret
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    # Once per request: every form on the page carries the same token.
    assert requests.csrf_token(request) == token


def test_a_request_without_a_cookie_gets_a_new_secret_as_get_token_gives_it():
    request = RequestFactory().get("/")
    token = requests.csrf_token(request)
    secret = request.META["CSRF_COOKIE"]
    assert len(secret) == csrf.CSRF_SECRET_LENGTH
    assert csrf._unmask_cipher_token(token) == secret
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True


def test_masks_differ_between_requests():
    secret = csrf._get_new_csrf_string()
    tokens = set()
    for _ in range(200):
        request = RequestFactory().get("/")
        request.META["CSRF_COOKIE"] = secret
        tokens.add(requests.csrf_token(request))
    assert len(tokens) == 200


def test_random_characters_cover_the_alphabet_evenly():
    counts = Counter("".join(requests.random_csrf_string() for _ in range(2000)))
    alphabet = csrf.CSRF_ALLOWED_CHARS
    assert set(counts) == set(alphabet)
    expected = 2000 * csrf.CSRF_SECRET_LENGTH / len(alphabet)
    # 64,000 draws over 62 characters: about 1,032 each; a modulo bias over all 256
    # byte values would give the first 8 characters about 1,290.
    assert all(0.85 * expected < counts[c] < 1.15 * expected for c in alphabet), counts
