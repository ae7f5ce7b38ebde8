"""The comments section of an article page: a slot filler, rendered per reader.

What every subscriber sees alike (a page of threads) is rendered once per
comments generation in each process; what differs per reader (the actions on
each comment, the forms with their CSRF token) is filled into markers.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from masthead.billing import entitlements
from masthead.comments import counts, selectors, services
from masthead.comments.models import CommentBan
from masthead.content.models import PublicationSettings
from masthead.core import generations, requests
from masthead.core.memo import Memo

_ACTIONS = re.compile(r"<!--mh:actions:(\d+)-->")
_INVITE = "<!--mh:invite-->"
_THREADS = "<!--mh:threads-->"
# Stand-ins rendered into the actions template once, then swapped per comment and reader.
_PK, _CSRF = 987654321, "mh-csrf-token"
_PK_TEXT = str(_PK)

# The gate is the same bytes for every reader of an article with the same count.
_gate_memo = Memo(max_entries=5000)
# Settings and bans change rarely and bump a generation when they do.
_site_memo = Memo(max_entries=64)
_ban_memo = Memo(max_entries=20000)
_held_memo = Memo(max_entries=20000)
_threads_memo = Memo(max_entries=2000)
_actions_memo = Memo(max_entries=256)
_frame_memo = Memo(max_entries=256)
_shared_actions_memo = Memo(max_entries=512)
_section_parts_memo = Memo(max_entries=256)


def render_section(request, *, article_id: int, comments_open: bool) -> str | bytes:
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
    comments_gen = generations.current(request, generations.COMMENTS)
    comments_enabled, zone = _site_memo.get_or_set(
        (site_gen, requests.host(request)),
        lambda: (
            services.site_settings().comments_enabled,
            PublicationSettings.for_request(request).zone,
        ),
    )
    banned = not user.is_staff and _ban_memo.get_or_set(
        (user.pk, comments_gen),
        lambda: CommentBan.objects.filter(user=user).exists(),
    )
    is_open = comments_open and comments_enabled
    can_post = is_open and not banned
    newest_first = request.GET.get("comments") == "newest"
    csrf_token = requests.csrf_token(request)
    html, actions = _threads(
        user=user,
        article_id=article_id,
        page_number=request.GET.get("comments_page"),
        newest_first=newest_first,
        generation=(site_gen, comments_gen),
        zone=zone,
    )
    html, shared = _fill_actions(
        html, actions, user=user, article_id=article_id, can_post=can_post, csrf=csrf_token
    )
    shape = {
        "article_id": article_id,
        "count": counts.cached_count(request, article_id),
        "newest_first": newest_first,
        "can_post": can_post,
        "is_open": is_open,
        "banned": banned,
        "needs_name": can_post and not user.first_name,
    }
    frame = _frame_memo.get_or_set((*shape.values(), zone), lambda: _frame(shape, zone))
    if shared:
        # Every such reader's section is these bytes around their token: kept split
        # and encoded, a page of fifty comments costs one join, not a copy per form.
        parts = _section_parts_memo.get_or_set(
            (frame, html),
            lambda: tuple(part.encode() for part in frame.replace(_THREADS, html).split(_CSRF)),
        )
        return csrf_token.encode().join(parts)
    return frame.replace(_CSRF, csrf_token).replace(_THREADS, html)


def _frame(shape: dict, zone) -> str:
    """The section around the threads, with stand-ins for the threads and the CSRF token."""
    return _render_in(
        zone,
        "comments/section.html",
        {
            **shape,
            "threads_html": mark_safe(_THREADS),  # noqa: S308 - a fixed marker
            "csrf_token": _CSRF,
            "max_length": services.MAX_LENGTH,
            "name_max_length": services.DISPLAY_NAME_MAX_LENGTH,
        },
    )


def _render_in(zone, template: str, context: dict) -> str:
    """A template rendered with the publication's zone for its times; only what is
    rendered runs under it (activating a zone is not free, and most sections are kept)."""
    with timezone.override(zone):
        return render_to_string(template, context)


def _threads(*, user, article_id: int, page_number, newest_first: bool, generation, zone):
    """One page of threads as HTML with a marker where each comment's actions go.

    Only a reader with comments awaiting approval (which only they see) gets a
    page of their own; every other subscriber shares one rendering.
    """
    own_held = _held_memo.get_or_set(
        (user.pk, article_id, generation[1]),
        lambda: selectors.has_held_comments(article_id=article_id, author=user),
    )
    viewer = user if own_held else None
    key = (article_id, *generation, zone, page_number, newest_first, user.pk if own_held else None)

    def render() -> tuple[str, dict]:
        page = selectors.threads(
            article_id=article_id, viewer=viewer, newest_first=newest_first, page_number=page_number
        )
        shown = [c for top in page for c in (top, *top.shown_replies) if not c.is_tombstone]
        actions = {c.pk: (c.author_id, c.created_at, c.parent_id is None) for c in shown}
        html = _render_in(
            zone, "comments/_threads.html", {"threads": page, "newest_first": newest_first}
        )
        return html, actions

    return _threads_memo.get_or_set(key, render)


def _fill_actions(
    html: str, actions: dict, *, user, article_id, can_post, csrf
) -> tuple[str, bool]:
    """Each comment's actions for this reader: edit and delete their own, report others'.

    A reader with no comment on the page gets what every such reader gets; that
    filling is kept, returned with the CSRF stand-in still in it (and True), for
    the caller to put the reader's token in.
    """
    reader_pk = user.pk
    if all(author_id != reader_pk for author_id, _, _ in actions.values()):
        # The threads' html is one kept string per page of threads: its hash is cached.
        shared = _shared_actions_memo.get_or_set(
            (html, can_post, article_id),
            lambda: _fill_each(
                html, actions, reader_pk=None, article_id=article_id, can_post=can_post, csrf=_CSRF
            ),
        )
        return shared, True
    own = _fill_each(
        html, actions, reader_pk=reader_pk, article_id=article_id, can_post=can_post, csrf=csrf
    )
    return own, False


def _fill_each(html: str, actions: dict, *, reader_pk, article_id, can_post, csrf) -> str:
    edit_cutoff = timezone.now() - services.EDIT_WINDOW
    # This reader's filled-in templates by shape, with only the comment's id left to swap.
    filled: dict[tuple, str] = {}

    def actions_for(match: re.Match) -> str:
        pk = int(match.group(1))
        author_id, created_at, top_level = actions[pk]
        own = author_id == reader_pk
        shape = (own, own and created_at > edit_cutoff, can_post and top_level, article_id)
        template = filled.get(shape)
        if template is None:
            template = _actions_memo.get_or_set(shape, lambda: _actions_template(*shape))
            template = filled[shape] = template.replace(_CSRF, csrf)
        return template.replace(_PK_TEXT, str(pk))

    html = _ACTIONS.sub(actions_for, html)
    return html.replace(_INVITE, " Start the conversation." if can_post else "")


def _actions_template(own: bool, editable: bool, reply: bool, article_id: int) -> str:
    return render_to_string(
        "comments/_actions.html",
        {
            "own": own,
            "editable": editable,
            "reply": reply,
            "pk": _PK,
            "article_id": article_id,
            "csrf_token": _CSRF,
            "max_length": services.MAX_LENGTH,
        },
    )
