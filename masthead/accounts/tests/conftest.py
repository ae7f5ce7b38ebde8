"""A real SMTP server for the account flows, and helpers to read what it received.

Mail leaves Django through the SMTP backend and a socket, so the tests see
exactly what a reader's inbox would: headers, encoding and links included.
"""

from __future__ import annotations

import email
import re
import socket
import threading
import time
from dataclasses import dataclass
from email import policy
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model
from django.test import override_settings

from masthead.content.tests.helpers import demo_article

PASSWORD = "correct horse battery staple 7"


@dataclass(frozen=True)
class Message:
    sender: str
    recipients: tuple[str, ...]
    subject: str
    body: str

    def link(self, path_prefix: str) -> str:
        """The path of the first link in the body whose path starts with ``path_prefix``."""
        for url in re.findall(r"https?://\S+", self.body):
            path = urlsplit(url).path
            if path.startswith(path_prefix):
                return path
        raise AssertionError(f"no link under {path_prefix} in:\n{self.body}")

    def code(self) -> str:
        """The one-time code allauth puts on a line of its own."""
        lines = [line.strip() for line in self.body.splitlines()]
        intro = next(i for i, line in enumerate(lines) if "code is listed below" in line)
        return next(line for line in lines[intro + 1 :] if line)


class Inbox:
    """Collects what the SMTP server accepted; ``handle_DATA`` runs on its thread."""

    def __init__(self):
        self._messages: list[Message] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        parsed = email.message_from_bytes(envelope.original_content, policy=policy.default)
        body = parsed.get_body(preferencelist=("plain",)).get_content()
        with self._lock:
            self._messages.append(
                Message(
                    sender=envelope.mail_from,
                    recipients=tuple(envelope.rcpt_tos),
                    subject=str(parsed["Subject"]),
                    body=body,
                )
            )
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    @property
    def messages(self) -> list[Message]:
        with self._lock:
            return list(self._messages)

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in m.recipients]

    def last_to(self, address: str, timeout: float = 2.0) -> Message:
        # The backend returns once the server said 250, so this rarely waits.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(address)
            if found:
                return found[-1]
            time.sleep(0.01)
        raise AssertionError(f"no mail to {address}; got {self.messages}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def inbox(smtp_server):
    controller, inbox = smtp_server
    inbox.clear()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST=controller.hostname,
        EMAIL_PORT=controller.port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
    ):
        yield inbox
    inbox.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing():
    # A hundred failed logins with the production hasher would take most of a minute.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


def make_reader(email_address: str, *, password: str = PASSWORD, verified: bool = True):
    """A reader with one primary address, verified unless said otherwise."""
    from allauth.account.models import EmailAddress

    user = get_user_model().objects.create_user(
        username=email_address.split("@")[0], email=email_address, password=password
    )
    EmailAddress.objects.create(user=user, email=email_address, primary=True, verified=verified)
    return user


@pytest.fixture
def reader(db):
    return make_reader("reader@example.com")


@pytest.fixture
def article_path(db) -> str:
    return demo_article("metered").url
