"""Subscribe, checkout, portal and webhook views: parse, call a service, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from masthead.billing import entitlements, providers, selectors, services
from masthead.billing.models import Plan
from masthead.billing.providers.testmode import TestModeProvider
from masthead.insights import attribution, events

TESTMODE_ACTIONS = {
    "trial_will_end": "Send the 'trial ends in 3 days' reminder",
    "end_trial": "End the trial now (first payment succeeds)",
    "fail_payment": "Fail the next payment (past due)",
    "pay": "Pay the overdue invoice",
    "end_period": "Reach the end of the billing period",
    "cancel_now": "Cancel immediately",
}


def safe_next(request, default: str = "/") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return default


# Links from the paywall's prompt carry ?from=paywall, so the funnel counts the click.
FROM_PAYWALL = "paywall"


def _record_click(request, *, plan_id: int | None = None) -> None:
    if request.GET.get("from") == FROM_PAYWALL:
        events.record(
            events.EventKind.SUBSCRIBE_CLICKED,
            # The article whose wall it was, so one section's or author's funnel has it.
            article_id=attribution.page_id_at(request, safe_next(request)),
            outcome=str(plan_id or ""),
            user_id=request.user.pk if request.user.is_authenticated else None,
        )


@require_safe
def subscribe(request):
    _record_click(request)
    entitlement = entitlements.for_user(request.user)
    return TemplateResponse(
        request,
        "billing/subscribe.html",
        {
            "plans": selectors.active_plans(),
            "next": safe_next(request),
            "entitlement": entitlement,
            "testmode": providers.get().name == "testmode",
        },
    )


def _plan_path(plan: Plan, next_url: str) -> str:
    return f"{reverse('subscribe-plan', args=[plan.pk])}?{urlencode({'next': next_url})}"


@require_safe
def subscribe_plan(request, plan_id: int):
    """One plan's way to checkout, a plain link: the plan survives sign-up and verification.

    A reader without an account signs up first and comes back here; a reader with one
    goes straight to the provider's checkout, whose own page is the confirmation (nothing
    is charged before the reader confirms there), so a GET is safe to start it.
    """
    _record_click(request, plan_id=plan_id)
    next_url = safe_next(request)
    plan = Plan.objects.filter(pk=plan_id, active=True).first()
    if plan is None:
        messages.error(request, "That plan is no longer on sale. Choose one of these.")
        return redirect(f"{reverse('subscribe')}?{urlencode({'next': next_url})}")
    if not request.user.is_authenticated:
        back = _plan_path(plan, next_url)
        return redirect(f"{reverse('account_signup')}?{urlencode({'next': back})}")
    return _checkout(request, plan, next_url)


@require_POST
def checkout(request):
    next_url = safe_next(request)
    plan_id = request.POST.get("plan", "")
    plan = Plan.objects.filter(pk=plan_id, active=True).first() if plan_id.isdigit() else None
    if not request.user.is_authenticated:
        # The plan comes along through sign-up and e-mail verification.
        back = (
            _plan_path(plan, next_url)
            if plan
            else f"{reverse('subscribe')}?{urlencode({'next': next_url})}"
        )
        return redirect(f"{reverse('account_signup')}?{urlencode({'next': back})}")
    if plan is None:
        messages.error(request, "Choose one of the plans below.")
        return redirect(f"{reverse('subscribe')}?{urlencode({'next': next_url})}")
    return _checkout(request, plan, next_url)


def _checkout(request, plan: Plan, next_url: str):
    success = request.build_absolute_uri(reverse("billing:checkout-success"))
    success += "?" + urlencode({"next": next_url})
    try:
        url = services.checkout_start(
            user=request.user,
            plan=plan,
            success_url=success,
            cancel_url=request.build_absolute_uri(next_url),
        )
    except services.CheckoutRefused as refusal:
        messages.info(request, str(refusal))
        return redirect("account")
    except providers.ProviderUnavailable:
        return payments_unavailable(request, back=next_url)
    # Credited to the page the reader came from (the publisher's top articles).
    events.record(
        "checkout_started",
        article_id=attribution.page_id_at(request, next_url),
        user_id=request.user.pk,
    )
    return redirect(url)


# How long we suggest waiting; the page says "a few minutes".
RETRY_AFTER_SECONDS = 120


def payments_unavailable(request, *, back: str) -> TemplateResponse:
    """503: the card processor did not answer. Nothing was started, so trying again is safe."""
    response = TemplateResponse(request, "billing/unavailable.html", {"next": back}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@login_required
@require_safe
def checkout_success(request):
    # Access never comes from this URL: only a verified event (or the provider's own
    # record, fetched server-side) grants it. This page just says what happens next.
    entitlement = entitlements.for_user(request.user)
    if entitlement.paid_access:
        messages.success(request, "Welcome! You now have unlimited access.")
        return redirect(safe_next(request))
    return TemplateResponse(
        request,
        "billing/checkout_success.html",
        {"next": safe_next(request), "entitlement": entitlement},
    )


@login_required
def test_checkout(request):
    provider = providers.get()
    if not isinstance(provider, TestModeProvider):
        raise Http404("Test mode is off.")
    token = request.POST.get("token") or request.GET.get("token", "")
    try:
        details = provider.read_checkout(token)
    except providers.InvalidWebhook as invalid:
        return HttpResponseBadRequest(str(invalid))
    if details["user"] != request.user.pk:
        return HttpResponse("This checkout belongs to another reader.", status=403)
    plan = get_object_or_404(Plan, pk=details["plan"])
    if request.method == "POST":
        if entitlements.for_user(request.user).paid_access:
            return redirect("account")
        if not services.testmode_checkout_complete(user=request.user, plan=plan, checkout=details):
            return redirect("account")  # completed before, by another click or tab
        return redirect(details["next"])
    return TemplateResponse(
        request,
        "billing/test_checkout.html",
        {"plan": plan, "trial_days": details["trial"], "token": token},
    )


@login_required
def test_portal(request):
    provider = providers.get()
    if not isinstance(provider, TestModeProvider):
        raise Http404("Test mode is off.")
    sub = services.current_subscription(request.user)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if sub is None or action not in TESTMODE_ACTIONS:
            return HttpResponseBadRequest("Unknown action or no subscription.")
        services.testmode_deliver(provider.simulate(sub.provider_subscription_id, action))
        messages.success(request, f"Test mode: {TESTMODE_ACTIONS[action].lower()}.")
        return redirect("billing:test-portal")
    return TemplateResponse(
        request,
        "billing/test_portal.html",
        {"subscription": sub, "actions": TESTMODE_ACTIONS},
    )


@login_required
@require_POST
def portal(request):
    sub = services.current_subscription(request.user)
    if sub is None:
        return redirect("subscribe")
    provider = providers.get(sub.provider)
    customer_id = services.customer_id_for(request.user, provider.name)
    try:
        url = provider.portal_url(
            customer_id=customer_id or "",
            return_url=request.build_absolute_uri(reverse("account")),
        )
    except providers.ProviderUnavailable:
        return payments_unavailable(request, back=reverse("account"))
    return redirect(url)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """The only CSRF-exempt view: Stripe signs its deliveries instead."""
    if not (settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET):
        raise Http404("Stripe is not configured on this site.")
    provider = providers.get("stripe")
    try:
        event = provider.parse_webhook(payload=request.body, headers=request.headers)
    except providers.InvalidWebhook as invalid:
        services.webhook_reject(
            provider_name="stripe",
            kind=invalid.kind,
            reason=str(invalid),
            remote_addr=request.META.get("REMOTE_ADDR", ""),
            body=request.body,
        )
        return HttpResponseBadRequest(f"Invalid webhook: {invalid}")
    try:
        status = services.event_receive(event=event, provider=provider)
    except Exception:
        return HttpResponse("Handler failed; the event is stored as failed.", status=500)
    return HttpResponse(f"ok: {status}")
