"""Pages that put content and the reader together outside an article: search, robots.txt."""

from __future__ import annotations

from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from masthead.billing import entitlements
from masthead.content import page_cache, selectors
from masthead.content import views as content_views
from masthead.core.text import query_text
from masthead.paywall import crawlers, gate
from masthead.paywall.models import CrawlerSettings

SEARCH_QUERY_MAX_LENGTH = 200


def reads_every_article_whole(request) -> bool:
    """Staff and subscribers: the readers whose search may match the gated text.

    Not a reader with free metered articles left: their meter would let them read one
    article, not confirm sentences in all of them (PAYWALL.md, where text can leak).
    """
    user = request.user
    if not user.is_authenticated:
        return False
    return user.is_staff or entitlements.for_request(request).paid_access


@require_safe
def search(request):
    query = query_text(request.GET.get("q"), max_length=SEARCH_QUERY_MAX_LENGTH)
    results = None
    if query:
        found = selectors.search_articles(
            text=query,
            whole_text=reads_every_article_whole(request),
            teaser_blocks=gate.site_paywall(request).policy.teaser_blocks,
        )
        results = selectors.paginate(found, request.GET.get("page"))
    response = TemplateResponse(
        request, "content/search.html", {"query": query, "results": results}
    )
    # What matches depends on who asks.
    page_cache.set_cache_headers(response, shared=False)
    return response


@require_safe
def robots_txt(request):
    """The site's rules for every crawler, then the editor's crawler policy, then sitemaps."""
    policy = CrawlerSettings.for_request(request)
    sections = (
        content_views.ROBOTS_RULES,
        crawlers.robots_groups(policy.choices()),
        content_views.robots_sitemap_lines(request),
    )
    text = "\n\n".join("\n".join(lines) for lines in sections if lines)
    return HttpResponse(text + "\n", content_type="text/plain")
