from django.utils.safestring import SafeString

from masthead.content.models import ArticlePage


def body_html(article: ArticlePage, *, blocks: int | None = None) -> SafeString:
    """The article body as HTML, whole or only its first ``blocks`` blocks."""
    stream = list(article.body) if blocks is None else list(article.body)[:blocks]
    return SafeString("\n".join(str(block.render(context={})) for block in stream))
