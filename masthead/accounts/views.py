from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from masthead.accounts.forms import DisplayNameForm
from masthead.billing import entitlements, providers, services
from masthead.billing.models import SubscriptionStatus
from masthead.comments import services as comment_services
from masthead.comments.services import reply_notifications_enabled
from masthead.content.models import PublicationSettings
from masthead.gifts import services as gift_services
from masthead.newsletters import subscriptions as newsletter_subscriptions


def _account_page(request, *, name_form: DisplayNameForm | None = None, status: int = 200):
    entitlement = entitlements.for_user(request.user)
    now = timezone.now()
    gifts = [(gift, gift.state(now)) for gift in gift_services.gifts_of(request.user)]
    ticked = newsletter_subscriptions.subscribed_ids(request.user)
    return TemplateResponse(
        request,
        "accounts/account.html",
        {
            "entitlement": entitlement,
            "subscription": entitlement.subscription,
            "testmode": providers.get().name == "testmode",
            "reply_notifications": reply_notifications_enabled(request.user),
            "name_form": name_form
            or DisplayNameForm(
                user=request.user, initial={"display_name": request.user.first_name}
            ),
            "neutral_name": comment_services.NEUTRAL_NAME,
            "gifts": gifts,
            "newsletter_choices": [
                (n, n.pk in ticked) for n in newsletter_subscriptions.available_to(request.user)
            ],
        },
        status=status,
    )


@login_required
def account(request):
    return _account_page(request)


@login_required
@require_POST
def display_name_update(request):
    form = DisplayNameForm(request.POST, user=request.user)
    if not form.is_valid():
        return _account_page(request, name_form=form, status=400)
    name = comment_services.display_name_set(
        user=request.user, name=form.cleaned_data["display_name"]
    )
    messages.success(request, f"Your name is now “{name}”.")
    return redirect("account")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def subscription_cancel(request):
    """GET asks for confirmation and says what cancelling means; the POST cancels."""
    if request.method != "POST":
        sub = services.current_subscription(request.user)
        if sub is None or sub.status == SubscriptionStatus.CANCELED or sub.cancel_at_period_end:
            return redirect("account")
        return TemplateResponse(request, "accounts/cancel.html", {"subscription": sub})
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
