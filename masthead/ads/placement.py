"""Where inline ads go in an article: a rule over block counts, no Django."""

from __future__ import annotations


def inline_ad_positions(*, blocks: int, every: int, foot_ad: bool) -> list[int]:
    """The blocks (counted from 1) after which an inline ad goes.

    At most one ad per ``every`` blocks, the ad at the foot counted in, so a
    short article carries at most the foot ad. An inline ad always has text
    after it: none closes the body, where it would sit against the foot ad
    or the paywall's prompt.
    """
    every = max(1, every)
    allowed = max(1, blocks // every) - (1 if foot_ad else 0)
    return [k * every for k in range(1, allowed + 1) if k * every < blocks]
