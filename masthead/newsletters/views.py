"""Signing up, confirming, changing ticks, unsubscribing, and the archive of sent issues."""

from __future__ import annotations

from urllib.parse import urlsplit

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from masthead.billing import entitlements
from masthead.newsletters import archive, subscriptions, tokens
from masthead.newsletters.forms import SignupForm
from masthead.newsletters.models import Delivery, Newsletter

CROSS_SITE = "This form can only be sent from this site's own pages."


def _same_origin(request) -> bool:
    """CSRF for the static form at the foot of articles, which carries no token.

    That form is part of pages cached for every anonymous reader, so it cannot hold a
    per-reader token; a browser says where a POST comes from in ``Sec-Fetch-Site`` and
    ``Origin`` (or at least ``Referer``), and one from another site is refused.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source or source == "null":
        return False
    return urlsplit(source).netloc == request.get_host()


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    newsletters = list(subscriptions.open_newsletters())
    if request.method != "POST":
        return TemplateResponse(
            request, "newsletters/signup.html", {"form": SignupForm(newsletters=newsletters)}
        )
    if not _same_origin(request):
        return HttpResponseForbidden(CROSS_SITE)
    form = SignupForm(request.POST, newsletters=newsletters)
    if not form.is_valid():
        return TemplateResponse(request, "newsletters/signup.html", {"form": form}, status=400)
    email = form.cleaned_data["email"].strip().lower()
    if not ratelimit.consume(request, action="newsletter_signup", key=email):
        return ratelimit.respond_429(request)
    subscriptions.confirmation_send(email=email, newsletter_ids=form.cleaned_data["newsletter"])
    # Whatever the address: the same answer, so it says nothing about who has an account.
    return TemplateResponse(request, "newsletters/check_inbox.html", {"email": email})


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token: str):
    """GET shows a button (link scanners follow links, not buttons); the POST confirms."""
    try:
        email, newsletter_ids = tokens.read_confirmation(token)
    except tokens.BadToken as exc:
        return TemplateResponse(
            request, "newsletters/bad_link.html", {"expired": str(exc) == "expired"}, status=400
        )
    newsletters = list(subscriptions.open_newsletters().filter(pk__in=newsletter_ids))
    if request.method != "POST":
        return TemplateResponse(
            request, "newsletters/confirm.html", {"email": email, "newsletters": newsletters}
        )
    confirmed = subscriptions.confirm(email=email, newsletter_ids=newsletter_ids)
    return TemplateResponse(request, "newsletters/confirmed.html", {"newsletters": confirmed})


@login_required
@require_POST
def preferences(request):
    shown = _ids(request.POST.getlist("shown"))
    ticked = _ids(request.POST.getlist("newsletter"))
    subscriptions.preferences_set(user=request.user, shown_ids=shown, ticked_ids=ticked)
    messages.success(request, "Your newsletters are saved.")
    target = request.POST.get("next") or "/account/#newsletters"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/account/#newsletters"
    return redirect(target)


def _ids(values: list[str]) -> set[int]:
    return {int(v) for v in values if v.isdigit() and len(v) < 12}


@csrf_exempt  # the signed link is the authority; mail programs POST without a session
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    """RFC 8058: a POST unsubscribes at once; a GET (a person, or a link checker) asks."""
    try:
        delivery_id = tokens.read_unsubscribe(token)
    except tokens.BadToken as exc:
        return TemplateResponse(
            request, "newsletters/bad_link.html", {"expired": str(exc) == "expired"}, status=400
        )
    delivery = Delivery.objects.select_related("issue__newsletter").filter(pk=delivery_id).first()
    if delivery is None:
        return TemplateResponse(request, "newsletters/bad_link.html", {}, status=400)
    if request.method != "POST":
        newsletter = delivery.issue.newsletter
        return TemplateResponse(
            request,
            "newsletters/unsubscribe.html",
            {
                "newsletter": newsletter,
                "email": delivery.email,
                "subscribed": subscriptions.is_subscribed(newsletter, delivery.email),
            },
        )
    newsletter = subscriptions.unsubscribe(delivery)
    return TemplateResponse(request, "newsletters/unsubscribed.html", {"newsletter": newsletter})


def newsletter_archive(request, slug: str):
    newsletter = get_object_or_404(Newsletter, slug=slug)
    return TemplateResponse(
        request,
        "newsletters/archive.html",
        {"newsletter": newsletter, "issues": archive.sent_issues(newsletter)},
    )


def issue_page(request, slug: str, issue_id: int):
    """The web version: the whole text for readers with paid access, else the teaser."""
    newsletter = get_object_or_404(Newsletter, slug=slug)
    issue = archive.sent_issues(newsletter).filter(pk=issue_id).first()
    if issue is None:
        raise Http404("No such issue")
    paid = entitlements.for_request(request).paid_access
    return TemplateResponse(
        request,
        "newsletters/issue.html",
        {"newsletter": newsletter, "issue": issue, **archive.web_version(issue, paid=paid)},
    )
