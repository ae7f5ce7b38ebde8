from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from masthead.billing import entitlements, providers, services
from masthead.comments.services import reply_notifications_enabled
from masthead.content.models import PublicationSettings


@login_required
def account(request):
    entitlement = entitlements.for_user(request.user)
    return TemplateResponse(
        request,
        "accounts/account.html",
        {
            "entitlement": entitlement,
            "subscription": entitlement.subscription,
            "testmode": providers.get().name == "testmode",
            "reply_notifications": reply_notifications_enabled(request.user),
        },
    )


@login_required
@require_POST
def subscription_cancel(request):
    try:
        sub = services.subscription_set_cancel(user=request.user, cancel=True)
    except LookupError:
        messages.error(request, "You have no subscription to cancel.")
    else:
        end = sub.current_period_end
        if end:
            zone = PublicationSettings.for_request(request).zone
            end = timezone.localtime(end, zone)
        messages.success(
            request,
            "Your subscription is cancelled."
            + (f" You keep full access until {end:%B %-d, %Y}." if end else ""),
        )
    return redirect("account")


@login_required
@require_POST
def subscription_resume(request):
    try:
        services.subscription_set_cancel(user=request.user, cancel=False)
    except LookupError:
        messages.error(request, "You have no subscription to resume.")
    else:
        messages.success(request, "Your subscription will renew as before.")
    return redirect("account")
