"""Keeps a remembered reader logged in; hands a logged-out browser its meter."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY

from masthead.paywall import gate

RENEWED_KEY = "_mh_renewed"


class SessionRenewalMiddleware:
    """Renews a logged-in reader's session once less than half its age is left.

    A remembered login lasts ``SESSION_COOKIE_AGE`` (two weeks) from the last renewal,
    so a reader who comes back within a week never meets the login page. Saving the
    session on every request (``SESSION_SAVE_EVERY_REQUEST``) would do the same at the
    cost of a session write on every article view; this writes once a week at most.
    A browser-session login ("keep me logged in" unticked) is left to end with the
    browser. Only sessions the request already read are looked at, so this adds no
    session read of its own.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or SESSION_KEY not in session:
            return response
        if session.get_expire_at_browser_close():
            return response
        now = int(time.time())
        if now - session.get(RENEWED_KEY, 0) >= settings.SESSION_COOKIE_AGE // 2:
            # Modified, so the session middleware saves it and sends a fresh cookie.
            session[RENEWED_KEY] = now
        return response


class ReaderCookieAtLogoutMiddleware:
    """Sets the reader cookie a logout prepared, whichever view logged the reader out.

    ``paywall.gate.meter_handover_at_logout`` (a ``user_logged_out`` receiver) seeds a
    new anonymous meter from the account's; a receiver has no response, so this gives
    the browser its cookie. allauth's logout, the admin's and any other all pass here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        gate.reader_cookie_after_logout(request, response)
        return response
