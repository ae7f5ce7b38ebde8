"""The gift link: a signed token bound to one article, and its redemption for one request.

The token is ``<article id>.<key>.<signature>``: the signature (Django's signer, with
its own salt) covers the article id and the key, so a token is checked, and found to
be for another article, without asking the database; the key, 128 random bits, finds
the gift row, which says whether the link still works (not revoked, not expired, not
past its openings). Anything else about a token (forged, truncated, for another
article, revoked, expired, used up, a database error) gives no gift, and the reader
gets the article as the meter decides, never an error.
"""

from __future__ import annotations

import logging
import re
import secrets

from django.conf import settings
from django.core import signing
from django.db import DatabaseError
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from masthead.gifts.models import Gift
from masthead.insights import events

logger = logging.getLogger(__name__)

# The query parameter that carries the token. Only requests whose query string holds
# it take the gift path; every other article request pays one substring test.
PARAMETER = "gift"
_PARAMETER_IN_QUERY = PARAMETER + "="
LINK_SALT = "masthead.gifts.link"
TOKEN_MAX_LENGTH = 200
_SIGNED_VALUE = re.compile(r"([0-9]{1,18})\.([A-Za-z0-9_-]{22})")

# The gift a browser last opened, so that a subscription started later from it is
# credited to the gift (``attribution.py``).
OPENED_COOKIE = "mh_gift"
OPENED_COOKIE_SALT = "masthead.gifts.opened"
OPENED_COOKIE_AGE = 30 * 24 * 3600


def _signer() -> signing.Signer:
    return signing.Signer(salt=LINK_SALT, sep=".")


def new_key() -> str:
    return secrets.token_urlsafe(16)


def token_for(gift: Gift) -> str:
    return _signer().sign(f"{gift.article_id}.{gift.key}")


def link_for(request: HttpRequest, gift: Gift, article_url: str) -> str:
    """The article's own URL with the token: the only place the token is ever shown."""
    return f"{request.build_absolute_uri(article_url)}?{PARAMETER}={token_for(gift)}"


def key_in(token: str, article_id: int) -> str | None:
    """The gift key in ``token`` when it is genuine and made for ``article_id``; else None.

    Total over every string: no exception escapes, whatever the link carries.
    """
    if not isinstance(token, str) or not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    try:
        value = _signer().unsign(token)
    except signing.BadSignature:
        return None
    match = _SIGNED_VALUE.fullmatch(value)
    if match is None or int(match.group(1)) != article_id:
        return None
    return match.group(2)


def carries_gift(request: HttpRequest) -> bool:
    """Cheap enough for every request: most article URLs have no query string at all."""
    return _PARAMETER_IN_QUERY in request.META.get("QUERY_STRING", "")


def redeem(request: HttpRequest, article_id: int, *, count: bool) -> Gift | None:
    """The working gift this request carries for this article, or None.

    ``count`` (a real page view) takes one opening: a conditional UPDATE, so parallel
    openings never pass the cap. A HEAD or another uncounted view only checks.
    """
    key = key_in(request.GET.get(PARAMETER, ""), article_id)
    if key is None:
        return None
    now = timezone.now()
    cap = settings.GIFT_LINK_MAX_OPENS
    working = Gift.objects.filter(
        key=key, article_id=article_id, revoked_at__isnull=True, expires_at__gt=now, opened__lt=cap
    )
    try:
        gift = working.select_related("giver").first()
        if gift is None:
            return None
        if count:
            if not working.filter(pk=gift.pk).update(opened=F("opened") + 1):
                return None  # revoked, or its last opening taken, since the read above
            gift.opened += 1
    except DatabaseError:
        logger.exception("gift lookup failed; serving the article as the meter decides")
        return None
    if count:
        events.record(events.EventKind.GIFT_OPENED, article_id=article_id)
    return gift


def remember_opened(response: HttpResponse, gift: Gift) -> None:
    response.set_signed_cookie(
        OPENED_COOKIE,
        str(gift.pk),
        salt=OPENED_COOKIE_SALT,
        max_age=OPENED_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def opened_gift_id(request: HttpRequest) -> int | None:
    value = request.get_signed_cookie(
        OPENED_COOKIE, default=None, salt=OPENED_COOKIE_SALT, max_age=OPENED_COOKIE_AGE
    )
    return int(value) if value and value.isascii() and value.isdigit() else None
