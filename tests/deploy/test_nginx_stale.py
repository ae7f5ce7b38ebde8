"""nginx's last copy while the app cannot answer (deploy/nginx/masthead.conf).

The upstream here is a stand-in that answers like Masthead: a public page with
X-Accel-Expires, then, as during a database restart, 503 with Retry-After and no-store.
A reader without cookies gets nginx's last copy; a reader with a session never does.
"""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.live_site import free_port

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))
from render_nginx import render  # noqa: E402

PAGE = b"<p>The whole free article.</p>"


class App(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    database_up = True

    def do_GET(self):
        if App.database_up:
            status, body = 200, PAGE
            headers = {"Cache-Control": "public, max-age=60", "X-Accel-Expires": "1"}
        else:
            status, body = 503, b"Back in a moment"
            headers = {"Retry-After": "5", "Cache-Control": "no-store"}
        self.send_response(status)
        for name, value in {**headers, "Vary": "Cookie"}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def front(tmp_path):
    app = ThreadingHTTPServer(("127.0.0.1", 0), App)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    port = free_port()
    conf = render(
        run_dir=str(tmp_path),
        listen=f"127.0.0.1:{port}",
        upstreams=[f"127.0.0.1:{app.server_address[1]}"],
        static_root=str(tmp_path),
        media_root=str(tmp_path),
    )
    if os.geteuid() == 0:
        conf = "user root;\n" + conf
    (tmp_path / "nginx.conf").write_text(conf)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    process = subprocess.Popen(
        [nginx, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"]
    )
    App.database_up = True
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                get(port)
                break
            except OSError:
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        app.shutdown()


def get(port: int, cookie: str = "") -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(
            "GET", "/news/a-free-article/", headers={"Cookie": cookie} if cookie else {}
        )
        response = connection.getresponse()
        return response.status, response.headers.get("X-Cache-Status", ""), response.read()
    finally:
        connection.close()


def test_a_cookieless_reader_gets_the_last_copy_while_the_app_answers_503(front):
    assert get(front)[:2] == (200, "HIT")  # the fixture's first request stored it
    App.database_up = False
    time.sleep(2.5)  # the copy is no longer fresh (nginx counts whole seconds)
    assert get(front) == (200, "STALE", PAGE)


def test_a_reader_with_a_session_gets_the_503_not_the_copy(front):
    App.database_up = False
    time.sleep(2.5)
    status, cached, body = get(front, cookie="sessionid=abc")
    assert (status, body) == (503, b"Back in a moment")
    assert cached != "STALE"
