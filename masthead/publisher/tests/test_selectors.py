"""The subscribers-per-day series, counted by binary search, against the rule it stands for."""

import datetime as dt
import random

from masthead.publisher import selectors


def _state_at(created, trial_end, canceled_at, at):
    """The rule, one subscription at a time (as ``selectors.subscribers`` states it)."""
    if created >= at or (canceled_at is not None and canceled_at < at):
        return None
    if trial_end is not None and trial_end >= at:
        return "trialing"
    return "paying"


def test_the_series_agrees_with_asking_each_subscription_each_day():
    rng = random.Random(7)
    base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)

    def moment(low, high):
        return base + dt.timedelta(hours=rng.randrange(low * 24, high * 24))

    rows = []
    for _ in range(400):
        created = moment(0, 60)
        trial_end = rng.choice([None, created + dt.timedelta(days=14), moment(0, 60)])
        # Some cancelled before they were created or during the trial: odd, but possible data.
        canceled_at = rng.choice([None, None, moment(0, 70), created])
        rows.append((created, trial_end, canceled_at, "active", 100, "month", "usd"))
    # Midnight edges exactly: a subscription created, and one cancelled, at a day's end.
    rows.append((base + dt.timedelta(days=10), None, base + dt.timedelta(days=20), "", 1, "", ""))
    days = [dt.date(2024, 12, 25) + dt.timedelta(days=n) for n in range(80)]

    series = selectors._series(rows, days)

    for point in series:
        at = selectors._end_of(point.day)
        states = [_state_at(r[0], r[1], r[2], at) for r in rows]
        assert (point.paying, point.trialing) == (states.count("paying"), states.count("trialing"))
    assert max(p.paying for p in series) > 50 and max(p.trialing for p in series) > 20
