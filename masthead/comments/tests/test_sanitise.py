"""Stored XSS: whatever a reader writes, the comment HTML passes the allowlist.

OWASP filter-evasion vectors, in raw HTML and in the Markdown subset, and
hypothesis-generated HTML and Markdown go through ``render_markdown`` (the only
way comment HTML is made). The output is parsed with ``html.parser`` and checked
structurally: allowlisted tags only, ``href`` only on links and only with an
http/https/mailto scheme, ``rel="nofollow ugc noopener"`` on every link, no
event handlers and no ``javascript:`` anywhere in an attribute.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masthead.comments.rendering import render_markdown, sanitise

ALLOWED_TAGS = {"p", "em", "strong", "a", "blockquote", "code", "pre", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href", "rel"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
REL = "nofollow ugc noopener"
# What a browser strips or ignores inside a URL scheme: whitespace and C0 controls.
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]+")


class Tags(HTMLParser):
    """Every start tag with its (entity-decoded) attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))


def assert_safe(output: str, *, fixed_point: bool = True) -> None:
    parser = Tags()
    parser.feed(output)
    parser.close()
    lowered = output.lower()
    assert "<script" not in lowered and "<svg" not in lowered and "<iframe" not in lowered
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, f"tag <{tag}> in {output!r}"
        names = [name for name, _ in attrs]
        assert len(names) == len(set(names)), f"duplicate attribute in {output!r}"
        for name, value in attrs:
            assert not name.startswith("on"), f"event handler {name} in {output!r}"
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()), f"{tag}[{name}] in {output!r}"
            squashed = _IGNORED_IN_SCHEME.sub("", value or "").lower()
            assert "javascript:" not in squashed, f"javascript: in {output!r}"
            assert "vbscript:" not in squashed and "data:" not in squashed, output
        if tag == "a":
            values = dict(attrs)
            assert values.get("rel") == REL, f"link without rel={REL!r} in {output!r}"
            if "href" in values:
                href = values["href"] or ""
                scheme = urlsplit(href).scheme.lower()
                assert scheme in ALLOWED_SCHEMES, f"href {href!r} in {output!r}"
                # The scheme is the one a browser would see, not a look-alike.
                assert _IGNORED_IN_SCHEME.sub("", href).lower().startswith(scheme + ":")
    if fixed_point:
        # Cleaning the output again changes nothing: no markup that re-parses differently.
        assert sanitise(output) == output


def assert_raw_safe(output: str) -> None:
    """For sanitise() on raw HTML: ammonia may emit nesting a second pass re-shapes
    (``<p><p></p></p>``), so a second pass need only be safe too, not identical."""
    assert_safe(output, fixed_point=False)
    assert_safe(sanitise(output), fixed_point=False)


# --- OWASP XSS filter-evasion cheat sheet, and a few Markdown-specific ones ----------------

VECTORS = [
    # Plain script and its evasions.
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>",
    '<<SCRIPT>alert("XSS");//<</SCRIPT>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
    "<script>alert(1)",
    # Images and event handlers.
    "<img src=x onerror=alert(1)>",
    "<img src=x onerror=alert(1)",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;"
    "&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<body onload=alert("XSS")>',
    "<details open ontoggle=alert(1)>x</details>",
    "<input onfocus=alert(1) autofocus>",
    '<a href="https://example.org" onmouseover="alert(1)">x</a>',
    "<p onclick=alert(1)>hello</p>",
    # javascript: links, raw and encoded.
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<a href="jav&#x0D;ascript:alert(1)">x</a>',
    '<a href=" &#14;  javascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105'
    '&#0000112&#0000116&#0000058alert(1)">x</a>',
    '<a href="java\0script:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="//evil.example/phish">x</a>',
    '<a href="https://example.org" rel="opener" target="_blank">x</a>',
    # Frames, objects, styles, meta, base, forms.
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<div style="background-image: url(javascript:alert(1))">x</div>',
    '<div style="width: expression(alert(1));">x</div>',
    "<style>@import 'https://xss.example/xss.css';</style>",
    '<link rel="stylesheet" href="javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    # Mutation XSS.
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<!--<img src=x onerror=alert(1)>-->",
    '<a href="https://example.org"><a href="javascript:alert(1)">nested</a></a>',
    # The Markdown subset.
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[x](/accounts/logout/)",
    "[x](//evil.example)",
    '[x](https://example.org" onmouseover="alert(1))',
    "[x](https://example.org 'a\" onmouseover=\"alert(1)')",
    "[<img src=x onerror=alert(1)>](https://example.org)",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "**<img src=x onerror=alert(1)>**",
    "> <svg onload=alert(1)>",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "```html onload=alert(1)\n<b>x</b>\n```",
    "<javascript:alert(1)>",
    "<https://example.org>",
]


@pytest.mark.parametrize("vector", VECTORS)
def test_owasp_vectors_come_out_inert(vector):
    # Raw HTML never comes through as markup; at most as visible, escaped text.
    assert_safe(render_markdown(vector))


@pytest.mark.parametrize("vector", [v for v in VECTORS if v.startswith("<")])
def test_the_allowlist_holds_even_for_raw_html(vector):
    """sanitise() alone (as if Markdown ever passed HTML through) keeps the same promises."""
    assert_raw_safe(sanitise(vector))


def test_the_markdown_subset_still_works():
    output = render_markdown(
        "*em* **strong** `code` [site](https://example.org/a?b=1&c=2) "
        "[mail](mailto:desk@example.org)\nnext line\n\n> quoted\n\n```\nx < y\n```"
    )
    assert_safe(output)
    assert "<em>em</em>" in output
    assert "<strong>strong</strong>" in output
    assert "<code>code</code>" in output
    assert '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener">site</a>' in (
        output
    )
    assert '<a href="mailto:desk@example.org" rel="nofollow ugc noopener">mail</a>' in output
    assert "<br>" in output
    assert "<blockquote>" in output
    assert "<pre><code>x &lt; y\n</code></pre>" in output


def test_headings_lists_and_images_are_not_part_of_the_subset():
    output = render_markdown("# Heading\n\n- item\n\n![alt](https://example.org/i.png)")
    assert_safe(output)
    assert "<h1" not in output and "<li" not in output and "<img" not in output


# --- Generated input ------------------------------------------------------------------------

TAG_NAMES = [
    "script", "img", "svg", "iframe", "a", "style", "math", "mglyph", "object", "embed",
    "form", "input", "button", "body", "div", "span", "p", "em", "strong", "blockquote",
    "code", "pre", "br", "table", "noscript", "template", "title", "textarea", "base",
    "meta", "link", "details", "video", "audio", "source", "xmp", "plaintext", "select",
]  # fmt: skip
ATTRIBUTE_NAMES = [
    "href", "src", "onerror", "onload", "onclick", "onmouseover", "style", "rel", "title",
    "xlink:href", "formaction", "action", "data", "srcdoc", "target", "id", "class", "lang",
    "background", "dynsrc", "lowsrc", "ping", "poster",
]  # fmt: skip
SCHEMES = ["javascript", "vbscript", "data", "http", "https", "mailto", "file", "ftp", ""]


def _mixed_case(draw, word: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(c.upper() if f else c for c, f in zip(word, flips, strict=True))


@st.composite
def urls(draw) -> str:
    scheme = _mixed_case(draw, draw(st.sampled_from(SCHEMES)))
    # Split the scheme with characters a browser ignores or that decode later.
    junk = draw(st.sampled_from(["", "\t", "\n", "&#x09;", "&#10;", "%09", "\x00", " "]))
    if scheme and junk:
        cut = draw(st.integers(min_value=0, max_value=len(scheme)))
        scheme = scheme[:cut] + junk + scheme[cut:]
    if draw(st.booleans()):
        scheme = "".join(f"&#{ord(c)};" if c.isalpha() else c for c in scheme)
    rest = draw(st.sampled_from(["alert(1)", "//example.org/x", "text/html,<script>", ""]))
    return f"{scheme}:{rest}" if scheme else rest


@st.composite
def html_fragments(draw, depth: int = 3) -> str:
    parts = []
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        kind = draw(st.sampled_from(["text", "tag", "tag", "comment", "entity"]))
        if kind == "text" or depth == 0:
            parts.append(draw(st.text(max_size=12)))
        elif kind == "comment":
            parts.append(f"<!--{draw(st.text(max_size=10))}-->")
        elif kind == "entity":
            parts.append(draw(st.sampled_from(["&lt;", "&#60;", "&#x3c;", "&quot;", "&amp;"])))
        else:
            name = _mixed_case(draw, draw(st.sampled_from(TAG_NAMES)))
            attrs = []
            for _ in range(draw(st.integers(min_value=0, max_value=3))):
                attr = draw(st.sampled_from(ATTRIBUTE_NAMES))
                value = draw(st.one_of(urls(), st.text(max_size=10), st.just("alert(1)")))
                quote = draw(st.sampled_from(['"', "'", ""]))
                attrs.append(f" {attr}={quote}{value}{quote}")
            inner = draw(html_fragments(depth=depth - 1))
            close = draw(st.sampled_from([f"</{name}>", "", f"</{name}", "/>"]))
            parts.append(f"<{name}{''.join(attrs)}>{inner}{close}")
    return "".join(parts)


@st.composite
def markdown_fragments(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        kind = draw(st.sampled_from(["text", "link", "image", "ref", "quote", "code", "html"]))
        text = draw(st.text(max_size=10))
        if kind == "link":
            title = draw(st.sampled_from(["", ' "t"', " 'a\" onclick=\"x'", ' "a\'b"']))
            parts.append(f"[{text}]({draw(urls())}{title})")
        elif kind == "image":
            parts.append(f"![{text}]({draw(urls())})")
        elif kind == "ref":
            parts.append(f"[{text}][r]\n\n[r]: {draw(urls())}\n")
        elif kind == "quote":
            parts.append(f"> {text}\n")
        elif kind == "code":
            parts.append(draw(st.sampled_from([f"`{text}`", f"```\n{text}\n```\n"])))
        elif kind == "html":
            parts.append(draw(html_fragments(depth=2)))
        else:
            parts.append(draw(st.sampled_from(["*", "**", "_", ""])) + text)
        parts.append(draw(st.sampled_from(["", " ", "\n", "\n\n"])))
    return "".join(parts)


GENERATED = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@GENERATED
@given(st.text(max_size=300))
def test_any_text_renders_safely(text):
    assert_safe(render_markdown(text))


@GENERATED
@given(html_fragments())
def test_generated_html_renders_safely(fragment):
    assert_safe(render_markdown(fragment))
    assert_raw_safe(sanitise(fragment))


@GENERATED
@given(markdown_fragments())
def test_generated_markdown_renders_safely(fragment):
    assert_safe(render_markdown(fragment))
