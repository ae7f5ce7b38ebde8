"""Flash messages as a slot filler: one reader's messages never go into shared bytes."""

from django.contrib.messages import get_messages
from django.http import HttpRequest
from django.template.loader import render_to_string


def messages_html(request: HttpRequest) -> str:
    if not hasattr(request, "_messages"):
        return ""
    pending = list(get_messages(request))
    if not pending:
        return ""
    return render_to_string("includes/messages.html", {"messages": pending})
