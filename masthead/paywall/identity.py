"""Who is reading: the signed reader cookie, accounts, verified crawlers, client addresses."""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import logging
import socket
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.encoding import force_bytes
from django.utils.module_loading import import_string

from masthead.core.memo import Memo
from masthead.paywall import crawlers
from masthead.paywall.policy import Reader, ReaderClass

logger = logging.getLogger(__name__)

READER_COOKIE = "mh_reader"
READER_COOKIE_SALT = "masthead.paywall.reader"
READER_COOKIE_AGE = 365 * 24 * 3600
# Added to the URL of the redirect that sets the reader cookie, so that a
# client which drops cookies is redirected once, not forever. It is signed
# and short-lived so that a copied link carrying it is not taken as proof
# that a newcomer refused the cookie.
IDENTIFY_MARKER = "mh_rc"
IDENTIFY_MARKER_SALT = "masthead.paywall.identify"
IDENTIFY_MARKER_AGE = 120

CRAWLERS = {
    "googlebot": (".googlebot.com", ".google.com"),
    "bingbot": (".search.msn.com",),
}
CRAWLER_CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class ReaderIdentity:
    reader: Reader
    # The meter key: "u:<user id>" for accounts, "a:<cookie id>" for anonymous readers.
    meter_key: str | None
    user_entitlement: object | None = None
    # The working gift link (a ``gifts.Gift``) this reader opened this article through.
    gift: object | None = None


def anonymous_id(request: HttpRequest) -> str | None:
    """The reader id from a valid signed cookie; a bad or forged cookie gives None.

    A cookie this process has verified is remembered until it expires: a
    returning reader's cookie costs a lookup, not an HMAC.
    """
    cookie = request.COOKIES.get(READER_COOKIE)
    if not cookie:
        return None
    # Keyed by the secret too: a rotated key verifies afresh.
    memo_key = (settings.SECRET_KEY, cookie)
    known = _verified_cookies.get(memo_key)
    if known is not None and time.time() < known[1]:
        return known[0]
    value, signed_at = _unsign_reader_cookie(cookie)
    if value is None:
        value = request.get_signed_cookie(
            READER_COOKIE, default=None, salt=READER_COOKIE_SALT, max_age=READER_COOKIE_AGE
        )
        if value is None:
            return None
        # value:timestamp:signature, and the timestamp has been verified.
        signed_at = signing.b62_decode(cookie.rsplit(":", 2)[-2])
    try:
        reader_id = uuid.UUID(hex=value).hex
    except (ValueError, TypeError):
        return None
    _verified_cookies.set(memo_key, (reader_id, signed_at + READER_COOKIE_AGE))
    return reader_id


_verified_cookies = Memo(max_entries=50000)


def _unsign_reader_cookie(cookie: str) -> tuple[str | None, int]:
    """The value of a reader cookie signed with the current key and when it was signed,
    verified as Django's ``get_signed_cookie`` would; (None, 0) to let Django's own code
    decide.

    Every new reader's first read verifies a cookie. Django derives the HMAC key
    from the secret and the salt on every call, which costs as much as the rest of
    the meter's bookkeeping; the derived key is the same for every reader cookie, so
    it is derived once per secret here. Only the common case is done here: a cookie
    under the current key with the default signer. Anything else (a fallback key,
    the legacy salt, an expired or forged cookie) returns None and goes through
    Django, which is the authority.
    """
    mac = _reader_cookie_mac(settings.SECRET_KEY, settings.SIGNING_BACKEND)
    if mac is None:
        return None, 0
    signed, _, signature = cookie.rpartition(":")
    value, _, stamp = signed.rpartition(":")
    if not value or not stamp:
        return None, 0
    check = mac.copy()
    check.update(signed.encode())
    if not hmac.compare_digest(signing.b64_encode(check.digest()).decode(), signature):
        return None, 0
    try:
        signed_at = signing.b62_decode(stamp)
    except ValueError:
        return None, 0
    fresh = time.time() - signed_at <= READER_COOKIE_AGE
    return (value, signed_at) if fresh else (None, 0)


@functools.cache
def _reader_cookie_mac(secret: str, backend: str):
    if backend != "django.core.signing.TimestampSigner":
        return None
    # signing._cookie_signer_salt, _cookie_signer_key and salted_hmac, as Django 5.2 has them.
    salt = f"django.http.cookies.v2:{len(READER_COOKIE_SALT)}:{READER_COOKIE_SALT}{READER_COOKIE}"
    secret_bytes = b"django.http.cookies" + force_bytes(secret)
    key = hashlib.sha256((salt + "signer").encode() + secret_bytes).digest()
    return hmac.new(key, digestmod=hashlib.sha256)


def set_reader_cookie(response: HttpResponse, reader_id: str) -> None:
    response.set_signed_cookie(
        READER_COOKIE,
        reader_id,
        salt=READER_COOKIE_SALT,
        max_age=READER_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def identify_marker() -> str:
    return signing.TimestampSigner(salt=IDENTIFY_MARKER_SALT).sign("1")


def has_identify_marker(request: HttpRequest) -> bool:
    """Cheap enough for every request: most URLs have no query string to parse."""
    return (
        IDENTIFY_MARKER in request.META.get("QUERY_STRING", "") and IDENTIFY_MARKER in request.GET
    )


def identify_marker_is_fresh(request: HttpRequest) -> bool:
    if not has_identify_marker(request):
        return False
    value = request.GET.get(IDENTIFY_MARKER)
    if not value:
        return False
    try:
        signing.TimestampSigner(salt=IDENTIFY_MARKER_SALT).unsign(
            value, max_age=IDENTIFY_MARKER_AGE
        )
    except signing.BadSignature:
        return False
    return True


def new_reader_id() -> str:
    return uuid.uuid4().hex


def client_address(request: HttpRequest) -> str:
    """The client's address; X-Forwarded-For counts only behind configured trusted proxies."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = getattr(settings, "TRUSTED_PROXIES", [])
    if not trusted or not _in_networks(remote, trusted):
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    # Walk from the nearest hop back; the first address not ours is the client.
    for hop in reversed(hops):
        if not _in_networks(hop, trusted):
            return hop
    return remote


def _in_networks(address: str, networks: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in networks)


def address_key(address: str, period: str) -> str:
    """A keyed hash of the address for one period; the address itself is never stored."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{period}|{address}".encode(), hashlib.sha256
    ).hexdigest()
    return f"ip:{digest[:40]}"


class SocketResolver:
    """DNS through the system resolver."""

    def reverse(self, address: str) -> str | None:
        try:
            return socket.gethostbyaddr(address)[0]
        except OSError:
            return None

    def forward(self, host: str) -> list[str]:
        try:
            return sorted({info[4][0] for info in socket.getaddrinfo(host, None)})
        except OSError:
            return []


def get_resolver():
    path = getattr(settings, "PAYWALL_DNS_RESOLVER", "masthead.paywall.identity.SocketResolver")
    return import_string(path)()


def claimed_crawler(user_agent: str) -> str | None:
    agent = user_agent.lower()
    return next((name for name in CRAWLERS if name in agent), None)


def is_verified_crawler(address: str, user_agent: str, resolver=None) -> bool:
    """Reverse DNS under the crawler's domains, then forward DNS back to the same address."""
    name = claimed_crawler(user_agent)
    if name is None or not address:
        return False
    cache_key = f"crawler:{name}:{address}"
    cached = cache.get(cache_key)
    if cached is not None:
        return cached
    resolver = resolver or get_resolver()
    host = (resolver.reverse(address) or "").rstrip(".").lower()
    verified = bool(host) and any(host.endswith(domain) for domain in CRAWLERS[name])
    if verified:
        verified = address in resolver.forward(host)
    if not verified:
        logger.info("unverified %s claim from %s (PTR %r)", name, address, host)
    cache.set(cache_key, verified, CRAWLER_CACHE_SECONDS)
    return verified


def identify(request: HttpRequest, *, entitlements) -> ReaderIdentity:
    """Classify the reader behind a request. ``entitlements`` is billing's ``for_request``."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        if user.is_staff:
            return ReaderIdentity(Reader(ReaderClass.STAFF), f"u:{user.pk}")
        entitlement = entitlements(request)
        reader_class = ReaderClass.SUBSCRIBER if entitlement.paid_access else ReaderClass.REGISTERED
        return ReaderIdentity(Reader(reader_class), f"u:{user.pk}", entitlement)
    agent = request.META.get("HTTP_USER_AGENT", "")
    family = crawlers.claimed_family(agent)
    if family is not None:
        if family is crawlers.SEARCH_ENGINES and is_verified_crawler(
            client_address(request), agent
        ):
            return ReaderIdentity(Reader(ReaderClass.CRAWLER), None)
        # A claim nobody can check: no meter, no cookie round trip, no gated text.
        return ReaderIdentity(Reader(ReaderClass.BOT, crawler_family=family.key), None)
    reader_id = anonymous_id(request)
    if reader_id is None:
        attempted = identify_marker_is_fresh(request)
        return ReaderIdentity(
            Reader(ReaderClass.ANONYMOUS, identified=False, identify_attempted=attempted), None
        )
    return ReaderIdentity(Reader(ReaderClass.ANONYMOUS), f"a:{reader_id}")
