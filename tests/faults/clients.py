"""What the fault tests' clients do: readers over HTTP through nginx, counting what failed."""

from __future__ import annotations

import html
import http.client
import random
import threading
import time
from dataclasses import dataclass

from masthead.content.demo_data import ARTICLES

FREE = [a for a in ARTICLES if a["access"] == "free"]
METERED = [a for a in ARTICLES if a["access"] == "metered"]


def path_of(article: dict) -> str:
    return f"/{article['section']}/{article['slug']}/"


def last_paragraph(article: dict) -> str:
    return [b["text"] for b in article["body"] if b["type"] == "paragraph"][-1]


def get(port: int, path: str, cookie: str = "", timeout: float = 15) -> tuple[int, str, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        body = html.unescape(response.read().decode("utf-8", "replace"))
        cookies = {}
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            cookies[name] = rest.split(";", 1)[0]
        return response.status, body, cookies
    finally:
        connection.close()


def new_reader(port: int) -> str:
    status, _, cookies = get(port, path_of(METERED[0]))
    assert status == 302
    return "mh_reader=" + cookies["mh_reader"]


def whole(body: str, article: dict) -> bool:
    return last_paragraph(article) in body


@dataclass(frozen=True)
class Answer:
    path: str
    status: int | None  # None: no answer (the connection failed)
    started: float
    ended: float


class Load:
    """Readers requesting pages in a loop from several threads, counting what failed."""

    def __init__(self, port: int, paths: list[tuple[str, str]], threads: int = 6):
        self.port, self.paths, self.threads = port, paths, threads
        self.failures: list[str] = []
        self.results: list[Answer] = []
        self.done = 0
        self.cut_short = 0
        self._stop = threading.Event()
        self._workers = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def _run(self) -> None:
        while not self._stop.is_set():
            path, cookie = random.choice(self.paths)
            started = time.monotonic()
            try:
                status, _, _ = get(self.port, path, cookie)
                if status >= 500:
                    self.failures.append(f"{status} {path}")
            except OSError as error:
                status = None
                self.failures.append(f"{type(error).__name__} {path}")
            except http.client.HTTPException:
                # Headers came, then the connection closed: the app process was killed
                # between writing its headers and its body, after which nginx cannot send
                # the request elsewhere. Counted, not failed: no server can finish a
                # response its process died writing; the reader reloads.
                status = None
                self.cut_short += 1
            self.results.append(Answer(path, status, started, time.monotonic()))
            self.done += 1

    def __enter__(self):
        for worker in self._workers:
            worker.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=30)
