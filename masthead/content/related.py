""" "More from <publication>": a slot of its own, so that publishing one article
refreshes this block on every other article without re-rendering them."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from masthead.content import selectors
from masthead.content.models import ArticlePage, PublicationSettings
from masthead.core import generations, requests
from masthead.core.memo import Memo

_memo = Memo(max_entries=4000)


def more_from_html(request: HttpRequest, page_id: int) -> str:
    key = (page_id, generations.current(request, generations.CONTENT), requests.host(request))

    def render() -> str:
        article = ArticlePage.objects.filter(pk=page_id).first()
        if article is None:
            return ""
        return render_to_string(
            "content/includes/more_from.html",
            {
                "related": selectors.related_articles(article=article, with_counts=False),
                "publication": PublicationSettings.for_request(request),
                "request": request,
            },
        )

    return _memo.get_or_set(key, render)
