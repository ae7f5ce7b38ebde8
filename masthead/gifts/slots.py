"""The article page's "gift" slot: the button for subscribers, the banner for gift readers."""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html

from masthead.gifts.models import Gift

NEUTRAL_GIVER = "a subscriber"


def giver_name(gift: Gift) -> str:
    """The giver's display name if they chose to show it and have one; else neutral."""
    name = gift.giver.first_name if gift.show_name else ""
    return name or NEUTRAL_GIVER


def gift_html(
    request: HttpRequest, *, article_id: int, paid_access: bool, gift: Gift | None
) -> str:
    if gift is not None:
        return render_to_string(
            "gifts/banner.html",
            {"giver": giver_name(gift), "next_query": urlencode({"next": request.path})},
        )
    if not paid_access:
        return ""
    return _offer_html(article_id)


@functools.lru_cache(maxsize=4096)
def _offer_html(article_id: int) -> str:
    # The same for every subscriber of an article for the life of the process (the
    # URLconf and the static manifest are fixed), and asked for on every view of it.
    # The dialog itself is a page of its own (gifts/new/): without JavaScript the link
    # goes there; gift.js opens the same page's panel in a dialog instead.
    return format_html(
        '<p class="gift-offer"><a class="button button--secondary button--small" href="{}?{}"'
        ' data-gift-dialog>Gift this article</a></p><script src="{}" defer></script>',
        reverse("gifts:new"),
        urlencode({"article": article_id}),
        static("masthead/gift.js"),
    )
