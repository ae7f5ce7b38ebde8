"""Writes to billing's tables."""

from __future__ import annotations

from django.db import transaction

from masthead.billing.models import Interval, Plan

DEMO_PLANS = (
    {"name": "Weekly", "price_minor": 50, "interval": Interval.WEEK, "trial_days": 14},
    {"name": "Monthly", "price_minor": 600, "interval": Interval.MONTH, "trial_days": 14},
    {
        "name": "Yearly",
        "price_minor": 6000,
        "interval": Interval.YEAR,
        "trial_days": 14,
        "highlight": "Best value",
    },
)


@transaction.atomic
def plans_ensure_demo() -> list[Plan]:
    """The demo's plans, created once."""
    if Plan.objects.exists():
        return list(Plan.objects.all())
    return [
        Plan.objects.create(position=position, currency="usd", **spec)
        for position, spec in enumerate(DEMO_PLANS)
    ]
