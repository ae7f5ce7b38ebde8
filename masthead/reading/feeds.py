"""RSS 2.0 and Atom feeds for the site and for each section.

A feed item carries the article body only when the article is free; every
other article carries its dek and the paywall's teaser, so that a feed
never hands out text the paywall would hold back.

A feed is the same for every reader, so each (site, section, format) is kept in the
shared cache under the content and site generations: a publish, unpublish or move of
any page makes it stale, as does a change of the settings it shows (the paywall's
teaser, the publication's name). A request with a query string is built afresh and not
kept, as for the page cache.
"""

from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import escape, format_html

from masthead.content import page_cache, selectors
from masthead.content.models import PublicationSettings, SectionPage
from masthead.content.rendering import body_html
from masthead.core import generations
from masthead.paywall.gate import site_paywall

FEED_SIZE = 30
# The same crop as the article's Open Graph image.
FEED_IMAGE = "fill-1200x675"
MEDIA_NS = "http://search.yahoo.com/mrss/"


class MediaRssFeed(Rss201rev2Feed):
    """RSS 2.0 with Media RSS's ``media:content`` for each item's lead image."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:media": MEDIA_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        image = item.get("lead_image")
        if image:
            handler.addQuickElement("media:content", "", image)


FEED_CACHE_TIMEOUT = 24 * 3600
KEPT_HEADERS = ("Content-Type", "Last-Modified")


class CachedFeed(Feed):
    """A feed rendered once per content and site generation, for every reader alike."""

    def __call__(self, request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or request.META.get("QUERY_STRING"):
            return super().__call__(request, *args, **kwargs)
        content = generations.current(request, generations.CONTENT)
        site = generations.current(request, generations.SITE)
        key = f"feed:{page_cache.location(request)}:{content}:{site}"
        entry = cache.get(key)
        if entry is not None:
            body, headers = entry
            response = HttpResponse(body)
            for name, value in headers:
                response[name] = value
            return response
        response = super().__call__(request, *args, **kwargs)
        if response.status_code == 200:
            headers = [(name, response[name]) for name in KEPT_HEADERS if name in response]
            cache.set(key, (response.content, headers), FEED_CACHE_TIMEOUT)
        return response


class SiteRssFeed(CachedFeed):
    feed_type = MediaRssFeed

    def get_object(self, request, *args, **kwargs):
        self.request = request
        self.publication = PublicationSettings.for_request(request)
        self.paywall = site_paywall(request)
        return None

    def title(self):
        return self.publication.name

    def description(self):
        return self.publication.tagline or self.publication.name

    def link(self):
        return "/"

    def items(self):
        return selectors.published_articles()[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_link(self, item):
        return item.get_url(self.request)

    def item_description(self, item):
        if item.is_free:
            return body_html(item)
        # Feeds are read by anyone: metered and subscriber articles carry the teaser.
        teaser = body_html(item, blocks=self.paywall.policy.teaser_blocks)
        more = format_html(
            '<p><a href="{}">Continue reading on {}</a></p>',
            self.request.build_absolute_uri(item.get_url(self.request)),
            self.publication.name,
        )
        return f"<p><strong>{escape(item.dek)}</strong></p>\n{teaser}\n{more}"

    def _lead_rendition(self, item):
        if not item.lead_image:
            return None
        return item.lead_image.get_rendition(FEED_IMAGE)

    def item_enclosures(self, item):
        rendition = self._lead_rendition(item)
        if rendition is None:
            return []
        url = self.request.build_absolute_uri(rendition.url)
        try:
            length = rendition.file.size
        except OSError:
            length = 0  # RSS allows 0 when the size is unknown
        return [Enclosure(url, str(length), _mime_type(rendition))]

    def item_extra_kwargs(self, item):
        rendition = self._lead_rendition(item)
        if rendition is None:
            return {}
        return {
            "lead_image": {
                "url": self.request.build_absolute_uri(rendition.url),
                "medium": "image",
                "type": _mime_type(rendition),
                "width": str(rendition.width),
                "height": str(rendition.height),
            }
        }

    def item_author_name(self, item):
        return ", ".join(author.title for author in item.authors.all()) or None

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at


def _mime_type(rendition) -> str:
    extension = rendition.file.name.rsplit(".", 1)[-1].lower()
    return {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}.get(
        extension, f"image/{extension}"
    )


class SiteAtomFeed(SiteRssFeed):
    feed_type = Atom1Feed

    def subtitle(self):
        return self.description()


class SectionRssFeed(SiteRssFeed):
    def get_object(self, request, slug):
        super().get_object(request)
        return get_object_or_404(SectionPage.objects.live(), slug=slug)

    def title(self, section):
        return f"{section.title} – {self.publication.name}"

    def description(self, section):
        return section.intro or section.title

    def link(self, section):
        return section.get_url(self.request)

    def items(self, section):
        return selectors.section_articles(section=section)[:FEED_SIZE]
