"""Share links for an article: plain links carrying its canonical URL, no third-party script.

Which networks a newsroom offers is ``MASTHEAD_SHARE_NETWORKS`` (keys of ``NETWORKS``,
in the order shown). The links are the same for every reader, so they are rendered
into the article's cached variants, not into a per-reader slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Network:
    label: str
    # ``{url}`` and ``{title}`` are filled in quoted; ``{text}`` is the title and the URL.
    pattern: str


NETWORKS = {
    "x": Network("X", "https://x.com/intent/post?url={url}&text={title}"),
    "facebook": Network("Facebook", "https://www.facebook.com/sharer/sharer.php?u={url}"),
    "linkedin": Network("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?url={url}"),
    "bluesky": Network("Bluesky", "https://bsky.app/intent/compose?text={text}"),
    "whatsapp": Network("WhatsApp", "https://wa.me/?text={text}"),
    "reddit": Network("Reddit", "https://www.reddit.com/submit?url={url}&title={title}"),
    "threads": Network("Threads", "https://www.threads.net/intent/post?text={text}"),
    "telegram": Network("Telegram", "https://t.me/share/url?url={url}&text={title}"),
}
DEFAULT_NETWORKS = ("x", "facebook", "linkedin", "bluesky", "whatsapp", "reddit")


@dataclass(frozen=True)
class ShareLink:
    key: str
    label: str
    href: str


def configured_networks() -> list[str]:
    keys = list(getattr(settings, "MASTHEAD_SHARE_NETWORKS", DEFAULT_NETWORKS))
    unknown = [key for key in keys if key not in NETWORKS]
    if unknown:
        raise ImproperlyConfigured(
            f"MASTHEAD_SHARE_NETWORKS has unknown networks {unknown}; known: {sorted(NETWORKS)}"
        )
    return keys


def network_links(url: str, title: str) -> list[ShareLink]:
    values = {
        "url": quote(url, safe=""),
        "title": quote(title, safe=""),
        "text": quote(f"{title} {url}", safe=""),
    }
    return [
        ShareLink(key, NETWORKS[key].label, NETWORKS[key].pattern.format(**values))
        for key in configured_networks()
    ]


def email_link(url: str, title: str) -> str:
    # quote, not urlencode's "+": mail clients show a "+" for a space in mailto bodies.
    return "mailto:?" + urlencode({"subject": title, "body": f"{title}\n\n{url}"}, quote_via=quote)
