"""Crawler families, what the editor lets each do, and the robots.txt groups that follows.

Search engines are believed only when reverse and forward DNS agree
(``identity.is_verified_crawler``); they may then read gated articles whole,
with the paywalled-content markup. Nothing else can prove who it is, so a client
that names any crawler here and is not a verified search engine is a *bot*: it
never gets gated text, and never a meter. ``robots.txt`` asks each family to do
what the editor chose; the server holds the line for those that ignore it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Permission(StrEnum):
    ALLOW = "allow"
    TEASER = "teaser"
    DISALLOW = "disallow"


@dataclass(frozen=True)
class Family:
    # The field on ``CrawlerSettings`` holding the editor's choice.
    key: str
    label: str
    # Names in robots.txt ``User-agent`` lines.
    robots_agents: tuple[str, ...]
    # Lower-case words that mark a User-Agent header as this family's; none for a
    # robots.txt token that no crawler sends (Google-Extended: Googlebot fetches).
    user_agents: tuple[str, ...]

    @property
    def robots_only(self) -> bool:
        return not self.user_agents


SEARCH_ENGINES = Family(
    "search_engines", "Search engines", ("Googlebot", "Bingbot"), ("googlebot", "bingbot")
)
AI_CRAWLERS = (
    Family("gptbot", "OpenAI GPTBot", ("GPTBot",), ("gptbot",)),
    Family(
        "claudebot",
        "Anthropic ClaudeBot",
        ("ClaudeBot", "anthropic-ai"),
        ("claudebot", "anthropic-ai"),
    ),
    Family("ccbot", "Common Crawl CCBot", ("CCBot",), ("ccbot",)),
    Family("google_extended", "Google-Extended", ("Google-Extended",), ()),
    Family("perplexitybot", "PerplexityBot", ("PerplexityBot",), ("perplexitybot",)),
    Family("applebot_extended", "Applebot-Extended", ("Applebot-Extended",), ()),
    Family("bytespider", "ByteDance Bytespider", ("Bytespider",), ("bytespider",)),
    Family(
        "meta_externalagent",
        "Meta meta-externalagent",
        ("meta-externalagent",),
        ("meta-externalagent",),
    ),
)
FAMILIES = (SEARCH_ENGINES, *AI_CRAWLERS)
_BY_KEY = {family.key: family for family in FAMILIES}
_WORDS = {word: family for family in FAMILIES for word in family.user_agents}
# One scan of the header for every anonymous request; most match nothing.
_CLAIM = re.compile("|".join(re.escape(word) for word in _WORDS), re.IGNORECASE)


def claimed_family(user_agent: str) -> Family | None:
    """The family a User-Agent header names, if any: a claim, not a proof."""
    match = _CLAIM.search(user_agent)
    return _WORDS[match.group(0).lower()] if match else None


def family(key: str) -> Family:
    return _BY_KEY[key]


def robots_groups(choices: dict[str, str]) -> list[str]:
    """robots.txt lines for the families the editor keeps out, one group for all of them.

    ``choices`` maps a family's key to a ``Permission``. Families allowed in (whole or
    teaser) need no group of their own: they follow the ``User-agent: *`` group, so
    they stay out of the admin and search like everyone else.
    """
    barred = [
        agent
        for family in FAMILIES
        if choices.get(family.key) == Permission.DISALLOW
        for agent in family.robots_agents
    ]
    if not barred:
        return []
    return [*(f"User-agent: {agent}" for agent in barred), "Disallow: /"]
