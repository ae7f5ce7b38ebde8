"""The dashboard in Wagtail's admin: its URLs, the Reports menu item, the home panel."""

from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from masthead.publisher import selectors, urls
from masthead.publisher.views import can_view_insights


@hooks.register("register_admin_urls")
def register_insights_urls():
    return [path("insights/", include(urls, namespace="publisher"))]


class InsightsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_insights(request.user)


@hooks.register("register_reports_menu_item")
def register_insights_menu_item():
    return InsightsMenuItem(
        "Audience & revenue",
        reverse("publisher:dashboard"),
        name="audience-revenue",
        icon_name="order",
        order=50,
    )


@hooks.register("register_reports_menu_item")
def register_members_menu_item():
    return InsightsMenuItem(
        "Members", reverse("publisher:members"), name="members", icon_name="group", order=51
    )


@hooks.register("register_permissions")
def register_insights_permission():
    return Permission.objects.filter(content_type__app_label="publisher", codename="view_insights")


class HeadlinePanel(Component):
    """The last seven days in a few numbers, on the admin's home page."""

    name = "insights_headlines"
    template_name = "publisher/home_panel.html"
    order = 50

    def get_context_data(self, parent_context):
        scope = selectors.scope_for(days=7)
        subs = selectors.subscribers(scope)
        steps = {step.label: step.count for step in selectors.funnel(scope, subs=subs)}
        return {
            "steps": steps,
            "views": steps.get("Article views", 0),
            "walls": steps.get("Paywall shown", 0),
            "checkouts": steps.get("Checkouts started", 0),
            "paying": subs.series[-1].paying if subs.series else 0,
            "trialing": subs.series[-1].trialing if subs.series else 0,
            "mrr": subs.mrr,
            "net_growth": subs.net_growth,
            "dashboard_url": reverse("publisher:dashboard"),
        }


@hooks.register("construct_homepage_panels")
def add_headline_panel(request, panels):
    if can_view_insights(request.user):
        panels.append(HeadlinePanel())
