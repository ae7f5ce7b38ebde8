"""The production shape (``deploy/cluster.py``) for the fault tests, with a Redis of its own.

The cluster gets its own Redis server, so a test can kill or pause it without touching
the Redis other tests use, and its own database (as the live site does).
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time

import pytest
import redis

from deploy.cluster import Cluster, free_port
from tests.support.live_site import LiveSite


class OwnRedis:
    def __init__(self, workdir):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        server = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)


@pytest.fixture(scope="package")
def own_redis(tmp_path_factory):
    server = OwnRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.kill()


@pytest.fixture(scope="package")
def cluster(own_redis, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("cluster")
    site = LiveSite(workdir=workdir, extra_env={"REDIS_URL": own_redis.url})
    site.manage("migrate", "--noinput", "-v0")
    site.manage("collectstatic", "--noinput", "-v0")
    site.manage("load_demo", "-v0")
    shape = Cluster(env=site.env, workdir=workdir, app_processes=3, workers=2)
    shape.start()
    yield shape
    shape.stop()
    site.stop()
