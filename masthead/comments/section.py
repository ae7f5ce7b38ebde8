"""The comments section of an article page: a slot filler, rendered per reader."""

from __future__ import annotations

from urllib.parse import urlencode

from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone

from masthead.billing import entitlements
from masthead.comments import counts, selectors, services
from masthead.comments.models import CommentBan
from masthead.content.models import PublicationSettings
from masthead.core import generations
from masthead.core.memo import Memo

# The gate is the same bytes for every reader of an article with the same count.
_gate_memo = Memo(max_entries=5000)
# Settings and bans change rarely and bump a generation when they do.
_site_memo = Memo(max_entries=64)
_ban_memo = Memo(max_entries=20000)


def render_section(request, *, article_id: int, comments_open: bool) -> str:
    """Readers without access get the count and the gate, and no comment text at all."""
    user = request.user
    entitlement = entitlements.for_request(request) if user.is_authenticated else None
    if not user.is_authenticated or not services.can_read(user, entitlement):
        count, logged_in = counts.cached_count(request, article_id), user.is_authenticated
        return _gate_memo.get_or_set(
            (request.path, count, logged_in),
            lambda: render_to_string(
                "comments/gate.html",
                {
                    "count": count,
                    "next_query": urlencode({"next": request.path + "#comments"}),
                    "logged_in": logged_in,
                },
            ),
        )
    site_gen = generations.current(request, generations.SITE)
    comments_enabled, zone = _site_memo.get_or_set(
        (site_gen, request.get_host()),
        lambda: (
            services.site_settings().comments_enabled,
            PublicationSettings.for_request(request).zone,
        ),
    )
    banned = not user.is_staff and _ban_memo.get_or_set(
        (user.pk, generations.current(request, generations.COMMENTS)),
        lambda: CommentBan.objects.filter(user=user).exists(),
    )
    is_open = comments_open and comments_enabled
    newest_first = request.GET.get("comments") == "newest"
    page = selectors.threads(
        article_id=article_id,
        viewer=user,
        newest_first=newest_first,
        page_number=request.GET.get("comments_page"),
    )
    # The section is rendered apart from base.html and its {% timezone %} block:
    # show comment times in the publication's zone, as the article's own dates are.
    with timezone.override(zone):
        return render_to_string(
            "comments/section.html",
            {
                "article_id": article_id,
                "threads": page,
                "count": counts.cached_count(request, article_id),
                "newest_first": newest_first,
                "can_post": is_open and not banned,
                "is_open": is_open,
                "banned": banned,
                "viewer": user,
                "csrf_token": get_token(request),
                "edit_window": services.EDIT_WINDOW,
                # Edit links only while the edit window is open.
                "edit_cutoff": timezone.now() - services.EDIT_WINDOW,
                "max_length": services.MAX_LENGTH,
                "request": request,
            },
        )
