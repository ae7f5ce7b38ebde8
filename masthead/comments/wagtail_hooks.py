"""Comment moderation in Wagtail's admin (Wagtail registers admin views through hooks)."""

import django_filters
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from masthead.comments.models import Comment, CommentBan, ModerationAction


class CommentFilterSet(WagtailFilterSet):
    reported = django_filters.BooleanFilter(
        field_name="report_count", lookup_expr="gt", method="filter_reported", label="Reported"
    )

    class Meta:
        model = Comment
        fields = ["status"]

    def filter_reported(self, queryset, name, value):
        return queryset.filter(report_count__gt=0) if value else queryset.filter(report_count=0)


class CommentViewSet(SnippetViewSet):
    model = Comment
    icon = "comment"
    menu_label = "Comments"
    list_display = ["__str__", "status", "report_count", "created_at"]
    filterset_class = CommentFilterSet
    ordering = ["-report_count", "-created_at"]
    search_fields = ["body_markdown"]
    panels = [
        HelpPanel(
            content="<p>Hide or unhide a comment, approve a held one, delete it (a tombstone "
            "keeps the thread) or ban its author from commenting. Every action needs a reason, "
            "kept in the moderation log.</p>"
        ),
        # What the moderator is judging, shown but never editable.
        FieldRowPanel(
            [
                FieldPanel("author", read_only=True),
                FieldPanel("status", read_only=True),
                FieldPanel("report_count", read_only=True),
            ]
        ),
        FieldPanel("body_markdown", read_only=True, heading="Comment"),
        FieldRowPanel([FieldPanel("action"), FieldPanel("reason")]),
    ]


class BanViewSet(SnippetViewSet):
    model = CommentBan
    icon = "cross"
    menu_label = "Banned commenters"
    list_display = ["user", "reason", "created_at"]


class LogViewSet(SnippetViewSet):
    model = ModerationAction
    icon = "history"
    menu_label = "Moderation log"
    list_display = ["action", "comment", "target_user", "moderator", "reason", "created_at"]
    inspect_view_enabled = True


class ModerationGroup(SnippetViewSetGroup):
    items = (CommentViewSet, BanViewSet, LogViewSet)
    menu_icon = "comment"
    menu_label = "Moderation"
    menu_name = "moderation"


register_snippet(ModerationGroup)
