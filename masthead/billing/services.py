"""Writes to billing's tables: plans, checkouts, subscriptions and webhook events.

The facts this depends on (docs/billing-flows.md): provider events arrive
late, twice and out of order, so every subscription event re-reads the
subscription from the provider and applies that newest state; an event id
is processed once; a handler error rolls its changes back and the event
stays failed until a redelivery succeeds.
"""

from __future__ import annotations

import logging
import traceback
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from masthead.billing import emails, entitlements, providers
from masthead.billing.models import (
    Customer,
    EventStatus,
    Interval,
    Plan,
    RejectedWebhook,
    RejectedWebhookTally,
    RejectReason,
    Subscription,
    SubscriptionStatus,
    TrialClaim,
    WebhookEvent,
)
from masthead.billing.providers import ProviderEvent, SubscriptionState
from masthead.billing.providers.testmode import CheckoutAlreadyCompleted
from masthead.insights import events

logger = logging.getLogger(__name__)

# A year of weeks costs $104 and of months $96; the yearly plan is the cheapest way to read.
DEMO_PLANS = (
    {"name": "Weekly", "price_minor": 200, "interval": Interval.WEEK, "trial_days": 14},
    {"name": "Monthly", "price_minor": 800, "interval": Interval.MONTH, "trial_days": 14},
    {
        "name": "Yearly",
        "price_minor": 8000,
        "interval": Interval.YEAR,
        "trial_days": 14,
        "highlight": "Best value",
    },
)
# The first demo's prices, where a year of weeks ($26) cost less than the yearly plan ($60).
_OLD_DEMO_PRICES = {"Weekly": 50, "Monthly": 600, "Yearly": 6000}
SUBSCRIPTION_EVENTS = {
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.trial_will_end",
    "invoice.paid",
    "invoice.payment_failed",
}

# Refused webhooks: anyone can send them, so what we keep of them is bounded.
REJECTED_SAMPLES_KEPT = 100
REJECTED_EXCERPT_BYTES = 500
REJECTED_COUNTS_KEPT = timedelta(days=90)


class CheckoutRefused(Exception):
    """The reader cannot start this checkout (already subscribed, or a second trial)."""


@transaction.atomic
def plans_ensure_demo() -> list[Plan]:
    """The demo's plans, created once; a database made with the first demo's prices gets these.

    Only plans exactly as the first demo made them change (never one sold through Stripe);
    a subscription keeps its plan row, as when an editor reprices a plan.
    """
    if Plan.objects.exists():
        plans = list(Plan.objects.select_for_update())
        old = {p.name: p for p in plans if not p.stripe_price_id}
        if len(plans) == len(DEMO_PLANS) and all(
            old.get(name) and old[name].price_minor == price
            for name, price in _OLD_DEMO_PRICES.items()
        ):
            for spec in DEMO_PLANS:
                plan = old[spec["name"]]
                plan.price_minor = spec["price_minor"]
                plan.highlight = spec.get("highlight", plan.highlight)
                plan.save(update_fields=["price_minor", "highlight"])
        return plans
    return [
        Plan.objects.create(position=position, currency="usd", **spec)
        for position, spec in enumerate(DEMO_PLANS)
    ]


def customer_id_for(user, provider_name: str) -> str | None:
    return (
        Customer.objects.filter(user=user, provider=provider_name)
        .values_list("provider_customer_id", flat=True)
        .first()
    )


def trial_available(*, user, provider_name: str) -> bool:
    """Whether to offer a trial at checkout: one per account, and per provider customer.

    Only an offer: checkouts started before the first one completes all carry it, so
    the trial is decided again when a subscription arrives (``_keep_one_trial``).
    """
    if not entitlements.for_user(user).trial_available:
        return False
    if TrialClaim.objects.filter(user=user).exists():
        return False
    customer_id = customer_id_for(user, provider_name)
    if customer_id is None:
        return True
    shared = Customer.objects.filter(provider=provider_name, provider_customer_id=customer_id)
    return not Subscription.objects.filter(
        user__in=shared.values("user"), trial_end__isnull=False
    ).exists()


def checkout_start(*, user, plan: Plan, success_url: str, cancel_url: str) -> str:
    """The URL of a checkout for ``plan``; refuses readers who already have paid access."""
    if not plan.active:
        raise CheckoutRefused("This plan is no longer on sale.")
    if entitlements.for_user(user).paid_access:
        raise CheckoutRefused("You already have a subscription.")
    provider = providers.get()
    trial_days = plan.trial_days if trial_available(user=user, provider_name=provider.name) else 0
    return provider.start_checkout(
        user=user,
        plan=plan,
        customer_id=customer_id_for(user, provider.name),
        trial_days=trial_days,
        success_url=success_url,
        cancel_url=cancel_url,
    )


def _plan_for(state: SubscriptionState) -> Plan | None:
    if state.provider == "stripe":
        return Plan.objects.filter(stripe_price_id=state.price_ref).first()
    return Plan.objects.filter(pk=int(state.price_ref)).first() if state.price_ref else None


def _user_for(state: SubscriptionState):
    customer = (
        Customer.objects.filter(provider=state.provider, provider_customer_id=state.customer_id)
        .select_related("user")
        .first()
    )
    if customer:
        return customer.user
    if state.user_id:
        return get_user_model().objects.filter(pk=state.user_id).first()
    return None


def customer_link(*, user, provider_name: str, customer_id: str) -> None:
    if not customer_id:
        return
    try:
        with transaction.atomic():
            Customer.objects.get_or_create(
                provider=provider_name,
                provider_customer_id=customer_id,
                defaults={"user": user},
            )
    except IntegrityError:
        logger.warning("customer %s already linked elsewhere", customer_id)


def trial_claim(*, user, provider_name: str, subscription_id: str) -> bool:
    """Whether this subscription holds the account's one trial, claiming it if it is free.

    The claim is a unique row per account: of two subscriptions arriving at once, one
    insert wins and the other waits for it, fails and reads the winner's claim.
    """
    try:
        with transaction.atomic():
            claim, _ = TrialClaim.objects.get_or_create(
                user=user,
                defaults={"provider": provider_name, "provider_subscription_id": subscription_id},
            )
    except IntegrityError:
        claim = TrialClaim.objects.get(user=user)
    return (claim.provider, claim.provider_subscription_id) == (provider_name, subscription_id)


def _keep_one_trial(*, user, state: SubscriptionState) -> SubscriptionState:
    """The provider's state, with the trial ended at the provider if the account used it up.

    A Checkout Session carries the trial it was created with, so a second session
    started before the first completed (another tab, parallel requests) comes back
    trialing too: here, when it completes, is where the one trial is decided.
    """
    if state.trial_end is None:
        return state
    if trial_claim(user=user, provider_name=state.provider, subscription_id=state.subscription_id):
        return state
    if state.status != SubscriptionStatus.TRIALING or state.trial_end <= timezone.now():
        return state  # the trial is over already; nothing left to take back
    logger.warning(
        "ending the trial of %s %s: account %s used its trial",
        state.provider,
        state.subscription_id,
        user.pk,
    )
    return providers.get(state.provider).end_trial(state.subscription_id)


def subscription_sync(*, state: SubscriptionState, seen_at: datetime) -> Subscription:
    """Bring our row to the provider's current state. Call inside a transaction."""
    user = _user_for(state)
    plan = _plan_for(state)
    if user is None or plan is None:
        raise LookupError(
            f"subscription {state.subscription_id}: unknown reader or price {state.price_ref!r}"
        )
    customer_link(user=user, provider_name=state.provider, customer_id=state.customer_id)
    state = _keep_one_trial(user=user, state=state)
    Subscription.objects.bulk_create(
        [
            Subscription(
                user=user,
                plan=plan,
                provider=state.provider,
                provider_subscription_id=state.subscription_id,
                status=SubscriptionStatus.INCOMPLETE,
            )
        ],
        ignore_conflicts=True,
    )
    sub = Subscription.objects.select_for_update().get(
        provider=state.provider, provider_subscription_id=state.subscription_id
    )
    before = (sub.status, sub.cancel_at_period_end, sub.provider_updated_at)
    if sub.provider_updated_at and seen_at < sub.provider_updated_at:
        # The state came from the provider now, so it is the newest; only the
        # timestamp we keep must not go backwards.
        seen_at = sub.provider_updated_at
    sub.plan = plan
    sub.status = state.status
    sub.current_period_end = state.current_period_end
    sub.trial_end = state.trial_end or sub.trial_end
    sub.cancel_at_period_end = state.cancel_at_period_end
    sub.canceled_at = state.canceled_at
    sub.provider_updated_at = seen_at
    sub.save()
    _announce_changes(sub, was_status=before[0], was_cancelling=before[1], is_new=not before[2])
    return sub


def _announce_changes(sub: Subscription, *, was_status, was_cancelling, is_new) -> None:
    paid = {SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE}
    if is_new and sub.status in paid and not _paid_elsewhere(sub):
        emails.send_after_commit("welcome", sub)
        kind = "trial_started" if sub.status == SubscriptionStatus.TRIALING else None
        events.record(kind or "subscription_activated", article_id=None, user_id=sub.user_id)
    elif was_status != SubscriptionStatus.ACTIVE and sub.status == SubscriptionStatus.ACTIVE:
        events.record("subscription_activated", article_id=None, user_id=sub.user_id)
    if sub.status == SubscriptionStatus.CANCELED and was_status != SubscriptionStatus.CANCELED:
        if not was_cancelling:
            emails.send_after_commit("cancelled", sub)
        events.record("subscription_cancelled", article_id=None, user_id=sub.user_id)
    elif sub.cancel_at_period_end and not was_cancelling:
        emails.send_after_commit("cancelled", sub)
        events.record("subscription_cancelled", article_id=None, user_id=sub.user_id)


def _paid_elsewhere(sub: Subscription) -> bool:
    """Whether another subscription already gives this reader access (no second welcome)."""
    now = timezone.now()
    others = Subscription.objects.filter(user_id=sub.user_id).exclude(pk=sub.pk)
    return any(entitlements.grants_access(other, now) for other in others)


def _apply(event: ProviderEvent, provider) -> None:
    if event.type == "checkout.session.completed" and event.user_id and event.customer_id:
        user = get_user_model().objects.filter(pk=event.user_id).first()
        if user:
            customer_link(user=user, provider_name=provider.name, customer_id=event.customer_id)
    if not event.subscription_id:
        return
    # Hold our row (once it exists) while asking the provider, so that two events
    # about one subscription apply what they read in the order they read it.
    list(
        Subscription.objects.select_for_update()
        .filter(provider=provider.name, provider_subscription_id=event.subscription_id)
        .values_list("pk", flat=True)
    )
    state = provider.fetch_subscription(event.subscription_id)
    sub = subscription_sync(state=state, seen_at=event.created)
    if event.type == "invoice.payment_failed":
        emails.send_after_commit("payment_failed", sub)
    if event.type == "customer.subscription.trial_will_end" and not sub.trial_reminder_sent:
        sub.trial_reminder_sent = True
        sub.save(update_fields=["trial_reminder_sent"])
        emails.send_after_commit("trial_ending", sub)


def event_receive(*, event: ProviderEvent, provider=None) -> EventStatus:
    """Process a verified event once. Raises on a handler error, after recording it."""
    provider = provider or providers.get()
    if event.type not in SUBSCRIPTION_EVENTS:
        return EventStatus.IGNORED
    try:
        with transaction.atomic():
            WebhookEvent.objects.create(
                provider=provider.name, event_id=event.id, type=event.type, payload=event.payload
            )
    except IntegrityError:
        pass  # delivered before (or right now, by a racing delivery): the lock decides
    with transaction.atomic():
        stored = WebhookEvent.objects.select_for_update().get(
            provider=provider.name, event_id=event.id
        )
        if stored.status == EventStatus.PROCESSED:
            return EventStatus.IGNORED
        stored.attempts += 1
        try:
            with transaction.atomic():
                _apply(event, provider)
        except Exception as exc:
            stored.status = EventStatus.FAILED
            stored.error = "".join(traceback.format_exception(exc))[-4000:]
            stored.save(update_fields=["status", "error", "attempts"])
            failure = exc
        else:
            stored.status = EventStatus.PROCESSED
            stored.error = ""
            stored.processed_at = timezone.now()
            stored.save(update_fields=["status", "error", "attempts", "processed_at"])
            return EventStatus.PROCESSED
    raise failure


@transaction.atomic
def webhook_reject(
    *, provider_name: str, kind: str, reason: str, remote_addr: str, body: bytes
) -> None:
    """Count a refused delivery and keep it as one of the newest samples.

    Unauthenticated callers reach this as often as they like, so it never adds a
    row per call: one count per provider, reason and hour (older than
    ``REJECTED_COUNTS_KEPT`` dropped), and the newest ``REJECTED_SAMPLES_KEPT`` samples.
    """
    if kind not in RejectReason.values:
        kind = RejectReason.MALFORMED
    now = timezone.now()
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    _tally(provider_name=provider_name, kind=kind, hour=hour)
    sample = RejectedWebhook.objects.create(
        provider=provider_name,
        kind=kind,
        reason=reason[:255],
        remote_addr=remote_addr or None,
        body_excerpt=body[:REJECTED_EXCERPT_BYTES].decode("utf-8", errors="replace"),
    )
    RejectedWebhook.objects.filter(pk__lte=sample.pk - REJECTED_SAMPLES_KEPT).delete()
    logger.warning("rejected %s webhook from %s: %s", provider_name, remote_addr, reason)


def _tally(*, provider_name: str, kind: str, hour: datetime) -> None:
    counts = RejectedWebhookTally.objects.filter(provider=provider_name, kind=kind, hour=hour)
    if counts.update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            RejectedWebhookTally.objects.create(
                provider=provider_name, kind=kind, hour=hour, count=1
            )
    except IntegrityError:
        counts.update(count=F("count") + 1)  # a racing request made this hour's row
        return
    # A new hour: the one moment to let the oldest counts go.
    RejectedWebhookTally.objects.filter(hour__lt=hour - REJECTED_COUNTS_KEPT).delete()


def current_subscription(user) -> Subscription | None:
    return entitlements.for_user(user).subscription


def subscription_set_cancel(*, user, cancel: bool) -> Subscription:
    """Cancel at the end of the paid period (or undo that), at the provider first."""
    sub = current_subscription(user)
    if sub is None or not sub.provider_subscription_id:
        raise LookupError("No subscription to change.")
    provider = providers.get(sub.provider)
    state = provider.set_cancel_at_period_end(sub.provider_subscription_id, cancel)
    with transaction.atomic():
        return subscription_sync(state=state, seen_at=timezone.now())


@transaction.atomic
def testmode_checkout_complete(*, user, plan: Plan, checkout: dict) -> bool:
    """Complete a test-mode checkout once, and apply its events; False if it was done before.

    All or nothing: a failure leaves neither the provider's record nor ours, so the
    reader can simply confirm again.
    """
    provider = providers.get("testmode")
    trial = checkout["trial"] if trial_available(user=user, provider_name=provider.name) else 0
    try:
        events = provider.complete_checkout(
            user=user, plan=plan, trial_days=trial, checkout_id=checkout.get("id", "")
        )
    except CheckoutAlreadyCompleted:
        return False
    testmode_deliver(events)
    return True


def testmode_deliver(events: list[ProviderEvent]) -> None:
    """Hand test-mode events to the same path as Stripe's webhooks."""
    provider = providers.get("testmode")
    for event in events:
        event_receive(event=event, provider=provider)
