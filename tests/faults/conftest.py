"""The production shape (``deploy/cluster.py``) for the fault tests, with a Redis of its own.

The cluster gets its own Redis server, so a test can kill or pause it without touching
the Redis other tests use, and its own database (as the live site does). Payments go to
a fake Stripe API in this process (``tests/support/fake_stripe.py``), which the real
Stripe SDK in the app processes calls, and webhooks are signed with the SDK's scheme.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from deploy.cluster import Cluster, free_port
from tests.support.fake_stripe import FakeStripe
from tests.support.live_site import LiveSite

STRIPE_API_KEY = "sk_test_masthead_faults"
STRIPE_WEBHOOK_SECRET = "whsec_test_masthead_faults"
READERS_SCRIPT = Path(__file__).resolve().parent / "readers.py"


def stripe_env(stripe: FakeStripe) -> dict:
    return {
        "PAYMENT_PROVIDER": "stripe",
        "STRIPE_SECRET_KEY": STRIPE_API_KEY,
        "STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET,
        "STRIPE_API_BASE": stripe.url,
    }


def readers(site: LiveSite, *args: str) -> dict:
    """``tests/faults/readers.py`` run against the cluster's database."""
    result = subprocess.run(
        [sys.executable, str(READERS_SCRIPT), *args],
        env=site.env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(result.stdout)


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
def stripe_api():
    server = FakeStripe(STRIPE_API_KEY).start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def cluster(own_redis, stripe_api, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("cluster")
    site = LiveSite(
        workdir=workdir,
        extra_env={
            "REDIS_URL": own_redis.url,
            # E-mails through the queue and the cluster's task worker, as in production.
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            **stripe_env(stripe_api),
        },
    )
    site.prepare()
    shape = Cluster(env=site.env, workdir=workdir, app_processes=3, workers=2)
    shape.site = site
    shape.start()
    yield shape
    shape.stop()
    site.stop()
