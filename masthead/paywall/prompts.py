"""The paywall's words to a reader: the meter notice and the subscribe prompt (slot fillers)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest
from django.template.loader import render_to_string

from masthead.billing.selectors import active_plans
from masthead.core import generations
from masthead.core.memo import Memo
from masthead.paywall import policy
from masthead.paywall.gate import site_paywall
from masthead.paywall.identity import ReaderIdentity
from masthead.paywall.policy import Decision, Prompt

_memo = Memo(max_entries=2000)


def notice_html(request: HttpRequest, decision: Decision) -> str:
    """ "You have 2 free articles left today", shown above a metered article read whole."""
    if decision.remaining is None or not decision.whole:
        return ""
    _, when = policy.period_word(site_paywall(request).policy.period)
    count = decision.remaining
    if decision.record and count == 0:
        kind = "last"
    elif not decision.record:
        kind = "reread"
    else:
        kind = "left"
    key = ("notice", generations.current(request, generations.SITE), request.path, kind, count)
    return _memo.get_or_set(
        key,
        lambda: render_to_string(
            "paywall/notice.html",
            {"kind": kind, "count": count, "when": when, "next_query": _next_query(request)},
        ),
    )


def prompt_html(request: HttpRequest, decision: Decision, who: ReaderIdentity) -> str:
    """The prompt under a teaser: the plans, the trial when the reader can still have one."""
    if decision.prompt is Prompt.NONE:
        return ""
    trial_available = who.user_entitlement.trial_available if who.user_entitlement else True

    def render() -> str:
        adjective, _ = policy.period_word(site_paywall(request).policy.period)
        plans = active_plans()
        trial_days = max((p.trial_days for p in plans), default=0) if trial_available else 0
        return render_to_string(
            "paywall/prompt.html",
            {
                "limit_reached": decision.prompt is Prompt.LIMIT_REACHED,
                "period_adjective": adjective,
                "plans": plans,
                "trial_days": trial_days,
                "register_offer": decision.register_offer,
                "next_query": _next_query(request),
            },
        )

    key = (
        "prompt",
        generations.current(request, generations.SITE),
        request.path,
        decision.prompt,
        decision.register_offer,
        trial_available,
    )
    return _memo.get_or_set(key, render)


def _next_query(request: HttpRequest) -> str:
    return urlencode({"next": request.path})
