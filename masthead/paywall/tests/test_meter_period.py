"""The gate remembers the meter period between reads: it must give what the policy gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from masthead.paywall import gate
from masthead.paywall.policy import Period, period_key, seconds_left_in_period
from masthead.paywall.tests.test_policy import ZONES

# Reads at moments that go forward and, now and then, back (a clock set back, or a
# thread whose ``now`` was taken a moment before another's).
steps = st.lists(
    st.one_of(
        st.integers(0, 3 * 86400),
        st.integers(0, 40 * 86400),
        st.integers(-86400, 0),
        st.sampled_from([1, -1, 3600]),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(
        datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis bounds must be naive
        datetime(2080, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    steps,
    st.sampled_from(ZONES),
    st.sampled_from(Period),
)
def test_the_remembered_period_is_the_policys_period_at_every_read(start, steps, zone, period):
    gate._memo.clear()
    now = start
    for step in steps:
        now += timedelta(seconds=step)
        assert gate._meter_period(now, period, zone) == (
            period_key(now, period, zone),
            seconds_left_in_period(now, period, zone),
        ), now.isoformat()
