"""The framework floor for ``make bench``: a bare view returning stored bytes.

Only routed when ``MASTHEAD_BENCH_FLOOR=1``; it answers with whatever the
benchmark put in ``MASTHEAD_BENCH_FLOOR_FILE``, read once per process.
"""

import functools
import os

from django.http import HttpResponse


@functools.cache
def _floor_bytes() -> bytes:
    with open(os.environ["MASTHEAD_BENCH_FLOOR_FILE"], "rb") as handle:
        return handle.read()


def framework_floor(request):
    return HttpResponse(_floor_bytes(), content_type="text/html; charset=utf-8")
