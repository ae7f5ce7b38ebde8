"""Which reads the replica router may send to the read replica (core/replica.py).

The router is asked the way Django asks it, for a model; the live proof on PostgreSQL,
with a second database standing in for the replica, is tests/deploy/test_replica.py.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from wagtail.models import Page

from masthead.billing.models import Subscription
from masthead.comments.models import Comment
from masthead.content.models import ArticlePage, SectionPage
from masthead.core.models import MissedBump
from masthead.core.replica import ReplicaRouter, replica_reads, replica_view
from masthead.insights.models import ReaderEvent
from masthead.mail.models import OutgoingEmail
from masthead.paywall.models import MeterRead

router = ReplicaRouter()
LISTINGS = [ArticlePage, SectionPage, Page, ReaderEvent]
PRIMARY_ONLY = [
    MeterRead,
    Subscription,
    get_user_model(),
    Session,
    EmailAddress,
    Comment,
    OutgoingEmail,
    MissedBump,
]


def test_outside_an_opted_in_view_every_read_goes_to_the_primary():
    assert [router.db_for_read(model) for model in LISTINGS + PRIMARY_ONLY] == [None] * 12


def test_an_opted_in_view_reads_listings_from_the_replica_and_access_from_the_primary():
    with replica_reads():
        assert {router.db_for_read(model) for model in LISTINGS} == {"replica"}
        assert {router.db_for_read(model) for model in PRIMARY_ONLY} == {None}
    assert router.db_for_read(ArticlePage) is None


def test_writes_always_go_to_the_primary_and_the_replica_is_never_migrated():
    with replica_reads():
        assert router.db_for_write(ArticlePage) == "default"
        assert router.db_for_write(MeterRead) == "default"
    assert router.allow_migrate("replica", "content") is False
    assert router.allow_migrate("default", "content") is True


def test_a_template_is_rendered_inside_the_view_so_its_reads_may_go_to_the_replica():
    seen = []

    class LazyResponse:
        def render(self):
            seen.append(router.db_for_read(ArticlePage))
            return self

    replica_view(lambda request: LazyResponse())(None)
    assert seen == ["replica"]
