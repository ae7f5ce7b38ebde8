from django import template

from masthead.ads.slots import render_slot
from masthead.billing.entitlements import for_request

register = template.Library()


@register.simple_tag(takes_context=True)
def ad_slot(context, placement):
    request = context["request"]
    paid = request.user.is_authenticated and for_request(request).paid_access
    return render_slot(placement, paid_access=paid, request=request)
