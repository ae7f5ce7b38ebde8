"""Per-reader slots in cached pages: one marker syntax, filled in one pass.

A cached article is the same bytes for many readers; what differs per reader
(the meter notice, the paywall prompt, the account menu, flash messages, ads,
comments) sits in the bytes as ``<!--mh:slot:NAME-->`` and is filled per
request from a table of fillers, one regular-expression pass over the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from django.template import loader
from django.utils.safestring import SafeString

_MARKER = "<!--mh:slot:{}-->"
_PATTERN = re.compile(r"<!--mh:slot:([a-z_]+)-->")
_TEMPLATE_SLOT = re.compile(r"""{%\s*slot\s+["']([a-z_]+)["']\s*%}""")
_EXTENDS = re.compile(r"""{%\s*extends\s+["']([^"']+)["']\s*%}""")


def marker(name: str) -> SafeString:
    if not re.fullmatch(r"[a-z_]+", name):
        raise ValueError(f"slot names are lower-case letters and underscores, not {name!r}")
    return SafeString(_MARKER.format(name))


def fill(html: str, fillers: Mapping[str, Callable[[Any], str]], context: Any) -> str:
    """Replace every marker with ``filler(context)``; a marker without a filler is emptied."""

    def replace(match: re.Match) -> str:
        filler = fillers.get(match.group(1))
        return filler(context) if filler is not None else ""

    return _PATTERN.sub(replace, html)


def names_in(html: str) -> set[str]:
    return set(_PATTERN.findall(html))


def names_in_template(template_name: str) -> set[str]:
    """The slots a template (and the templates it extends) declares with ``{% slot %}``."""
    names: set[str] = set()
    seen: set[str] = set()
    while template_name and template_name not in seen:
        seen.add(template_name)
        source = loader.get_template(template_name).template.source
        names |= set(_TEMPLATE_SLOT.findall(source))
        parent = _EXTENDS.search(source)
        template_name = parent.group(1) if parent else ""
    return names
