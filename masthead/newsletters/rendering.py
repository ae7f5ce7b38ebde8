"""An issue as the e-mail readers get: inlined HTML and a plain-text part, per variant.

An issue is rendered twice at most (the whole article for paid recipients, the teaser
for free ones), each with a stand-in where the reader's own unsubscribe link goes; a
recipient's message is one of those two with the stand-in replaced. The teaser is cut
here, before rendering, as on the site: the gated blocks of an article are never
rendered into a free recipient's e-mail at all.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from email.utils import formataddr, parseaddr

import css_inline
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from masthead.billing.emails import publication_sender
from masthead.content.models import AccessLevel, ArticlePage, PublicationSettings
from masthead.newsletters.models import Issue, Newsletter
from masthead.paywall.models import PaywallSettings

WHOLE, TEASER = "whole", "teaser"
# Replaced per recipient (``.invalid`` is reserved: no real link has it).
UNSUBSCRIBE_URL = "https://unsubscribe.invalid/mh-unsubscribe"
IMAGE_WIDTH = 600
# Under RFC 5322's 998 bytes a line: Django sends such parts as they are (8bit), where the
# unsubscribe stand-in stays whole for the sender to fill in (``messages``).
LINE_LIMIT = 990
_inliner = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)
_RELATIVE = re.compile(r'(\s(?:href|src)=")/(?!/)')


def base_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def absolute(html_text: str) -> str:
    return _RELATIVE.sub(lambda m: f"{m.group(1)}{base_url()}/", html_text)


@dataclass(frozen=True)
class RenderedVariant:
    html: str
    text: str

    def for_recipient(self, unsubscribe_url: str) -> tuple[str, str]:
        return (
            self.html.replace(UNSUBSCRIBE_URL, html.escape(unsubscribe_url)),
            self.text.replace(UNSUBSCRIBE_URL, unsubscribe_url),
        )


@dataclass(frozen=True)
class RenderedIssue:
    subject: str
    sender: str
    list_id: str
    variants: dict[str, RenderedVariant]


def sender_of(newsletter: Newsletter, publication: PublicationSettings | None) -> str:
    name, address = parseaddr(publication_sender(publication))
    return formataddr((newsletter.sender_name or name, newsletter.sender_address or address))


def variant_for(paid: bool) -> str:
    return WHOLE if paid else TEASER


def render_issue(issue: Issue, *, variants=(WHOLE, TEASER)) -> RenderedIssue:
    newsletter = issue.newsletter
    publication = PublicationSettings.objects.select_related("logo").first()
    teaser_blocks = (PaywallSettings.objects.first() or PaywallSettings()).teaser_blocks
    articles = issue_articles(issue)
    rendered = {
        variant: _render_variant(
            issue, newsletter, publication, articles, variant=variant, teaser_blocks=teaser_blocks
        )
        for variant in variants
    }
    domain = parseaddr(sender_of(newsletter, publication))[1].rpartition("@")[2] or "localhost"
    return RenderedIssue(
        subject=issue.subject,
        sender=sender_of(newsletter, publication),
        list_id=f"{newsletter.name} <{newsletter.slug}.{domain}>",
        variants=rendered,
    )


def issue_articles(issue: Issue) -> list[ArticlePage]:
    if issue.article_id:
        article = ArticlePage.objects.filter(pk=issue.article_id).first()
        return [article] if article else []
    by_id = ArticlePage.objects.live().in_bulk(issue.article_ids)
    return [by_id[pk] for pk in issue.article_ids if pk in by_id]


def article_parts(
    article: ArticlePage, *, variant: str, teaser_blocks: int, digest: bool = False
) -> dict:
    """The blocks a reader of this variant may read, as e-mail HTML and as text.

    A digest shows each article's opening block only, and never more than the teaser.
    """
    blocks = list(article.body)
    cut = article.access_level != AccessLevel.FREE and variant == TEASER
    limit = teaser_blocks if cut else len(blocks)
    if digest:
        limit = min(limit, 1)
    return {
        "article": article,
        "url": base_url() + article.url,
        "lead_image": _image(article.lead_image, article.lead_image_caption or article.title),
        "blocks": [_block(b) for b in blocks[:limit]],
        "cut": cut,
        "subscribers_only": article.access_level == AccessLevel.SUBSCRIBERS,
    }


def _render_variant(issue, newsletter, publication, articles, *, variant, teaser_blocks):
    context = {
        "issue": issue,
        "newsletter": newsletter,
        "publication_name": publication.name if publication else "Masthead",
        "logo": (
            _image(publication.logo, publication.name, width=240, density=2)
            if publication
            else None
        ),
        "site_url": base_url() + "/",
        "subscribe_url": base_url() + "/subscribe/",
        "account_url": base_url() + "/account/",
        "archive_url": f"{base_url()}/newsletters/{newsletter.slug}/",
        "unsubscribe_url": UNSUBSCRIBE_URL,
        "digest": issue.is_digest,
        "parts": [
            article_parts(a, variant=variant, teaser_blocks=teaser_blocks, digest=issue.is_digest)
            for a in articles
        ],
    }
    page = render_to_string("newsletters/email.html", context)
    text = render_to_string("newsletters/email.txt", context)
    return RenderedVariant(html=short_lines(_inliner.inline(page)), text=short_lines(text))


def short_lines(text: str, limit: int = LINE_LIMIT) -> str:
    """``text`` with every line over ``limit`` bytes broken at spaces.

    In HTML a line break where a space was is the same space (the e-mail has no ``pre``);
    a run without spaces longer than the limit stays as it is.
    """
    if all(len(line.encode()) <= limit for line in text.split("\n")):
        return text
    lines = []
    for line in text.split("\n"):
        if len(line.encode()) <= limit:
            lines.append(line)
            continue
        current, size = [], 0
        for word in line.split(" "):
            word_size = len(word.encode()) + (1 if current else 0)
            if current and size + word_size > limit:
                lines.append(" ".join(current))
                current, size = [word], len(word.encode())
            else:
                current.append(word)
                size += word_size
        lines.append(" ".join(current))
    return "\n".join(lines)


def _image(image, alt: str, width: int = IMAGE_WIDTH, density: int = 1) -> dict | None:
    """An image at ``width`` CSS pixels, from a rendition ``density`` times as wide if the
    original has the pixels (the logo: sharp on phones' denser screens)."""
    if image is None:
        return None
    rendition = image.get_rendition(f"width-{width * density}")
    url = rendition.url
    if url.startswith("/"):
        url = base_url() + url
    shown = min(width, rendition.width)
    height = round(rendition.height * shown / rendition.width) if rendition.width else 0
    return {"url": url, "width": shown, "height": height, "alt": alt}


def _block(child) -> dict:
    kind, value = child.block_type, child.value
    if kind == "paragraph":
        markup = absolute(str(value.__html__() if hasattr(value, "__html__") else value))
        return {"kind": kind, "html": mark_safe(markup), "text": _text(markup)}  # noqa: S308 - sanitised rich text
    if kind == "subheading":
        return {"kind": kind, "text": str(value)}
    if kind == "quote":
        return {"kind": kind, "text": value["text"], "attribution": value.get("attribution", "")}
    if kind == "image":
        caption = value.get("caption") or ""
        image = _image(value["image"], caption or value["image"].title)
        return {"kind": kind, "image": image, "caption": caption}
    return {"kind": "other", "text": _text(str(child))}


def _text(markup: str) -> str:
    return html.unescape(strip_tags(markup)).strip()
