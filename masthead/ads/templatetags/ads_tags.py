from django import template

from masthead.ads.placement import inline_ad_positions
from masthead.ads.slots import paragraphs_per_ad, render_slot
from masthead.billing.entitlements import for_request

register = template.Library()


@register.simple_tag(takes_context=True)
def ad_slot(context, placement):
    request = context["request"]
    paid = request.user.is_authenticated and for_request(request).paid_access
    return render_slot(placement, paid_access=paid, request=request)


@register.simple_tag(takes_context=True)
def inline_ads(context, open_blocks, gated_blocks, variant):
    """Where the article's inline ads go, per part: ``{"open": [...], "gated": [...]}``.

    A teaser ends at the paywall's prompt, which carries no ad at its foot.
    """
    every = paragraphs_per_ad(context["request"])
    opened = len(open_blocks)
    after = inline_ad_positions(
        blocks=opened + len(gated_blocks), every=every, foot_ad=variant != "teaser"
    )
    return {
        "open": [p for p in after if p <= opened],
        "gated": [p - opened for p in after if p > opened],
    }
