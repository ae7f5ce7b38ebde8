"""A task worker killed while it sends an e-mail: the e-mail still arrives, once.

Real processes throughout: ``manage.py db_worker`` (django-tasks-db) over a file SQLite
database, Django's SMTP backend, and an aiosmtpd server that holds its answer to the first
``RCPT TO`` so that the worker is caught with the e-mail claimed and half sent.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.support.live_site import migrated_sqlite
from tests.support.smtp import Inbox, SmtpServer

ROOT = Path(__file__).resolve().parents[3]
CLAIM_SECONDS = 3


class StallingInbox(Inbox):
    """Holds the first delivery at ``RCPT TO`` until released; later ones pass."""

    def __init__(self):
        super().__init__()
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if not self.stalled.is_set():
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.inbox = StallingInbox()
    server.start()
    yield server
    server.inbox.release.set()
    server.stop()


@pytest.fixture
def site(tmp_path, smtp):
    """Settings for processes that share one SQLite file and send through ``smtp``."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "masthead.settings",
            "MASTHEAD_VAR_DIR": str(tmp_path),
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "EMAIL_HOST": smtp.host,
            "EMAIL_PORT": str(smtp.port),
            # Longer than the stall: the worker is killed, it does not give up.
            "EMAIL_TIMEOUT": "60",
            "EMAIL_CLAIM_SECONDS": str(CLAIM_SECONDS),
            "GENERATION_LISTENER": "0",
            "INSIGHTS_BACKGROUND_FLUSH": "0",
        }
    )

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    migrated_sqlite(tmp_path)
    workers: list[subprocess.Popen] = []

    def start_worker() -> subprocess.Popen:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", "0.2"]
            + ["--no-startup-delay", "--no-reload", "-v0"],
            cwd=ROOT,
            env=env,
        )
        workers.append(worker)
        return worker

    yield manage, start_worker
    for worker in workers:
        if worker.poll() is None:
            worker.kill()
        worker.wait(timeout=10)


SHOW = (
    "from masthead.mail.models import OutgoingEmail as E; "
    "e = E.objects.get(); print(e.status, e.attempts, e.message_id)"
)


def test_a_worker_killed_mid_send_loses_no_email_and_sends_none_twice(site, smtp):
    manage, start_worker = site
    manage(
        "shell",
        "-v0",
        "-c",
        "from django.core.mail import EmailMessage; "
        "from masthead.mail.outbox import email_queue; "
        "email_queue(EmailMessage('Your sign-in code', 'Code: 123456', "
        "'Masthead <news@example.org>', ['reader@example.org']))",
    )
    first = start_worker()
    assert smtp.inbox.stalled.wait(timeout=30), "the worker never reached the mail server"
    assert manage("shell", "-v0", "-c", SHOW).split()[:2] == ["sending", "1"]

    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    # Two workers now, both free to pick up whatever is left.
    start_worker(), start_worker()

    message = smtp.inbox.last_to("reader@example.org", timeout=CLAIM_SECONDS + 20)
    assert message.subject == "Your sign-in code"
    # Past the second claim too, when its own follow-up run comes due: still one.
    time.sleep(CLAIM_SECONDS + 2)
    assert len(smtp.inbox.to("reader@example.org")) == 1
    status, attempts, _ = manage("shell", "-v0", "-c", SHOW).split()
    assert (status, attempts) == ("sent", "2")
