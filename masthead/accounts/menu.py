"""The account menu in the site header: a slot filler, and a tag for uncached pages."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest
from django.template.loader import render_to_string

from masthead.billing import entitlements
from masthead.core import generations
from masthead.core.memo import Memo

# The anonymous menu differs only by the page it returns to.
_anonymous = Memo(max_entries=4000)
# A signed-in reader's by page, until their account or subscription changes.
_signed_in = Memo(max_entries=20000)


def account_links_html(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return _anonymous.get_or_set(
            request.path,
            lambda: render_to_string(
                "accounts/menu.html", {"next_query": urlencode({"next": request.path})}
            ),
        )
    key = (user.pk, generations.current(request, generations.ACCOUNTS), request.path)
    return _signed_in.get_or_set(key, lambda: _signed_in_menu(request, user))


def _signed_in_menu(request: HttpRequest, user) -> str:
    next_query = urlencode({"next": request.path})
    offer_subscription = not user.is_staff and not entitlements.for_request(request).paid_access
    return render_to_string(
        "accounts/menu.html",
        {
            "next_query": next_query,
            # Never the e-mail address, or a part of it: on a shared screen it is
            # as public as the page.
            "name": user.first_name or "Your account",
            "offer_subscription": offer_subscription,
        },
    )
