from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe

from masthead.billing import selectors


@require_safe
def subscribe(request):
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    return TemplateResponse(
        request,
        "billing/subscribe.html",
        {"plans": selectors.active_plans(), "next": next_url},
    )
