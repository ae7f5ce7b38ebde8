from django import template

from masthead.content import jsonld, sharing

register = template.Library()


@register.simple_tag(takes_context=True)
def article_jsonld(context, article, authors):
    data = jsonld.news_article(
        article=article,
        authors=authors,
        publication=context["publication"],
        request=context["request"],
    )
    return jsonld.script_json(data)


@register.filter
def author_names(authors) -> str:
    names = [author.title for author in authors]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    """An absolute URL on the host the reader asked for (validated by ALLOWED_HOSTS)."""
    return context["request"].build_absolute_uri(path)


@register.inclusion_tag("content/includes/share_bar.html", takes_context=True)
def share_bar(context, page):
    """Share links for the page's canonical URL, whatever URL the request came in on."""
    url = context["request"].build_absolute_uri(page.url)
    return {
        "share_url": url,
        "share_title": page.title,
        "email_href": sharing.email_link(url, page.title),
        "networks": sharing.network_links(url, page.title),
    }
