"""The gift rule of the pure policy: a working gift link reads its article whole, unmetered.

The gate sets ``View.gift`` only after checking the token, the article it is bound to,
revocation, expiry and openings (``masthead/gifts/links.py``); these properties say
what the policy then does, and that without a gift nothing changes.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from masthead.paywall.policy import Access, Outcome, Prompt, ReaderClass, View, decide
from masthead.paywall.tests.test_policy import any_meters, articles, policies, readers

views = st.builds(View, countable=st.booleans(), speculative=st.booleans(), gift=st.booleans())


@settings(max_examples=500)
@given(readers, articles, any_meters, policies, views)
def test_a_gift_reads_whole_without_touching_the_meter_unless_speculative(
    reader, article, meter, policy, view
):
    d = decide(reader, article, meter, policy, replace(view, gift=True))
    where = f"{reader} reading {article} with {meter} under {policy}, {view}: {d}"
    if view.speculative and article.access is not Access.FREE:
        assert d.outcome is Outcome.DEFER, where
        return
    assert d.whole and d.prompt is Prompt.NONE and d.register_offer == 0, where
    assert not d.crawler_markup or reader.reader_class is ReaderClass.CRAWLER, where
    if reader.reader_class in (ReaderClass.ANONYMOUS, ReaderClass.REGISTERED):
        # Outside the meter: nothing recorded and no "N free articles left" notice.
        if article.access is not Access.FREE:
            assert not d.record and d.remaining is None, where
            assert d.reason == "gift link", where


@settings(max_examples=500)
@given(readers, articles, any_meters, policies, views)
def test_a_gift_unlocks_even_subscribers_only_articles_and_identifies_no_one(
    reader, article, meter, policy, view
):
    view = replace(view, speculative=False, gift=True)
    # No redirect to set a reader cookie: a gift reader may arrive with none.
    unidentified = replace(reader, identified=False)
    for who in (reader, unidentified):
        d = decide(who, replace(article, access=Access.SUBSCRIBERS), meter, policy, view)
        assert d.outcome is Outcome.WHOLE, f"{who} {d}"


@settings(max_examples=500)
@given(readers, articles, any_meters, policies, views)
def test_for_free_articles_and_paying_readers_a_gift_changes_nothing(
    reader, article, meter, policy, view
):
    with_gift = decide(reader, article, meter, policy, replace(view, gift=True))
    without = decide(reader, article, meter, policy, replace(view, gift=False))
    paying = reader.reader_class in (ReaderClass.SUBSCRIBER, ReaderClass.STAFF)
    if paying or article.access is Access.FREE:
        assert with_gift == without, f"{reader} {article} {view}: {with_gift} / {without}"
