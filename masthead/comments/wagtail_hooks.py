"""Comment moderation in Wagtail's admin (Wagtail registers admin views through hooks)."""

from html import unescape

import django_filters
from django.utils.html import strip_tags
from django.utils.text import Truncator
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from masthead.comments.admin_forms import ModerateCommentForm
from masthead.comments.models import Comment, CommentBan, ModerationAction


class OnlyThesePermissions(ModelPermissionPolicy):
    """The model's permissions, limited to ``allowed`` actions, for superusers too.

    Readers write comments and moderators change them only through the action form,
    which writes the log. Adding or copying a comment in the admin crashed (the form
    moderates an existing comment), deleting one skipped the log, and log entries
    must not be added, edited or deleted by hand.
    """

    def __init__(self, model, *, allowed):
        super().__init__(model)
        self.allowed = frozenset(allowed)

    def user_has_permission(self, user, action):
        return action in self.allowed and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a in self.allowed])


register_permission_policy(
    Comment, OnlyThesePermissions(Comment, allowed={"change", "view"}), exact_class=True
)
register_permission_policy(
    ModerationAction,
    OnlyThesePermissions(ModerationAction, allowed={"view"}),
    exact_class=True,
)


class CommentFilterSet(WagtailFilterSet):
    reported = django_filters.BooleanFilter(
        field_name="report_count", lookup_expr="gt", method="filter_reported", label="Reported"
    )

    class Meta:
        model = Comment
        fields = ["status"]

    def filter_reported(self, queryset, name, value):
        return queryset.filter(report_count__gt=0) if value else queryset.filter(report_count=0)


class CommentTextColumn(TitleColumn):
    """The comment as readers read it (rendered, sanitised), as plain text, to its form."""

    def get_value(self, instance):
        return Truncator(unescape(strip_tags(instance.body_html)).strip()).chars(120)


class ArticleColumn(Column):
    """The article a comment is on, linked to the comment on the public page."""

    cell_template_name = "comments/admin/article_cell.html"

    def get_value(self, instance):
        return None

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        article = instance.article
        context["value"] = {
            "title": article.title,
            "url": article.get_url(request=parent_context.get("request")),
            "comment_id": instance.pk,
        }
        return context


class CommentViewSet(SnippetViewSet):
    model = Comment
    icon = "comment"
    menu_label = "Comments"
    list_display = [
        CommentTextColumn(
            "comment", label="Comment", url_name="wagtailsnippets_comments_comment:edit"
        ),
        "author",
        ArticleColumn("article", label="Article"),
        "status",
        "report_count",
        "created_at",
    ]
    filterset_class = CommentFilterSet
    ordering = ["-report_count", "-created_at"]
    search_fields = ["body_markdown"]
    # Moderators act through a form with an action and a reason, not by editing fields.
    edit_handler = ObjectList(
        [
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
            HelpPanel(template="comments/admin/comment_context.html", heading="Comment"),
            FieldRowPanel([FieldPanel("action"), FieldPanel("reason")]),
        ],
        base_form_class=ModerateCommentForm,
    )

    def get_queryset(self, request):
        return Comment.objects.select_related("article", "author")


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
