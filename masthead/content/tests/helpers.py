import json
import re
from html.parser import HTMLParser

from masthead.content import demo_data
from masthead.content.models import ArticlePage


def demo_article(access: str) -> ArticlePage:
    slug = next(a["slug"] for a in demo_data.ARTICLES if a["access"] == access)
    return ArticlePage.objects.get(slug=slug)


def last_paragraph(slug: str) -> str:
    spec = next(a for a in demo_data.ARTICLES if a["slug"] == slug)
    return [b["text"] for b in spec["body"] if b["type"] == "paragraph"][-1]


def jsonld_blocks(html: str) -> list[dict]:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in found]


class TagCollector(HTMLParser):
    """Collects start tags with their attributes, for asserting on page structure."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def find(self, tag, **attrs):
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]


def parse_tags(html: str) -> TagCollector:
    collector = TagCollector()
    collector.feed(html)
    return collector
