"""Micro-benchmark of the paywall policy: microseconds per ``decide`` call.

Run from the repository root: ``.venv/bin/python bench/policy_micro.py``.
Each case is timed as the best of REPEAT runs of NUMBER calls (env
POLICY_BENCH_NUMBER / POLICY_BENCH_REPEAT override the defaults).
"""

from __future__ import annotations

import os
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from masthead.paywall.policy import (  # noqa: E402
    Access,
    Article,
    MeterState,
    Policy,
    Reader,
    ReaderClass,
    decide,
)

NUMBER = int(os.environ.get("POLICY_BENCH_NUMBER", "200000"))
REPEAT = int(os.environ.get("POLICY_BENCH_REPEAT", "5"))
TARGET_US = 20.0

POLICY = Policy(anonymous_limit=3, registered_limit=5, address_cap=20)
METERED = Article(1, Access.METERED)
ANONYMOUS = Reader(ReaderClass.ANONYMOUS)

CASES = {
    "free article": (ANONYMOUS, Article(2, Access.FREE), MeterState()),
    "subscriber": (Reader(ReaderClass.SUBSCRIBER), METERED, MeterState()),
    "metered, within limit": (ANONYMOUS, METERED, MeterState(read_count=1, address_count=4)),
    "metered, re-read": (ANONYMOUS, METERED, MeterState(read_count=3, already_read=True)),
    "metered, over limit": (ANONYMOUS, METERED, MeterState(read_count=3, address_count=4)),
    "registered, over limit": (Reader(ReaderClass.REGISTERED), METERED, MeterState(read_count=5)),
    "unidentified": (Reader(ReaderClass.ANONYMOUS, identified=False), METERED, MeterState()),
    "subscribers-only teaser": (ANONYMOUS, Article(3, Access.SUBSCRIBERS), MeterState()),
}


def time_case(reader: Reader, article: Article, meter: MeterState) -> float:
    """Best-of-REPEAT microseconds per call."""
    timer = timeit.Timer(
        "decide(reader, article, meter, policy)",
        globals={
            "decide": decide,
            "reader": reader,
            "article": article,
            "meter": meter,
            "policy": POLICY,
        },
    )
    return min(timer.repeat(repeat=REPEAT, number=NUMBER)) / NUMBER * 1e6


def main() -> int:
    print(f"Python {sys.version.split()[0]}; best of {REPEAT} x {NUMBER:,} calls")
    results = {}
    for name, (reader, article, meter) in CASES.items():
        results[name] = time_case(reader, article, meter)
        outcome = decide(reader, article, meter, POLICY)
        print(f"  {name:<26} {results[name]:6.2f} µs/call  -> {outcome.outcome} ({outcome.reason})")
    worst_name = max(results, key=results.__getitem__)
    worst = results[worst_name]
    print(
        f"policy.decide: worst case {worst:.2f} µs/call (target < {TARGET_US:.0f} µs)"
        f" [{worst_name}]"
    )
    return 0 if worst < TARGET_US else 1


if __name__ == "__main__":
    raise SystemExit(main())
