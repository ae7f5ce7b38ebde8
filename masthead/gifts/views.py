"""Gift this article (a page of its own, which gift.js also shows as a dialog), and revoke."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from masthead.billing import entitlements
from masthead.content.models import ArticlePage, PublicationSettings
from masthead.gifts import links, services


def _article(request) -> ArticlePage | None:
    raw = request.POST.get("article") or request.GET.get("article") or ""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        return None
    return ArticlePage.objects.live().filter(pk=int(raw)).first()


def _page(request, article, *, gift=None, made=False, error="", status=200):
    now = timezone.now()
    month = services.month_of(now, PublicationSettings.for_request(request).zone)
    if gift is None and not error:
        gift = services.working_gift(giver=request.user, article_id=article.pk, now=now)
    response = TemplateResponse(
        request,
        "gifts/gift.html",
        {
            "article": article,
            "gift": gift,
            "made": made,
            "link": links.link_for(request, gift, article.url) if gift else "",
            "left": services.gifts_left(giver=request.user, month=month),
            "per_month": settings.GIFTS_PER_MONTH,
            "max_opens": settings.GIFT_LINK_MAX_OPENS,
            "gift_days": settings.GIFT_LINK_DAYS,
            "display_name": request.user.first_name,
            "error": error,
        },
        status=status,
    )
    # The page holds a working link: no cache anywhere may keep it.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def gift_new(request):
    """GET shows the giver's link for the article (or the form); POST makes or reuses it."""
    article = _article(request)
    if article is None:
        return TemplateResponse(
            request,
            "gifts/unavailable.html",
            {"reason": "That article does not exist or is not published."},
            status=404 if request.method != "POST" else 400,
        )
    if not entitlements.for_user(request.user).paid_access:
        return TemplateResponse(
            request,
            "gifts/unavailable.html",
            {"reason": "Gifting articles is for subscribers.", "offer_subscription": True},
            status=403,
        )
    if request.method != "POST":
        return _page(request, article)
    month = services.month_of(timezone.now(), PublicationSettings.for_request(request).zone)
    try:
        gift, made = services.gift_article(
            giver=request.user,
            article_id=article.pk,
            show_name=bool(request.POST.get("show_name")),
            month=month,
        )
    except services.AllowanceSpent:
        return _page(
            request,
            article,
            error=f"You have used all {settings.GIFTS_PER_MONTH} gifts for this month.",
            status=403,
        )
    return _page(request, article, gift=gift, made=made)


@login_required
@require_POST
def gift_revoke(request, gift_id: int):
    if services.gift_revoke(giver=request.user, gift_id=gift_id):
        messages.success(request, "The gift link no longer works.")
    else:
        messages.error(request, "That gift link was already revoked.")
    return redirect(reverse("account") + "#gifts-heading")
