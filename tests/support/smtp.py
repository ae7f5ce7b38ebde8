"""A real SMTP server (aiosmtpd) on a local port that keeps what it receives.

Tests point Django's SMTP backend at it, so an e-mail counts only once it has
crossed a socket and been accepted, as a reader's mail server would see it.
"""

from __future__ import annotations

import asyncio
import email
import re
import socket
import threading
import time
from dataclasses import dataclass
from email import policy
from urllib.parse import urlsplit

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Message:
    sender: str
    recipients: tuple[str, ...]
    subject: str
    body: str
    # The From: header as the reader's mail program shows it (name and address).
    from_header: str = ""
    # The message as it crossed the socket (headers and every part, encoded).
    raw: bytes = b""
    html: str = ""
    headers: tuple[tuple[str, str], ...] = ()

    def header(self, name: str) -> str:
        """The header's value, unfolded (a long one is folded onto a second line)."""
        value = next((v for k, v in self.headers if k.lower() == name.lower()), "")
        return " ".join(value.split())

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
    """aiosmtpd handler; ``handle_DATA`` runs on the controller's thread."""

    def __init__(self):
        self._messages: list[Message] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        parsed = email.message_from_bytes(envelope.original_content, policy=policy.default)
        part = parsed.get_body(preferencelist=("plain",))
        html_part = parsed.get_body(preferencelist=("html",))
        message = Message(
            sender=envelope.mail_from,
            recipients=tuple(envelope.rcpt_tos),
            subject=str(parsed["Subject"]),
            body=part.get_content() if part else "",
            from_header=str(parsed["From"] or ""),
            raw=envelope.original_content,
            html=html_part.get_content() if html_part else "",
            headers=tuple((k, str(v)) for k, v in parsed.items()),
        )
        with self._lock:
            self._messages.append(message)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[Message]:
        with self._lock:
            return list(self._messages)

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in m.recipients]

    def subjects(self, address: str | None = None) -> list[str]:
        return [m.subject for m in (self.to(address) if address else self.messages)]

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    def last_to(self, address: str, timeout: float = 2.0) -> Message:
        # The backend returns once the server said 250, so this rarely waits.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(address)
            if found:
                return found[-1]
            time.sleep(0.01)
        raise AssertionError(f"no mail to {address}; got {self.messages}")


class SlowToConfirmInbox(Inbox):
    """Keeps every message at once but answers the end of one recipient's after a while.

    What a busy mail server does: a sender that gives up on the reply cannot tell whether
    the message was taken.
    """

    def __init__(self, slow: str, seconds: float):
        super().__init__()
        self.slow, self.seconds = slow, seconds

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        answer = await super().handle_DATA(server, session, envelope)
        if self.slow in envelope.rcpt_tos:
            await asyncio.sleep(self.seconds)
        return answer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    """``start()`` / ``stop()`` around an aiosmtpd ``Controller``."""

    host = "127.0.0.1"

    def __init__(self):
        self.inbox = Inbox()
        self.port = 0
        self._controller: Controller | None = None

    def start(self) -> SmtpServer:
        # aiosmtpd checks the server by connecting to the port it was given,
        # so it needs a real port rather than 0.
        self.port = free_port()
        self._controller = Controller(self.inbox, hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller:
            self._controller.stop()
            self._controller = None

    def django_settings(self) -> dict:
        """Settings that send Django's mail through this server."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": self.host,
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_TIMEOUT": 10,
        }
