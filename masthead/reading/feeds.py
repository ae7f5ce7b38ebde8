"""RSS 2.0 and Atom feeds for the site and for each section.

A feed item carries the article body only when the article is free; every
other article carries its dek and the paywall's teaser, so that a feed
never hands out text the paywall would hold back.
"""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape

from masthead.content import selectors
from masthead.content.models import PublicationSettings, SectionPage
from masthead.content.rendering import body_html
from masthead.paywall.gate import site_paywall

FEED_SIZE = 30


class SiteRssFeed(Feed):
    feed_type = Rss201rev2Feed

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
        return f"<p><strong>{escape(item.dek)}</strong></p>\n{teaser}"

    def item_author_name(self, item):
        return ", ".join(author.title for author in item.authors.all()) or None

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at


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
