"""Newsletters in Wagtail's admin: the newsletters, their issues with counts, and sending."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.action_menu import ActionMenuItem
from wagtail.admin.ui.tables import Column
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from masthead.content.models import ArticlePage
from masthead.newsletters import admin_urls, stats
from masthead.newsletters.admin_views import can_send
from masthead.newsletters.models import Issue, Newsletter


class IssuesAreSentNotEdited(ModelPermissionPolicy):
    """Issues are made by the send button and the schedule; the admin only shows them."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a == "view"])


register_permission_policy(Issue, IssuesAreSentNotEdited(Issue), exact_class=True)


class NewsletterViewSet(SnippetViewSet):
    model = Newsletter
    icon = "mail"
    menu_label = "Newsletters"
    list_display = ["name", "audience", "digest_time", "sender_address"]


class CountColumn(Column):
    def __init__(self, name, label):
        super().__init__(name, label=label, accessor=name)


class IssueViewSet(SnippetViewSet):
    model = Issue
    icon = "doc-full"
    menu_label = "Issues sent"
    list_display = [
        "subject",
        "newsletter",
        "created_at",
        CountColumn("recipient_count", "Sent to"),
        CountColumn("delivered_count", "Delivered"),
        CountColumn("failed_count", "Failed"),
        CountColumn("unsubscribe_count", "Unsubscribes"),
    ]
    list_filter = ["newsletter"]
    ordering = ["-created_at"]

    def get_queryset(self, request):
        return stats.with_counts(Issue.objects.select_related("newsletter"))


class NewsletterGroup(SnippetViewSetGroup):
    items = (NewsletterViewSet, IssueViewSet)
    menu_icon = "mail"
    menu_label = "Newsletters"
    menu_name = "newsletters"


register_snippet(NewsletterGroup)


@hooks.register("register_admin_urls")
def register_send_urls():
    return [path("newsletters/", include(admin_urls, namespace="newsletters_admin"))]


class SendAsNewsletterItem(ActionMenuItem):
    label = "Send as newsletter…"
    name = "action-send-newsletter"
    icon_name = "mail"
    template_name = "newsletters/admin/menu_item.html"

    def is_shown(self, context):
        page = context.get("page")
        return (
            context["view"] == "edit"
            and isinstance(page, ArticlePage)
            and page.live
            and can_send(context["request"].user)
        )

    def get_url(self, parent_context):
        return reverse("newsletters_admin:send", args=[parent_context["page"].pk])


@hooks.register("register_page_action_menu_item")
def register_send_item():
    return SendAsNewsletterItem(order=60)
