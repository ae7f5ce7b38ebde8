from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse

from masthead.accounts import sessions, users
from masthead.core import generations
from masthead.core.memo import Memo
from masthead.paywall import crawlers
from masthead.reading import article

ADMIN_PREFIX = "/admin/"
MESSAGES_COOKIE = "messages"


class FastPathMiddleware:
    """Serve an article whose route and variants are cached, without Wagtail's router.

    Placed after authentication: the decision knows the reader. The page
    tree and templates are touched only when something is not cached.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and not request.path.startswith(ADMIN_PREFIX):
            route = article.cached_route(request)
            if route is not None:
                session = getattr(request, "session", None)
                if session is not None:
                    sessions.allow_kept_copy(session)
                # The page's fillers ask about the reader some twenty times.
                users.resolve(request)
                return article.respond(request, route)
        return self.get_response(request)


class AnonymousFastPathMiddleware(FastPathMiddleware):
    """The same, before sessions, CSRF, auth and messages, for readers who have none.

    A reader who carries only the reader cookie has no session to load, no
    form to protect and no message waiting; those middlewares would only
    cost time on the most common request a news site gets.
    """

    def __call__(self, request):
        if carries_session_or_messages(request):
            return self.get_response(request)
        request.user = AnonymousUser()
        response = super().__call__(request)
        # As CommonMiddleware, which stands after this one, gives every other page: with a
        # length the server sends the page as it is, not re-framed in chunks with a
        # closing write of its own, and a client knows where the page ends.
        if not response.streaming and not response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response


class ProcessPageMemoMiddleware:
    """Answer again, from this process's memory, a page every anonymous reader sees alike.

    Outermost in ``MIDDLEWARE``. A response is kept only when the site marked it
    public (a free article, a listing: the rule nginx's micro-cache follows), it
    sets no cookie and it answered a request that carried no session and no
    message; it is kept under the generations this process's listener vouched
    for *before* rendering, so a publish during the render leaves it stale at
    once. Only a process whose listener vouches for its generations (Redis) keeps
    anything. A kept article still counts as a read for insights: its view is
    recorded again on every answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _may_share(request):
            return self.get_response(request)
        stamp = generations.local_stamp()
        if stamp is None:
            return self.get_response(request)
        key = _key(request, stamp)
        kept = _kept.get(key)
        if kept is not None:
            return kept.answer(request)
        response = self.get_response(request)
        if _keepable(response):
            _kept.set(key, KeptPage.of(response))
        return response


@dataclass(frozen=True)
class KeptPage:
    content: bytes
    headers: tuple[tuple[str, str], ...]
    # The read an article page records (None for listings).
    view: article.SharedView | None

    @classmethod
    def of(cls, response) -> KeptPage:
        view = getattr(response, article.SHARED_VIEW_ATTRIBUTE, None)
        return cls(response.content, tuple(response.items()), view)

    def answer(self, request) -> HttpResponse:
        self.record(request)
        return HttpResponse(self.content, headers=dict(self.headers))

    def record(self, request) -> None:
        if self.view is not None:
            self.view.record(request)


_kept = Memo(max_entries=256)


def kept_page(request) -> KeptPage | None:
    """The page this process keeps for this request, if any (see ``reading.lane``)."""
    if not _may_share(request):
        return None
    stamp = generations.local_stamp()
    return _kept.get(_key(request, stamp)) if stamp is not None else None


def carries_session_or_messages(request) -> bool:
    """A session or a flash message waiting: the request needs the middlewares after the
    anonymous fast path, and its page may differ from every other reader's."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME in cookies or MESSAGES_COOKIE in cookies


def _key(request, stamp: tuple) -> tuple:
    return (request.scheme, request.META.get("HTTP_HOST", ""), request.path, stamp)


def _may_share(request) -> bool:
    meta = request.META
    if request.method != "GET" or meta.get("QUERY_STRING"):
        return False
    if request.path.startswith(ADMIN_PREFIX):
        return False
    # A prefetch is answered but not counted; let the full path decide it.
    if "HTTP_SEC_PURPOSE" in meta or "HTTP_PURPOSE" in meta:
        return False
    if carries_session_or_messages(request):
        return False
    # A crawler's read is counted as a crawler's, and its page follows the editor's policy.
    return crawlers.claimed_family(meta.get("HTTP_USER_AGENT", "")) is None


def _keepable(response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "public" in response.get("Cache-Control", "")
        # An article marks what its read records; None when that differs per reader.
        and getattr(response, article.SHARED_VIEW_ATTRIBUTE, True) is not None
    )
