"""A Markdown subset to HTML, then through an nh3 allowlist: the only way comment HTML is made."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "em", "strong", "a", "blockquote", "code", "pre", "br"}
# "*": nothing on every tag. Without it ammonia keeps its default generic
# attributes (title, lang) on every allowed tag.
ALLOWED_ATTRIBUTES = {"a": {"href"}, "*": set()}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"

# "zero" has no rules at all; enable only what comments may use. Raw HTML is
# never passed through (html=False), so it comes out as text.
_markdown = MarkdownIt("zero", {"html": False, "linkify": False, "breaks": True}).enable(
    ["emphasis", "link", "blockquote", "backticks", "fence", "newline", "escape", "entity"]
)


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
        # Relative URLs have no scheme: "/accounts/logout/", "//elsewhere.example"
        # or "jav%09ascript:..." would all pass a scheme allowlist otherwise.
        url_relative="deny",
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    return sanitise(_markdown.render(text))
