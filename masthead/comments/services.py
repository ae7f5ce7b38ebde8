"""Writes for comments: who may post, rate limits, edits, tombstones, reports, moderation."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from masthead.billing import entitlements
from masthead.comments import counts, emails
from masthead.comments.models import (
    Comment,
    CommentBan,
    CommentPreferences,
    CommentReport,
    CommentSettings,
    CommentStatus,
    ModerationAction,
)
from masthead.comments.rendering import render_markdown
from masthead.core import generations, text
from masthead.mail.outbox import email_queue

MAX_LENGTH = 5000
EDIT_WINDOW = timedelta(minutes=15)
MIN_INTERVAL_SECONDS = 5
HOURLY_LIMIT = 30
DUPLICATE_WINDOW_SECONDS = 5 * 60
# Until a reader chooses a name, this is what others see: never a part of their address.
NEUTRAL_NAME = "Subscriber"
DISPLAY_NAME_MAX_LENGTH = 40
_DISPLAY_NAME = re.compile(r"^[^\W_](?:[^\W_]|[ .'’\-])*$")
# Names that would pass for the publication speaking, or for the neutral name.
_RESERVED_NAMES = {"admin", "administrator", "editor", "moderator", "staff", "reader", "subscriber"}


class CommentRateLimited(Exception):
    """Too many comments too fast, or the same text again; answered with 429."""


class CommentsClosed(PermissionDenied):
    """Comments are off for this article or the whole site."""


def site_settings(site=None) -> CommentSettings:
    from wagtail.models import Site

    site = site or Site.objects.filter(is_default_site=True).first()
    return CommentSettings.for_site(site)


def can_read(user, entitlement: entitlements.Entitlement | None = None) -> bool:
    """Subscribers (as billing says) and staff read comments; everyone else sees the gate.

    Pass the ``entitlement`` the request already has to save asking billing again.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff:
        return True
    return (entitlement or entitlements.for_user(user)).paid_access


def comments_open(article) -> bool:
    return article.comments_open and site_settings(article.get_site()).comments_enabled


def can_post(user, article, entitlement: entitlements.Entitlement | None = None) -> bool:
    if not can_read(user, entitlement) or not comments_open(article):
        return False
    return user.is_staff or not CommentBan.objects.filter(user=user).exists()


def _digest(body: str) -> str:
    # Zero-width characters, case and accents spelled two ways do not make a new comment.
    return hashlib.sha256(text.fingerprint(body).encode()).hexdigest()[:24]


def _posted_recently(user, digest: str) -> bool:
    """Whether the reader's comment with this text was committed within the window.

    The cache's mark alone is not proof: it is set before the comment is committed, so a
    process killed in between (or a rolled-back transaction) would leave the mark
    without the comment, and the reader's retry would be refused as a repeat of a
    comment that does not exist. Asked only when the mark is there.
    """
    since = timezone.now() - timedelta(seconds=DUPLICATE_WINDOW_SECONDS)
    bodies = Comment.objects.filter(author=user, created_at__gte=since).values_list(
        "body_markdown", flat=True
    )
    return any(_digest(posted) == digest for posted in bodies)


def _check_rate(user, body: str) -> None:
    """At most one comment per 5 s and 30 an hour per reader; no repeats within 5 minutes."""
    now = timezone.now().timestamp()
    recent_key = f"comments:last:{user.pk}"
    hour_key = f"comments:hour:{user.pk}:{int(now // 3600)}"
    digest = _digest(body)
    duplicate_key = f"comments:dup:{user.pk}:{digest}"
    if cache.get(duplicate_key) and _posted_recently(user, digest):
        raise CommentRateLimited("You posted the same comment a moment ago.")
    if not cache.add(recent_key, now, MIN_INTERVAL_SECONDS):
        raise CommentRateLimited("Please wait a few seconds before posting again.")
    cache.add(hour_key, 0, 3600)
    # None: the cache is unreachable and the hour cannot be counted.
    if (cache.incr(hour_key) or 0) > HOURLY_LIMIT:
        raise CommentRateLimited("You have reached the limit of 30 comments an hour.")
    cache.set(duplicate_key, 1, DUPLICATE_WINDOW_SECONDS)


def _clean_body(body: str) -> str:
    try:
        cleaned = text.clean_text(body).strip()
    except ValidationError as invalid:
        raise ValidationError({"body": invalid.messages}) from invalid
    if not cleaned:
        raise ValidationError({"body": "Write something before posting."})
    if len(cleaned) > MAX_LENGTH:
        raise ValidationError({"body": f"Comments are limited to {MAX_LENGTH} characters."})
    return cleaned


@transaction.atomic
def comment_create(*, user, article, body: str, parent_id: int | None = None) -> Comment:
    if not can_read(user):
        raise PermissionDenied("Comments are for subscribers.")
    if not comments_open(article):
        raise CommentsClosed("Comments are closed.")
    if not user.is_staff and CommentBan.objects.filter(user=user).exists():
        raise PermissionDenied("You can no longer comment.")
    cleaned = _clean_body(body)
    parent = None
    if parent_id:
        parent = Comment.objects.filter(pk=parent_id, article=article).first()
        if parent is None:
            raise ValidationError({"parent": "That comment no longer exists."})
        # Threads stay one level deep: a reply to a reply joins the same thread.
        parent = parent.parent or parent
    _check_rate(user, cleaned)
    held = (
        site_settings(article.get_site()).hold_first_comment
        and not user.is_staff
        and not Comment.objects.filter(author=user, status=CommentStatus.VISIBLE).exists()
    )
    comment = Comment.objects.create(
        article=article,
        author=user,
        parent=parent,
        body_markdown=cleaned,
        body_html=render_markdown(cleaned),
        status=CommentStatus.HELD if held else CommentStatus.VISIBLE,
    )
    if parent and parent.author_id != user.pk and not held:
        _notify_reply(comment)
    return comment


def _own_live_comment(user, comment_id: int) -> Comment:
    comment = Comment.objects.select_for_update().filter(pk=comment_id).first()
    if comment is None or comment.is_tombstone:
        raise Comment.DoesNotExist("No such comment.")
    if comment.author_id != user.pk:
        raise PermissionDenied("You can only change your own comments.")
    if not can_read(user):
        raise PermissionDenied("Comments are for subscribers.")
    return comment


def within_edit_window(comment: Comment) -> bool:
    return timezone.now() - comment.created_at <= EDIT_WINDOW


@transaction.atomic
def comment_edit(*, user, comment_id: int, body: str) -> Comment:
    comment = _own_live_comment(user, comment_id)
    if not within_edit_window(comment):
        raise PermissionDenied("Comments can be edited for 15 minutes after posting.")
    cleaned = _clean_body(body)
    comment.body_markdown = cleaned
    comment.body_html = render_markdown(cleaned)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body_markdown", "body_html", "edited_at"])
    return comment


@transaction.atomic
def comment_delete(*, user, comment_id: int) -> Comment:
    """Leave a tombstone; the text stays stored for moderators, never shown again."""
    comment = _own_live_comment(user, comment_id)
    comment.deleted_at = timezone.now()
    comment.save(update_fields=["deleted_at"])
    return comment


def comment_report(*, user, comment_id: int, reason: str = "") -> bool:
    """Report once per reader per comment; returns False for a repeat.

    Raises ``ValidationError`` for a reason that cannot be stored (a NUL).
    """
    reason = text.clean_text(reason).strip()
    if not can_read(user):
        raise PermissionDenied("Comments are for subscribers.")
    comment = Comment.objects.filter(pk=comment_id, deleted_at__isnull=True).first()
    if comment is None:
        raise Comment.DoesNotExist("No such comment.")
    try:
        with transaction.atomic():
            CommentReport.objects.create(comment=comment, reporter=user, reason=reason[:500])
            Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def comment_moderate(*, moderator, comment_id: int, action: str, reason: str) -> Comment:
    """Hide, unhide, approve or delete a comment, or ban its author; the reason is kept."""
    try:
        reason = text.clean_text(reason)
    except ValidationError as invalid:
        raise ValidationError({"reason": invalid.messages}) from invalid
    if not reason.strip():
        raise ValidationError({"reason": "Give a reason; it is kept in the moderation log."})
    comment = Comment.objects.select_for_update().get(pk=comment_id)
    if action == ModerationAction.Action.HIDE:
        comment.status = CommentStatus.HIDDEN
    elif action in (ModerationAction.Action.UNHIDE, ModerationAction.Action.APPROVE):
        comment.status = CommentStatus.VISIBLE
        comment.report_count = 0
    elif action == ModerationAction.Action.DELETE:
        # A tombstone, as when the author deletes: the status stays, so the replies
        # under a deleted top-level comment keep their thread.
        comment.deleted_at = comment.deleted_at or timezone.now()
    elif action == ModerationAction.Action.BAN:
        CommentBan.objects.update_or_create(user=comment.author, defaults={"reason": reason})
        comment.status = CommentStatus.HIDDEN
    else:
        raise ValidationError({"action": f"Unknown action {action!r}."})
    comment.save()
    ModerationAction.objects.create(
        comment=comment,
        target_user=comment.author,
        moderator=moderator,
        action=action,
        reason=reason.strip()[:500],
    )
    # The count behind the gate is cached; a moderator's action changes it. Forget it
    # now and again once committed, so a reader in between cannot cache the old one.
    _forget_count(comment.article_id)
    transaction.on_commit(lambda: _forget_count(comment.article_id))
    return comment


def _forget_count(article_id: int) -> None:
    counts.forget_count(article_id)


def public_name(user) -> str:
    """What other readers, the menu and e-mails call a reader (allauth's ACCOUNT_USER_DISPLAY)."""
    return (getattr(user, "first_name", "") or "").strip() or NEUTRAL_NAME


def display_name_clean(name: str, *, user=None) -> str:
    """The name as it will be stored, or a ValidationError saying what is wrong with it.

    Names are unique ignoring case, so one reader cannot pass for another in a thread;
    they are stored in NFC, so "é" typed two ways is one name, and a text-direction
    control, which would show a name other than the one stored, is refused.
    """
    name = " ".join(text.clean_text(name, bidi="refuse").split())
    if "@" in name:
        raise ValidationError("Choose a name, not an e-mail address (no “@”).")
    if len(name) < 2 or len(name) > DISPLAY_NAME_MAX_LENGTH:
        raise ValidationError(
            f"Your name needs between 2 and {DISPLAY_NAME_MAX_LENGTH} characters."
        )
    if not _DISPLAY_NAME.match(name):
        raise ValidationError(
            "Use letters, numbers, spaces, full stops, hyphens and apostrophes only."
        )
    if name.casefold() in _RESERVED_NAMES:
        raise ValidationError("That name is reserved. Please choose another.")
    taken = get_user_model().objects.filter(first_name__iexact=name)
    if user is not None and user.pk:
        taken = taken.exclude(pk=user.pk)
    if taken.exists():
        raise ValidationError("Another reader already uses that name. Please choose another.")
    return name


@transaction.atomic
def display_name_set(*, user, name: str) -> str:
    """Store the reader's public name (``first_name``, which comments show).

    Threads are rendered once per comments generation, so the generation moves on
    and every thread the reader wrote in shows the new name.
    """
    cleaned = display_name_clean(name, user=user)
    if cleaned != user.first_name:
        user.first_name = cleaned
        user.save(update_fields=["first_name"])
        generations.comments_changed()
    return cleaned


def reply_notifications_enabled(user) -> bool:
    prefs = CommentPreferences.objects.filter(user=user).first()
    return prefs.reply_notifications if prefs else True


def reply_notifications_set(*, user, enabled: bool) -> None:
    CommentPreferences.objects.update_or_create(
        user=user, defaults={"reply_notifications": enabled}
    )


def _notify_reply(reply: Comment) -> None:
    """Queue the e-mail to the parent's author; it leaves once the reply is committed."""
    recipient = reply.parent.author
    if not recipient.email or not reply_notifications_enabled(recipient):
        return
    # The mail carries the reply's text: only for someone who may read comments now
    # (a lapsed subscriber would otherwise keep reading them by e-mail).
    if not can_read(recipient):
        return
    email_queue(emails.reply_email(reply))
