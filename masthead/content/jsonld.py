"""schema.org NewsArticle markup for an article page."""

from __future__ import annotations

import json

from django.utils.safestring import SafeString, mark_safe

from masthead.content.models import ArticlePage, AuthorPage, PublicationSettings

GATED_CSS_CLASS = "article__gated"
IMAGE_SPEC = "fill-1200x675"
LOGO_SPEC = "max-600x60"
# JSON inside <script> must not be able to close the element or open a comment.
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def news_article(
    *,
    article: ArticlePage,
    authors: list[AuthorPage],
    publication: PublicationSettings,
    request,
) -> dict:
    absolute = request.build_absolute_uri
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": absolute(article.url)},
        "headline": article.title[:110],
        "description": article.dek,
        "datePublished": article.first_published_at.isoformat()
        if article.first_published_at
        else None,
        "dateModified": (article.last_published_at or article.first_published_at).isoformat()
        if article.first_published_at
        else None,
        "author": [
            {"@type": "Person", "name": author.title, "url": absolute(author.url)}
            for author in authors
        ],
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": publication.name,
            "url": absolute("/"),
        },
        "isAccessibleForFree": article.is_free,
    }
    if article.lead_image:
        rendition = article.lead_image.get_rendition(IMAGE_SPEC)
        data["image"] = [absolute(rendition.url)]
    if publication.logo:
        logo = publication.logo.get_rendition(LOGO_SPEC)
        data["publisher"]["logo"] = {
            "@type": "ImageObject",
            "url": absolute(logo.url),
            "width": logo.width,
            "height": logo.height,
        }
    if article.section:
        data["articleSection"] = article.section.title
    if not article.is_free:
        # Google's markup for paywalled content: the part a crawler may read
        # whole but a reader may not is the element with this class.
        data["hasPart"] = {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": f".{GATED_CSS_CLASS}",
        }
    return data


def script_json(data: dict) -> SafeString:
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))  # noqa: S308
