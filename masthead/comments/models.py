"""Subscriber comments, reports, bans and the moderators' log."""

from __future__ import annotations

from html import unescape

from django.conf import settings
from django.db import models
from django.utils.html import strip_tags
from django.utils.text import Truncator
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


@register_setting(icon="comment")
class CommentSettings(BaseSiteSetting):
    comments_enabled = models.BooleanField(
        default=True, help_text="Turn comments off everywhere (existing ones stay stored)."
    )
    hold_first_comment = models.BooleanField(
        default=False, help_text="Hold a reader's first comment until a moderator approves it."
    )

    panels = [FieldPanel("comments_enabled"), FieldPanel("hold_first_comment")]

    class Meta:
        verbose_name = "Comments"

    def __str__(self):
        return "Comment settings"


class CommentStatus(models.TextChoices):
    VISIBLE = "visible", "Visible"
    HELD = "held", "Held for approval"
    HIDDEN = "hidden", "Hidden by a moderator"


class Comment(models.Model):
    article = models.ForeignKey(
        "content.ArticlePage", on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    # Replies are one level deep: a reply's parent is always a top-level comment.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replies"
    )
    body_markdown = models.TextField()
    body_html = models.TextField(help_text="Rendered and sanitised; never edited by hand.")
    status = models.CharField(
        max_length=12, choices=CommentStatus.choices, default=CommentStatus.VISIBLE
    )
    report_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # A deleted comment stays as a tombstone so the replies under it keep their thread.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["article", "parent", "created_at"])]
        ordering = ["created_at", "pk"]

    def __str__(self):
        # Moderators see the comment as readers read it, not its Markdown.
        text = unescape(strip_tags(self.body_html)).strip()
        return f"“{Truncator(text).chars(80)}” by {self.author}"

    @property
    def is_tombstone(self) -> bool:
        return self.deleted_at is not None

    @property
    def shown(self) -> bool:
        return self.status == CommentStatus.VISIBLE


class CommentReport(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="one_report_per_reader")
        ]

    def __str__(self):
        return f"Report on {self.comment_id} by {self.reporter_id}"


class CommentBan(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_ban"
    )
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [FieldPanel("user"), FieldPanel("reason")]

    def __str__(self):
        return f"{self.user} banned from commenting"


class ModerationAction(models.Model):
    class Action(models.TextChoices):
        HIDE = "hide"
        UNHIDE = "unhide"
        APPROVE = "approve"
        DELETE = "delete"
        BAN = "ban"

    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="moderation"
    )
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=12, choices=Action.choices)
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.action} by {self.moderator_id}: {self.reason}"


class CommentPreferences(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_preferences"
    )
    reply_notifications = models.BooleanField(default=True)

    def __str__(self):
        return f"{self.user}: replies {'on' if self.reply_notifications else 'off'}"
