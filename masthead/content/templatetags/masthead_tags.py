from django import template

from masthead.content import jsonld

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
