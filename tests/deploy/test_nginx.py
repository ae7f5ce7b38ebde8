"""nginx in front of the real site (deploy/nginx/masthead.conf), as an operator runs it.

The micro-cache serves cookieless readers and nobody else; a subscriber and a
reader over the meter never get the cached anonymous copy; static files come
from disk; a dead app process costs no failed GET.
"""

from __future__ import annotations

import html
import http.client
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from masthead.content.demo_data import ARTICLES
from tests.support.live_site import free_port

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))
from render_nginx import render  # noqa: E402

FREE = next(a for a in ARTICLES if a["access"] == "free")
METERED = [a for a in ARTICLES if a["access"] == "metered"]
ANONYMOUS_LIMIT = 3


def path_of(article: dict) -> str:
    return f"/{article['section']}/{article['slug']}/"


def last_paragraph(article: dict) -> str:
    return [b["text"] for b in article["body"] if b["type"] == "paragraph"][-1]


class Response:
    def __init__(self, raw: http.client.HTTPResponse):
        self.status = raw.status
        self.headers = raw.headers
        self.text = html.unescape(raw.read().decode("utf-8", "replace"))

    @property
    def cache_status(self) -> str:
        return self.headers.get("X-Cache-Status", "")

    def cookies(self) -> dict[str, str]:
        found = {}
        for header in self.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            found[name] = rest.split(";", 1)[0]
        return found


@pytest.fixture(scope="module")
def front(live_site, tmp_path_factory):
    """nginx on its own port, with a dead app process listed before the live one."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is required for the deployment tests (.ci/run installs nginx-light)")
    run_dir = tmp_path_factory.mktemp("nginx")
    port = free_port()
    conf = render(
        run_dir=str(run_dir),
        listen=f"127.0.0.1:{port}",
        upstreams=[f"127.0.0.1:{free_port()}", f"127.0.0.1:{live_site.port}"],
        static_root=str(live_site.workdir / "static"),
        media_root=str(live_site.workdir / "media"),
    )
    if os.geteuid() == 0:
        # As root, nginx's workers would run as nobody, who cannot read pytest's temp dirs.
        conf = "user root;\n" + conf
    (run_dir / "nginx.conf").write_text(conf)
    process = subprocess.Popen(
        [nginx, "-p", str(run_dir), "-c", str(run_dir / "nginx.conf"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            get(port, "/robots.txt")
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"nginx exited: {process.stderr.read().decode()}")
            time.sleep(0.1)
    yield port
    process.terminate()
    process.wait(timeout=10)


def get(port: int, path: str, cookie: str = "") -> Response:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        return Response(connection.getresponse())
    finally:
        connection.close()


def subscriber_cookie(live_site) -> str:
    code = (
        "from datetime import timedelta\n"
        "from importlib import import_module\n"
        "from django.conf import settings\n"
        "from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY\n"
        "from django.contrib.auth import get_user_model\n"
        "from django.utils import timezone\n"
        "from masthead.billing.models import Plan, Subscription\n"
        "user = get_user_model().objects.create_user('nginx-sub', 'nginx-sub@example.org')\n"
        "Subscription.objects.create(user=user, plan=Plan.objects.order_by('pk').first(),\n"
        "    status='active', current_period_end=timezone.now() + timedelta(days=30))\n"
        "session = import_module(settings.SESSION_ENGINE).SessionStore()\n"
        "session[SESSION_KEY] = str(user.pk)\n"
        "session[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'\n"
        "session[HASH_SESSION_KEY] = user.get_session_auth_hash()\n"
        "session.save()\n"
        "print(f'{settings.SESSION_COOKIE_NAME}={session.session_key}')\n"
    )
    return live_site.manage("shell", "-c", code).strip().splitlines()[-1]


def test_a_cookieless_reader_gets_free_pages_from_the_micro_cache(front):
    first = get(front, path_of(FREE))
    assert first.status == 200 and last_paragraph(FREE) in first.text
    second = get(front, path_of(FREE))
    assert second.status == 200
    assert second.cache_status == "HIT"
    assert last_paragraph(FREE) in second.text
    assert "X-Accel-Expires" not in second.headers
    home = [get(front, "/") for _ in range(2)]
    assert home[1].cache_status == "HIT"


def test_static_files_come_from_disk_not_from_the_app(front):
    response = get(front, "/static/masthead/site.css")
    assert response.status == 200
    assert "immutable" in response.headers.get("Cache-Control", "")
    assert response.cache_status == ""  # not proxied at all


def test_a_subscriber_never_gets_the_cached_anonymous_copy(front, live_site):
    for _ in range(2):
        anonymous = get(front, path_of(FREE))
    assert anonymous.cache_status == "HIT"
    assert 'href="/accounts/login/' in anonymous.text
    cookie = subscriber_cookie(live_site)
    mine = get(front, path_of(FREE), cookie)
    assert mine.status == 200
    assert mine.cache_status == "BYPASS"
    assert 'href="/accounts/login/' not in mine.text
    # And what the subscriber got is not kept for the next cookieless reader. (EXPIRED:
    # making the subscriber took longer than the copy's 5 s on a busy machine, and nginx
    # fetched a new cookieless copy.)
    after = get(front, path_of(FREE))
    assert after.cache_status in ("HIT", "EXPIRED")
    assert 'href="/accounts/login/' in after.text
    assert 'href="/accounts/login/' in get(front, path_of(FREE)).text


def test_a_reader_over_the_limit_never_gets_a_cached_copy(front):
    article = METERED[ANONYMOUS_LIMIT]
    # Cookieless requests for a metered article are sent round for the reader cookie, and
    # that answer (it sets a cookie) is never stored.
    for _ in range(2):
        redirect = get(front, path_of(article))
        assert redirect.status == 302 and redirect.cache_status != "HIT"
    reader = "mh_reader=" + redirect.cookies()["mh_reader"]
    for other in METERED[:ANONYMOUS_LIMIT]:
        response = get(front, path_of(other), reader)
        assert response.status == 200 and last_paragraph(other) in response.text
    over = get(front, path_of(article), reader)
    assert over.status == 200
    assert over.cache_status == "BYPASS"
    assert "You've reached your daily free article limit" in over.text
    assert last_paragraph(article) not in over.text
    free = get(front, path_of(FREE), reader)
    assert free.cache_status == "BYPASS"


def test_a_dead_app_process_costs_no_failed_get(front):
    # The first upstream in the configuration has nothing listening on its port.
    paths = ["/", path_of(FREE), "/robots.txt", *[path_of(a) for a in METERED[:3]]]
    for path in paths * 3:
        assert get(front, path, "mh_reader=none").status in (200, 302)
