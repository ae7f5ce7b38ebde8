"""The web version of sent issues, behind the paywall like the articles they carry."""

from __future__ import annotations

from masthead.newsletters import rendering
from masthead.newsletters.models import Issue, Newsletter
from masthead.paywall.models import PaywallSettings


def sent_issues(newsletter: Newsletter):
    return Issue.objects.filter(newsletter=newsletter, fanned_out_at__isnull=False).order_by(
        "-fanned_out_at"
    )


def web_version(issue: Issue, *, paid: bool) -> dict:
    """Paid readers: every article whole; everyone else: the teaser of gated ones.

    The meter is not spent here: a free reader follows "Continue reading" to the article,
    where the meter decides, so the archive can never be a way around it.
    """
    teaser_blocks = (PaywallSettings.objects.first() or PaywallSettings()).teaser_blocks
    variant = rendering.variant_for(paid)
    return {
        "parts": [
            rendering.article_parts(a, variant=variant, teaser_blocks=teaser_blocks)
            for a in rendering.issue_articles(issue)
        ],
        "subscribe_url": "/subscribe/",
    }
