"""The framework floor for ``make bench``: a bare Django project in one module.

One view answers every path with the bytes of the file named by
``BENCH_FLOOR_FILE`` (read once, at import), behind only Django's security,
common and clickjacking middleware. No database, no apps, no templates: what
is left is the cost of gunicorn plus Django's request/response cycle, the
divisor of every row the benchmark prints.

With ``BENCH_METER_REDIS_URL`` set, a request that carries a reader cookie
(``mh_reader``) also makes the one call a new reader's metered read must make:
the meter's own check-and-record script, on a connection like the site's, for
that cookie and path. That is the bench's reference for the metered row: what
a Django view that does nothing but that write can serve on this machine.

Serve it with ``gunicorn --chdir bench floor_app:application``. The shared
header settings (X-Frame-Options, nosniff, referrer policy, hosts, i18n and
time zone) are the site's own, so both answer through the same middleware
code paths.
"""

from __future__ import annotations

import os
import secrets
import sys
import zlib
from pathlib import Path

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import re_path

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

if not settings.configured:
    settings.configure(
        DEBUG=False,
        # Nothing is signed here; a throwaway key keeps Django's checks quiet.
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=["127.0.0.1", "localhost", "testserver"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[],
        DATABASES={},
        MIDDLEWARE=MIDDLEWARE,
        TEMPLATES=[],
        LANGUAGE_CODE="en-us",
        TIME_ZONE="UTC",
        USE_I18N=True,
        USE_TZ=True,
        X_FRAME_OPTIONS="DENY",
        SECURE_CONTENT_TYPE_NOSNIFF=True,
        SECURE_REFERRER_POLICY="strict-origin-when-cross-origin",
    )
    django.setup()

with open(os.environ["BENCH_FLOOR_FILE"], "rb") as handle:
    BODY = handle.read()


METER_REDIS_URL = os.environ.get("BENCH_METER_REDIS_URL", "")
READER_COOKIE = "mh_reader"
METER_LIMIT, METER_TTL = 3, 90_000

if METER_REDIS_URL:
    # The site's own Django-free pieces: the script and the per-process connection.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import redis

    from masthead.core.redis_connection import ProcessConnection, connection_factory
    from masthead.paywall.meter_scripts import RECORD_SCRIPT

    _client = redis.Redis.from_url(METER_REDIS_URL)
    RECORD_SHA = _client.script_load(RECORD_SCRIPT)
    _meter = ProcessConnection(connection_factory(_client))


def floor(request: HttpRequest) -> HttpResponse:
    reader = request.COOKIES.get(READER_COOKIE) if METER_REDIS_URL else None
    if reader:
        recorded = _meter.execute(
            "EVALSHA",
            RECORD_SHA,
            2,
            f"bench-floor-meter:{reader}",
            "",
            zlib.crc32(request.path.encode()),
            METER_LIMIT,
            METER_TTL,
            0,
        )[0]
        if not recorded:
            return HttpResponse("over the limit", status=402)
    return HttpResponse(BODY, content_type="text/html; charset=utf-8")


urlpatterns = [re_path(r"", floor)]

application = get_wsgi_application()
