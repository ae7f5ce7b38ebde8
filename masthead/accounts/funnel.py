"""The paywall's register offer, counted when it is taken: an account created from it."""

from __future__ import annotations

from masthead.insights import attribution, events

# The prompt's "create a free account" link carries ?from=paywall; the sign-up form keeps
# it in a hidden field, so the account's creation (a POST) knows where it came from.
FROM_PAYWALL = "paywall"


def register_offer_taken(sender, *, request, user, **kwargs) -> None:
    """allauth's ``user_signed_up``: recorded for a sign-up that came from the offer."""
    if request is None or request.POST.get("from") != FROM_PAYWALL:
        return
    events.record(
        events.EventKind.REGISTER_OFFER_TAKEN,
        # The article whose wall made the offer (the form's next), for the top articles.
        article_id=attribution.page_id_at(request, request.POST.get("next", "")),
        reader_class="anonymous",
        user_id=user.pk,
    )
