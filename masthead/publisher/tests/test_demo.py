import pytest
from django.core.management import call_command

from masthead.insights.models import DailyRollup, EventKind
from masthead.publisher import selectors


@pytest.mark.django_db
def test_load_demo_events_fills_90_days_and_rolls_them_up():
    call_command("load_demo", events=3000, verbosity=0)
    scope = selectors.scope_for(days=90)
    funnel = {step.label: step.count for step in selectors.funnel(scope)}
    assert 2500 < funnel["Article views"] < 3500
    assert 0 < funnel["Paywall shown"] < funnel["Article views"]
    assert (
        DailyRollup.objects.filter(kind=EventKind.ARTICLE_VIEW).values("day").distinct().count()
        == 90
    )
    subs = selectors.subscribers(scope)
    assert subs.mrr and all(amount > 0 for amount in subs.mrr.values())
