from django.conf import settings
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve as serve_static
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from masthead.accounts import views as account_views
from masthead.billing import views as billing_views
from masthead.content import sitemaps, views
from masthead.core.replica import replica_view
from masthead.reading import feeds
from masthead.reading import views as reading_views

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("accounts/", include("allauth.urls")),
    path("account/", account_views.account, name="account"),
    path("account/name/", account_views.display_name_update, name="account-name"),
    path("account/cancel/", account_views.subscription_cancel, name="subscription-cancel"),
    path("account/resume/", account_views.subscription_resume, name="subscription-resume"),
    path("billing/", include("masthead.billing.urls")),
    path("comments/", include("masthead.comments.urls")),
    path("gifts/", include("masthead.gifts.urls")),
    path("documents/", include(wagtaildocs_urls)),
    path("newsletters/", include("masthead.newsletters.urls")),
    # Views wrapped in replica_view may read from the read replica when there is one
    # (DATABASE_REPLICA_URL; core/replica.py says which reads never do).
    path("search/", replica_view(reading_views.search), name="search"),
    path("subscribe/", billing_views.subscribe, name="subscribe"),
    path("subscribe/<int:plan_id>/", billing_views.subscribe_plan, name="subscribe-plan"),
    path("tags/<slug:slug>/", replica_view(views.tag_view), name="tag"),
    path("feeds/rss/", replica_view(feeds.SiteRssFeed()), name="feed-rss"),
    path("feeds/atom/", replica_view(feeds.SiteAtomFeed()), name="feed-atom"),
    path("feeds/<slug:slug>/rss/", replica_view(feeds.SectionRssFeed()), name="feed-section-rss"),
    path("sitemap.xml", replica_view(sitemaps.sitemap_index), name="sitemap"),
    path("sitemaps/pages.xml", replica_view(sitemaps.pages_sitemap), name="sitemap-pages"),
    path(
        "sitemaps/articles-<int:block>.xml",
        replica_view(sitemaps.articles_sitemap),
        name="sitemap-articles",
    ),
    path("sitemaps/news.xml", replica_view(sitemaps.news_sitemap), name="sitemap-news"),
    path("robots.txt", reading_views.robots_txt, name="robots"),
]


def serve_media(request, path):
    # MEDIA_ROOT read per request, not when this module is imported: a URLconf loaded
    # early (a module-level reverse in a test) must not pin the directory it saw then.
    return serve_static(request, path, document_root=settings.MEDIA_ROOT)


if settings.SERVE_MEDIA:
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns.append(re_path(rf"^{media_prefix}(?P<path>.*)$", serve_media))

# Wagtail's front-end login (for private pages) would be a second door for readers,
# without allauth's limits or its e-mail verification: it leads to allauth's instead.
urlpatterns.append(
    path("_util/login/", RedirectView.as_view(url=settings.LOGIN_URL, query_string=True))
)
urlpatterns.append(path("", include(wagtail_urls)))

# The other error pages are Django's handlers with our templates (400.html, 403.html, …).
handler500 = "masthead.content.errors.server_error"
