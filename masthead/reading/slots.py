"""The table of per-reader slots in an article page and the app that fills each one.

Every filler lives in the app that owns its data and renders from a
template; this table only says which fills which. ``checks.py`` fails start-up
when the article template declares a slot that is not in this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from masthead.accounts.menu import account_links_html
from masthead.ads.models import Placement
from masthead.ads.slots import render_slot
from masthead.comments.section import render_section
from masthead.content.most_read import most_read_html
from masthead.content.related import more_from_html
from masthead.content.variants import ArticleRoute
from masthead.core.messages import messages_html
from masthead.gifts.slots import gift_html
from masthead.newsletters.foot import foot_form_html
from masthead.paywall.identity import ReaderIdentity
from masthead.paywall.policy import Decision, ReaderClass
from masthead.paywall.prompts import notice_html, prompt_html


@dataclass(frozen=True)
class Reading:
    """One reader reading one article: what every filler may use."""

    request: HttpRequest
    route: ArticleRoute
    decision: Decision
    who: ReaderIdentity

    @property
    def paid_access(self) -> bool:
        return self.who.reader.reader_class is ReaderClass.SUBSCRIBER


FILLERS = {
    "notice": lambda r: notice_html(r.request, r.decision),
    "gift": lambda r: gift_html(
        r.request, article_id=r.route.page_id, paid_access=r.paid_access, gift=r.who.gift
    ),
    "prompt": lambda r: prompt_html(r.request, r.decision, r.who),
    "account": lambda r: account_links_html(r.request),
    "messages": lambda r: messages_html(r.request),
    "ad_inline": lambda r: render_slot(
        Placement.ARTICLE_INLINE, paid_access=r.paid_access, request=r.request
    ),
    "ad_foot": lambda r: render_slot(
        Placement.ARTICLE_FOOT, paid_access=r.paid_access, request=r.request
    ),
    "comments": lambda r: render_section(
        r.request, article_id=r.route.page_id, comments_open=r.route.comments_open
    ),
    "more_from": lambda r: more_from_html(r.request, r.route.page_id),
    "most_read": lambda r: most_read_html(r.request),
    "newsletter": lambda r: foot_form_html(r.request),
}
