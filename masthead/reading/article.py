"""The article response: one function, for the fast path and for Wagtail's router alike.

Identify the reader, let the pure policy decide (with one meter call), take
the cached *whole* or *teaser* variant, fill the per-reader slots in one
pass, say who may cache the result, and record the view for insights.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from masthead.billing import entitlements
from masthead.content import most_read, page_cache, variants
from masthead.content.models import ArticlePage
from masthead.content.variants import TEASER, WHOLE, ArticleRoute
from masthead.core import generations, slots
from masthead.core.memo import Memo
from masthead.gifts import attribution as gift_attribution
from masthead.insights import events
from masthead.paywall import gate, identity, policy
from masthead.paywall.policy import Access, Outcome, Prompt, ReaderClass
from masthead.reading.slots import FILLERS, Reading

# Routes this process has seen, by the content generation they were recorded under.
_routes = Memo(max_entries=20000)


def route_key(request: HttpRequest) -> str:
    return f"route:{page_cache.location(request)}"


def remember_route(request: HttpRequest, route: ArticleRoute) -> None:
    """Let the fast path find this article at this URL until the next content change."""
    gen = generations.current(request, generations.CONTENT)
    cache.set(route_key(request), (gen, route), variants.ENTRY_TIMEOUT)


def cached_route(request: HttpRequest) -> ArticleRoute | None:
    """The article at this URL, if Wagtail served it since the last content change.

    At most one cache round trip, shared with the generations every filler needs;
    none when this process already knows the route under the current generation.
    """
    key = route_key(request)
    local = generations.local_values()
    if local is not None:
        route = _routes.get((key, local[generations.CONTENT]))
        if route is not None:
            generations.lookup(request)
            return route
    # The shared page cache's key rides along: one round trip answers both middlewares.
    also = (page_cache.page_key(request),) if page_cache.is_shared_request(request) else ()
    found = generations.lookup(request, key, *also)
    entry = found.get(key)
    if entry is None or entry[0] != found[generations.key(generations.CONTENT)]:
        return None
    _routes.set((key, entry[0]), entry[1])
    return entry[1]


def respond(
    request: HttpRequest,
    route: ArticleRoute,
    *,
    page: ArticlePage | None = None,
    shareable: bool = True,
) -> HttpResponse:
    """The response to a reader for an article; ``page`` is needed only on a cache miss.

    ``shareable`` is False for pages whose bytes must not be kept (view restrictions).
    """
    if gate.returned_with_cookie(request):
        # Nothing is counted before the marker is gone from the address bar.
        return gate.clean_url_redirect(request)
    article = policy.Article(route.page_id, Access(route.access))
    early = request.__dict__.pop(EARLY_READ_ATTRIBUTE, None)
    if early is not None and early.route == route:
        # The lane decided (and the meter recorded) this read already.
        decision, who = early.decision, early.who
    else:
        decision, who = gate.decide(request, article, entitlements=entitlements.for_request)
    if decision.outcome is Outcome.DEFER:
        return gate.deferred_response()
    if decision.outcome is Outcome.IDENTIFY:
        return gate.identify_redirect(request)

    variant = WHOLE if decision.whole else TEASER
    teaser_blocks = gate.site_paywall(request).policy.teaser_blocks
    alike_key = _anonymous_page_key(request, route, decision, who, variant, teaser_blocks)
    html = _anonymous_pages.get(alike_key) if alike_key is not None and shareable else None
    if html is None:
        html = variants.cached(request, route, variant, teaser_blocks)
        if html is None:
            if page is None:
                page = ArticlePage.objects.live().get(pk=route.page_id)
            html = variants.render(
                request, page, variant, teaser_blocks=teaser_blocks, store=shareable
            )
        html = slots.fill(html, FILLERS, Reading(request, route, decision, who))
        if alike_key is not None and shareable:
            _anonymous_pages.set(alike_key, html)

    # The charset given, not parsed again from the content type for every response.
    response = HttpResponse(html, charset="utf-8")
    response.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
    # Alike for every reader without a session only when the article is free (and whole:
    # a crawler the editor allows only teasers gets a page no one else may be given).
    shared = (
        article.access is Access.FREE and decision.whole and page_cache.is_shared_request(request)
    )
    page_cache.set_cache_headers(response, shared=shared)
    if who.gift is not None:
        _gifted(request, response, who.gift)
    view = SharedView(route.page_id, who.reader.reader_class, decision.outcome)
    _record(request, decision, view)
    if shared:
        # What a process that keeps this page must record each time it answers with it.
        plain_read = decision.whole and decision.remaining is None
        plain_read = plain_read and decision.prompt is Prompt.NONE and decision.counts_as_view
        plain_read = plain_read and who.reader.reader_class is ReaderClass.ANONYMOUS
        setattr(response, SHARED_VIEW_ATTRIBUTE, view if plain_read else None)
    if alike_key is not None and shareable:
        setattr(response, PAGE_KEY_ATTRIBUTE, alike_key)
    return response


SHARED_VIEW_ATTRIBUTE = "_masthead_shared_view"
# The key under which every anonymous reader given this decision gets these bytes.
PAGE_KEY_ATTRIBUTE = "_masthead_page_key"
EARLY_READ_ATTRIBUTE = "_masthead_early_read"


@dataclass(frozen=True)
class EarlyRead:
    """An anonymous read decided before the middlewares run (see ``reading.lane``).

    ``page_key`` is the key of the page every reader given this decision gets
    (None when it may differ): the lane answers a read whose page it has already
    sent once from its own memo, without the middlewares or a response object.
    """

    route: ArticleRoute
    decision: policy.Decision
    who: identity.ReaderIdentity
    page_key: tuple | None

    def record(self, request: HttpRequest) -> None:
        """What ``respond`` records for this read, for an answer that skips it."""
        view = SharedView(self.route.page_id, self.who.reader.reader_class, self.decision.outcome)
        _record(request, self.decision, view)


def early_read(request: HttpRequest) -> EarlyRead | None:
    """Decide an anonymous reader's read of a known article, and leave the decision on
    the request for ``respond``: the meter has recorded the read, so the response must
    be made from this decision whichever way it is made.

    For a GET without a query string and without a session or flash messages (the
    lane checks these); None when the fast path does not know the URL's article.
    """
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return None  # SecurityMiddleware redirects it before anything is counted
    route = cached_route(request)
    if route is None:
        return None
    request.user = AnonymousUser()
    article = policy.Article(route.page_id, Access(route.access))
    decision, who = gate.decide(request, article, entitlements=entitlements.for_request)
    page_key = None
    if decision.outcome not in (Outcome.DEFER, Outcome.IDENTIFY):
        variant = WHOLE if decision.whole else TEASER
        teaser_blocks = gate.site_paywall(request).policy.teaser_blocks
        page_key = _anonymous_page_key(request, route, decision, who, variant, teaser_blocks)
    early = EarlyRead(route, decision, who, page_key)
    setattr(request, EARLY_READ_ATTRIBUTE, early)
    return early


# Article pages as filled for anonymous readers. Every filler's output for such a reader
# follows from the decision, the article, the URL and the generations (each filler keys
# its own memo on no more than these), so readers given the same decision on the same
# article get the same bytes: this process fills them once (the meter notice's count and
# the prompt are in the decision, so a teaser never answers a reader owed the whole text).
_anonymous_pages = Memo(max_entries=1024)


def _anonymous_page_key(
    request: HttpRequest,
    route: ArticleRoute,
    decision: policy.Decision,
    who,
    variant: str,
    teaser_blocks: int,
) -> tuple | None:
    """None for a reader whose page may differ: an account, a crawler, a gift, a query
    string, flash messages, or a process that cannot vouch for its generations."""
    if who.reader.reader_class is not ReaderClass.ANONYMOUS or who.gift is not None:
        return None
    if request.META.get("QUERY_STRING") or hasattr(request, "_messages"):
        return None
    stamp = generations.local_stamp()
    if stamp is None:
        return None
    return (
        route,
        variant,
        teaser_blocks,
        decision,
        variants.origin(request),
        request.path,
        stamp,
        most_read.window(),
    )


@dataclass(frozen=True)
class SharedView:
    """An article read as insights records it; a public page's is the same for every reader."""

    article_id: int
    reader_class: str
    outcome: str

    def record(self, request: HttpRequest) -> None:
        events.record(
            events.EventKind.ARTICLE_VIEW,
            article_id=self.article_id,
            reader_class=self.reader_class,
            outcome=self.outcome,
            referrer_host=events.referrer_host(request.META.get("HTTP_REFERER")),
        )


def _gifted(request: HttpRequest, response: HttpResponse, gift) -> None:
    # The whole text for whoever holds the link: no cache may keep it, and the link
    # itself is not a page to index (the canonical link names the article's own URL).
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    gift_attribution.note_opening(request, response, gift)


def _record(request: HttpRequest, decision: policy.Decision, view: SharedView) -> None:
    if not decision.counts_as_view:
        return
    view.record(request)
    if decision.whole and decision.remaining is not None:
        # The same condition as the notice filler (paywall.prompts.notice_html).
        events.record(
            events.EventKind.METER_NOTICE,
            article_id=view.article_id,
            reader_class=view.reader_class,
            outcome=str(decision.remaining),
        )
    if decision.prompt is not Prompt.NONE:
        events.record(
            events.EventKind.PAYWALL_SHOWN,
            article_id=view.article_id,
            reader_class=view.reader_class,
            outcome=decision.prompt,
        )
