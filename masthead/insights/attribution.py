"""Which page a funnel event came from, for crediting checkouts to articles."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest
from wagtail.models import Page


def page_id_at(request: HttpRequest, next_url: str) -> int | None:
    """The id of the live page at ``next_url`` on this site (the page a subscribe link
    was followed from), or None. Routes through Wagtail's tree: a few queries, paid
    only when a checkout starts.
    """
    path = urlsplit(next_url or "").path
    if not path or path == "/":
        return None
    try:
        page = Page.find_for_request(request, path)
    except Exception:  # noqa: BLE001 - attribution must never break a checkout
        return None
    return page.pk if page is not None and page.live else None
