import pytest

from masthead.content import demo_data
from masthead.content.models import ArticlePage

MARKER_CLASS = 'class="article__gated"'


def metered_articles() -> list[ArticlePage]:
    slugs = [a["slug"] for a in demo_data.ARTICLES if a["access"] == "metered"]
    return list(ArticlePage.objects.filter(slug__in=slugs).order_by("slug"))


def gated_sentence(article: ArticlePage) -> str:
    """A sentence from the part of the body only a reader with access gets."""
    spec = next(a for a in demo_data.ARTICLES if a["slug"] == article.slug)
    last = [b["text"] for b in spec["body"] if b["type"] == "paragraph"][-1]
    return last.split(". ")[0][:80]


def open_sentence(article: ArticlePage) -> str:
    spec = next(a for a in demo_data.ARTICLES if a["slug"] == article.slug)
    return spec["body"][0]["text"][:80]


@pytest.fixture
def reader(client):
    """A Django test client that already holds a reader cookie (it keeps cookies)."""
    article = metered_articles()[0]
    first = client.get(article.url)
    assert first.status_code == 302
    return client


def body(response) -> str:
    import html

    return html.unescape(response.content.decode())
