"""The editors' way in: a "New article" panel at the top of the admin dashboard."""

from django.urls import reverse
from wagtail import hooks
from wagtail.admin.ui.components import Component

from masthead.content.models import ArticlePage, SectionPage


class NewArticlePanel(Component):
    """A button per section the editor may write in, each opening a blank article there.

    Articles live under sections, so the dashboard offers the sections instead of
    sending editors to Wagtail's page tree, which starts at the bare Root.
    """

    name = "new_article"
    template_name = "content/admin/new_article_panel.html"
    order = 50

    def get_context_data(self, parent_context):
        user = parent_context["request"].user
        sections = [
            {
                "section": section,
                "add_url": reverse(
                    "wagtailadmin_pages:add",
                    args=("content", ArticlePage._meta.model_name, section.pk),
                ),
                "explore_url": reverse("wagtailadmin_explore", args=(section.pk,)),
            }
            for section in SectionPage.objects.live().order_by("path")
            if section.permissions_for_user(user).can_add_subpage()
        ]
        return {"sections": sections}


@hooks.register("construct_homepage_panels")
def add_new_article_panel(request, panels):
    panels.insert(0, NewArticlePanel())
