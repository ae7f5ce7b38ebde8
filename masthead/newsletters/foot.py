"""The sign-up form at the foot of an article: a slot filler.

For readers without an account the form is the same bytes on every article (it posts to
a view that checks where the POST came from instead of a per-reader CSRF token), kept
per process under the site generation that newsletter changes bump: no query and no
cache round trip per page. A signed-in reader's ticks are kept under the accounts
generation, which their subscriptions bump; only the CSRF token and the page they
return to are put in per request.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.html import escape

from masthead.billing import entitlements
from masthead.core import generations, requests
from masthead.core.memo import Memo
from masthead.newsletters.forms import SignupForm
from masthead.newsletters.models import Newsletter, NewsletterSubscription

_CSRF, _NEXT = "mh-newsletter-csrf", "mh-newsletter-next"
_anonymous = Memo(max_entries=16)
_signed_in = Memo(max_entries=20000)


def foot_form_html(request) -> str:
    user = getattr(request, "user", None)
    site = generations.current(request, generations.SITE)
    if user is None or not user.is_authenticated:
        return _anonymous.get_or_set(site, _anonymous_form)
    key = (user.pk, site, generations.current(request, generations.ACCOUNTS))
    html = _signed_in.get_or_set(key, lambda: _member_form(request, user))
    return html.replace(_CSRF, requests.csrf_token(request)).replace(_NEXT, escape(request.path))


def _anonymous_form() -> str:
    newsletters = list(Newsletter.objects.filter(audience="everyone"))
    if not newsletters:
        return ""
    return render_to_string(
        "newsletters/_foot.html", {"form": SignupForm(newsletters=newsletters), "anonymous": True}
    )


def _member_form(request, user) -> str:
    paid = entitlements.for_request(request).paid_access or user.is_staff
    newsletters = [n for n in Newsletter.objects.all() if paid or not n.paid_only]
    if not newsletters:
        return ""
    ticked = set(
        NewsletterSubscription.objects.filter(user=user).values_list("newsletter_id", flat=True)
    )
    return render_to_string(
        "newsletters/_foot.html",
        {
            "choices": [(n, n.pk in ticked) for n in newsletters],
            "csrf": _CSRF,
            "next": _NEXT,
        },
    )
