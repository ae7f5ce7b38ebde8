"""SECURITY.md "Accounts": password guessing, session fixation and CSRF, driven over HTTP."""

from __future__ import annotations

import re
from html import unescape
from importlib import import_module

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from masthead.accounts.tests.conftest import PASSWORD, make_reader

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
NEW_PASSWORD = "a completely different phrase 42"
# settings.ACCOUNT_RATE_LIMITS: "login": "30/m/ip", "login_failed": "30/m/ip,100/h/key".
LOGINS_PER_MINUTE_PER_ADDRESS = 30
FAILURES_PER_HOUR_PER_ACCOUNT = 100
TOO_MANY = "Too many attempts"


def log_in(client, email: str, password: str = PASSWORD, *, ip: str = "127.0.0.1"):
    return client.post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=ip)


def is_logged_in(client) -> bool:
    return client.get("/account/").status_code == 200


def form_errors(response) -> list[str]:
    html = response.content.decode()
    lists = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)
    return [unescape(re.sub(r"<[^>]+>", " ", item)).strip() for item in lists]


def log_in_by_code(client, email: str, inbox, *, ip: str = "127.0.0.1"):
    requested = client.post("/accounts/login/code/", {"email": email}, REMOTE_ADDR=ip)
    assert requested.status_code == 302, form_errors(requested)
    code = inbox.last_to(email).code()
    return client.post(requested["Location"], {"code": code}, REMOTE_ADDR=ip)


def other_address(n: int) -> str:
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


# Password guessing


def test_login_attempts_from_one_address_get_429_past_the_limit(client, reader):
    for attempt in range(LOGINS_PER_MINUTE_PER_ADDRESS):
        assert log_in(client, f"guess{attempt}@example.com", "guess").status_code == 200

    assert log_in(client, reader.email, "guess").status_code == 429
    assert log_in(client, reader.email).status_code == 429, "even the right password waits"
    assert not is_logged_in(client)
    # Per address: a reader elsewhere is not locked out by someone else's guessing.
    assert log_in(Client(), reader.email, ip="192.0.2.7").status_code == 302


def test_failures_at_one_account_lock_password_login_for_that_account(client, reader):
    # Spread over many addresses, as a botnet would, so only the per-account limit applies.
    for attempt in range(FAILURES_PER_HOUR_PER_ACCOUNT):
        response = log_in(client, reader.email, f"guess-{attempt}", ip=other_address(attempt))
        assert response.status_code == 200
        assert TOO_MANY not in response.content.decode()

    past_limit = log_in(client, reader.email, "guess-101", ip=other_address(500))
    right_password = log_in(client, reader.email, ip=other_address(501))

    assert TOO_MANY in past_limit.content.decode()
    assert TOO_MANY in right_password.content.decode()
    assert not is_logged_in(client)
    # Other accounts are untouched.
    make_reader("other@example.com")
    assert log_in(client, "other@example.com", ip=other_address(502)).status_code == 302


def test_failures_at_one_account_get_429_past_the_limit(client, reader):
    for attempt in range(FAILURES_PER_HOUR_PER_ACCOUNT):
        log_in(client, reader.email, f"guess-{attempt}", ip=other_address(attempt))

    assert log_in(client, reader.email, "guess", ip=other_address(500)).status_code == 429


def test_unknown_user_and_wrong_password_get_the_same_message(client, reader):
    unknown = log_in(client, "nobody-here@example.com", "guess")
    wrong_password = log_in(client, reader.email, "guess")

    assert unknown.status_code == wrong_password.status_code == 200
    assert form_errors(unknown) == form_errors(wrong_password)
    assert form_errors(unknown), "the form shows an error at all"


def test_locked_out_reader_can_still_log_in_by_emailed_code(client, reader, inbox):
    for attempt in range(FAILURES_PER_HOUR_PER_ACCOUNT):
        log_in(client, reader.email, f"guess-{attempt}", ip=other_address(attempt))
    assert TOO_MANY in log_in(client, reader.email).content.decode()

    response = log_in_by_code(Client(), reader.email, inbox, ip="192.0.2.7")

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_reader_behind_a_guessing_address_can_still_log_in_by_emailed_code(client, reader, inbox):
    for attempt in range(LOGINS_PER_MINUTE_PER_ADDRESS + 1):
        log_in(client, f"guess{attempt}@example.com", "guess")
    assert log_in(client, reader.email).status_code == 429

    response = log_in_by_code(client, reader.email, inbox)

    assert response.status_code == 302
    assert is_logged_in(client)


# Session fixation and dead cookies


def session_cookie(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def session_exists(key: str) -> bool:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return store().exists(key)


def client_with_session(key: str) -> Client:
    stolen = Client()
    stolen.cookies[settings.SESSION_COOKIE_NAME] = key
    return stolen


def test_login_issues_a_new_session_id(client, reader):
    # An attacker plants a session id of their own in the victim's browser.
    planted = import_module(settings.SESSION_ENGINE).SessionStore()
    planted["planted"] = True
    planted.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key

    assert log_in(client, reader.email).status_code == 302

    assert session_cookie(client) != planted.session_key
    assert not session_exists(planted.session_key)
    assert not is_logged_in(client_with_session(planted.session_key))
    assert is_logged_in(client)


def test_login_by_code_issues_a_new_session_id(client, reader, inbox):
    client.post("/accounts/login/code/", {"email": reader.email})
    before = session_cookie(client)  # the pending login lives in a session already
    code = inbox.last_to(reader.email).code()

    client.post("/accounts/login/code/confirm/", {"code": code})

    assert session_cookie(client) != before
    assert not is_logged_in(client_with_session(before))


def test_session_cookie_is_dead_after_logout(client, reader):
    log_in(client, reader.email)
    old = session_cookie(client)
    assert is_logged_in(client_with_session(old))

    client.post("/accounts/logout/")

    assert not session_exists(old)
    assert not is_logged_in(client_with_session(old))


def test_session_cookies_are_dead_after_a_password_change(client, reader):
    log_in(client, reader.email)
    other_device = Client()
    log_in(other_device, reader.email, ip="192.0.2.7")
    old = session_cookie(client)

    changed = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert changed.status_code == 302
    assert not is_logged_in(client_with_session(old))
    assert not is_logged_in(other_device)
    # ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False: the browser that changed it stays in,
    # under a new session id.
    assert session_cookie(client) != old
    assert is_logged_in(client)


# CSRF


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def csrf_token(client, path: str) -> str:
    client.get(path)
    return client.cookies[settings.CSRF_COOKIE_NAME].value


@pytest.mark.parametrize(
    ("path", "data", "logged_in"),
    [
        (LOGIN, {"login": "reader@example.com", "password": PASSWORD}, False),
        (
            "/accounts/signup/",
            {"email": "x@example.com", "password1": PASSWORD, "password2": PASSWORD},
            False,
        ),
        ("/account/cancel/", {}, True),
        ("/billing/checkout/", {"plan": "1"}, True),
    ],
)
def test_cross_site_post_without_token_is_refused(csrf_client, reader, path, data, logged_in):
    if logged_in:
        csrf_client.force_login(reader)

    from_another_site = csrf_client.post(path, data, HTTP_ORIGIN="https://evil.example")
    without_token = csrf_client.post(path, data)

    assert from_another_site.status_code == 403
    assert without_token.status_code == 403

    # The same request with the token gets through, so the 403 above was CSRF's doing.
    token = csrf_token(csrf_client, "/account/" if logged_in else LOGIN)
    accepted = csrf_client.post(path, {**data, "csrfmiddlewaretoken": token})
    assert accepted.status_code != 403


def test_logout_without_token_is_refused(csrf_client, reader):
    csrf_client.force_login(reader)

    assert csrf_client.post("/accounts/logout/").status_code == 403
    assert is_logged_in(csrf_client)


def walk_views(resolver: URLResolver | None = None, prefix: str = ""):
    """Every (route, callback) in the URLconf, through includes and namespaces."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk_views(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.callback


def view_name(callback) -> str:
    # Class-based views carry view_class (Django) or cls (DRF); feeds are instances.
    target = getattr(callback, "view_class", None) or getattr(callback, "cls", None) or callback
    if not hasattr(target, "__qualname__"):
        target = type(target)
    return f"{target.__module__}.{target.__qualname__}"


WEBHOOK = "masthead.billing.views.stripe_webhook"
# Django REST framework marks every APIView csrf_exempt and enforces CSRF itself, in
# SessionAuthentication, for any request a browser session authenticates. Wagtail's
# admin API is built on it; test_wagtail_admin_api_refuses_a_cross_site_post proves it.
# Newsletters (issue 14): the sign-up form at an article's foot is in pages cached for
# every anonymous reader, so it carries no token and the view checks Sec-Fetch-Site /
# Origin instead (newsletters/tests/test_signup.py refuses cross-site posts); the
# unsubscribe link's signed token is its authority, and RFC 8058's one-click POST comes
# from mail programs without a session (test_unsubscribe.py).
NEWSLETTERS_GUARDED_OTHERWISE = {
    "masthead.newsletters.views.signup",
    "masthead.newsletters.views.unsubscribe",
}
DRF_ENFORCES_CSRF_ITSELF = {
    "wagtail.admin.api.views.PagesAdminAPIViewSet",
    "wagtail.documents.api.admin.views.DocumentsAdminAPIViewSet",
    "wagtail.images.api.admin.views.ImagesAdminAPIViewSet",
}


def csrf_exempt_views() -> dict[str, list]:
    found: dict[str, list] = {}
    for route, callback in walk_views():
        if getattr(callback, "csrf_exempt", False):
            found.setdefault(view_name(callback), []).append((route, callback))
    return found


def test_the_only_csrf_exempt_views_of_ours_are_the_webhook_and_the_guarded_newsletter_ones():
    exempt = csrf_exempt_views()

    expected = {WEBHOOK} | NEWSLETTERS_GUARDED_OTHERWISE | DRF_ENFORCES_CSRF_ITSELF
    assert set(exempt) == expected, sorted(exempt)


def test_the_other_csrf_exempt_views_are_wagtail_admin_api_views_on_session_auth():
    from rest_framework.authentication import SessionAuthentication
    from rest_framework.views import APIView

    for name in DRF_ENFORCES_CSRF_ITSELF:
        for route, callback in csrf_exempt_views()[name]:
            assert issubclass(callback.cls, APIView), route
            methods = set(callback.actions)
            if methods != {"get"}:
                auth = callback.initkwargs.get("authentication_classes") or (
                    callback.cls.authentication_classes
                )
                assert auth == [SessionAuthentication], (route, auth)


def test_wagtail_admin_api_refuses_a_cross_site_post(csrf_client, django_user_model):
    from wagtail.models import Page

    editor = django_user_model.objects.create_superuser("editor", "editor@example.com", "x")
    csrf_client.force_login(editor)
    page = Page.objects.filter(depth__gt=1).first()

    response = csrf_client.post(f"/admin/api/main/pages/{page.pk}/action/copy/", {})

    assert response.status_code == 403
    assert "CSRF" in response.content.decode()


def test_the_urlconf_walk_sees_included_and_namespaced_views():
    names = {view_name(callback) for _, callback in walk_views()}

    assert "masthead.billing.views.checkout" in names  # namespace "billing"
    assert "allauth.account.views._login.LoginView" in names  # include("allauth.urls")
    assert any(name.startswith("wagtail.admin.") for name in names)
