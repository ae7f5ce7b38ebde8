"""A local stand-in for the few Stripe API endpoints billing calls.

The real ``stripe`` SDK talks to it over HTTP (``STRIPE_API_BASE``): requests
arrive form-encoded with Stripe's bracket notation (``line_items[0][price]``)
and get JSON objects shaped like Stripe's (``object``, ``id``, lists with
``data``). The fake keeps subscriptions in memory so a test can set what
Stripe "holds now" and check that billing re-reads it; every request is
recorded so a test can assert what the SDK sent.

Endpoints: ``POST /v1/checkout/sessions``, ``GET /v1/checkout/sessions/:id``,
``POST /v1/billing_portal/sessions``, ``GET /v1/subscriptions/:id`` and
``POST /v1/subscriptions/:id`` (``cancel_at_period_end``; ``trial_end=now``).
"""

from __future__ import annotations

import copy
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import stripe

API_VERSION = stripe.api_version
CHECKOUT_HOST = "https://checkout.stripe.test"
PORTAL_HOST = "https://billing.stripe.test"


def new_id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(8)}"


def parse_form(body: str) -> dict:
    """Stripe's form encoding back to nested dicts and lists."""
    root: dict = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(root)


def _lists(node):
    if not isinstance(node, dict):
        return node
    if node and all(key.isdigit() for key in node):
        return [_lists(node[key]) for key in sorted(node, key=int)]
    return {key: _lists(value) for key, value in node.items()}


def _bool(value) -> bool:
    return str(value).lower() == "true"


class Hold:
    """A response computed when its request arrived but sent only on ``release()``:
    what a slow network does to a reply that was correct when Stripe wrote it."""

    def __init__(self, method: str, path_prefix: str):
        self.method, self.path_prefix = method, path_prefix
        self.arrived = threading.Event()
        self._released = threading.Event()

    def release(self) -> None:
        self._released.set()

    def wait(self, timeout: float = 30) -> None:
        self._released.wait(timeout)


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    params: dict
    headers: dict


class FakeStripeError(Exception):
    def __init__(self, status: int, message: str, code: str = ""):
        super().__init__(message)
        self.status = status
        self.body = {
            "error": {"type": "invalid_request_error", "message": message, "code": code or None}
        }


class FakeStripe:
    """The server and its in-memory state; ``reset()`` between tests."""

    def __init__(self, api_key: str):
        self.api_key = api_key
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self.reset()

    # Lifecycle

    def start(self) -> FakeStripe:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def reset(self) -> None:
        with self._lock:
            self.calls: list[Call] = []
            self.subscriptions: dict[str, dict] = {}
            self.checkout_sessions: dict[str, dict] = {}
            self.portal_sessions: list[dict] = []
            self._failures: list[tuple[str, str, int]] = []
            self._holds: list[Hold] = []

    # What tests read

    def requests_to(self, method: str, path_prefix: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method and c.path.startswith(path_prefix)]

    def last_checkout_params(self) -> dict:
        calls = self.requests_to("POST", "/v1/checkout/sessions")
        assert calls, "the SDK never created a checkout session"
        return calls[-1].params

    # What tests set: Stripe's side of the story

    def fail_next(self, method: str, path_prefix: str, status: int = 500) -> None:
        """The next matching request answers ``status`` (and asks the SDK not to retry)."""
        with self._lock:
            self._failures.append((method, path_prefix, status))

    def hold_next(self, method: str, path_prefix: str) -> Hold:
        """Delay the reply to the next matching request until the test releases it."""
        hold = Hold(method, path_prefix)
        with self._lock:
            self._holds.append(hold)
        return hold

    def add_subscription(
        self,
        *,
        customer: str,
        price: str,
        status: str = "active",
        user_id: int | str | None = None,
        trial_days: int = 0,
        period_days: int = 30,
        now: int | None = None,
        **fields,
    ) -> dict:
        """A subscription as Stripe would hold it (period fields on the item, as in
        API versions since 2025-03-31)."""
        now = int(now or time.time())
        trial_end = now + trial_days * 86400 if trial_days else None
        start = now
        end = trial_end or now + period_days * 86400
        sub_id = fields.pop("id", None) or new_id("sub")
        sub = {
            "id": sub_id,
            "object": "subscription",
            "customer": customer,
            "status": "trialing" if trial_days and status == "active" else status,
            "cancel_at_period_end": False,
            "canceled_at": None,
            "ended_at": None,
            "created": now,
            "start_date": now,
            "trial_start": now if trial_days else None,
            "trial_end": trial_end,
            "livemode": False,
            "metadata": {"user_id": str(user_id)} if user_id is not None else {},
            "items": {
                "object": "list",
                "data": [
                    {
                        "id": new_id("si"),
                        "object": "subscription_item",
                        "subscription": sub_id,
                        "quantity": 1,
                        "price": {"id": price, "object": "price"},
                        "current_period_start": start,
                        "current_period_end": end,
                    }
                ],
                "has_more": False,
                "url": f"/v1/subscription_items?subscription={sub_id}",
            },
        }
        sub.update(fields)
        with self._lock:
            self.subscriptions[sub_id] = sub
        return copy.deepcopy(sub)

    def update_subscription(self, sub_id: str, **changes) -> dict:
        """Change what Stripe holds now. ``price``, ``current_period_start`` and
        ``current_period_end`` go to the first item, like Stripe's own layout."""
        with self._lock:
            sub = self.subscriptions[sub_id]
            item = sub["items"]["data"][0]
            if "price" in changes:
                item["price"] = {"id": changes.pop("price"), "object": "price"}
            for key in ("current_period_start", "current_period_end"):
                if key in changes:
                    item[key] = changes.pop(key)
            sub.update(changes)
            return copy.deepcopy(sub)

    def subscription(self, sub_id: str) -> dict:
        with self._lock:
            return copy.deepcopy(self.subscriptions[sub_id])

    def complete_checkout(
        self, session_id: str, *, customer: str | None = None, status: str = "active"
    ) -> dict:
        """The reader paid on Stripe's page: a customer and subscription now exist,
        built from the parameters the session was created with."""
        with self._lock:
            session = self.checkout_sessions[session_id]
            params = session["_params"]
            data = params.get("subscription_data", {})
            sub = self.add_subscription(
                customer=customer or session["customer"] or new_id("cus"),
                price=params["line_items"][0]["price"],
                status=status,
                user_id=data.get("metadata", {}).get("user_id"),
                trial_days=int(data.get("trial_period_days", 0) or 0),
            )
            session.update(
                status="complete",
                payment_status="paid" if not sub["trial_end"] else "no_payment_required",
                customer=sub["customer"],
                subscription=sub["id"],
            )
            return self._public(session)

    # Stripe-shaped objects for webhook payloads

    def invoice(self, sub_id: str, *, paid: bool = True) -> dict:
        sub = self.subscription(sub_id)
        return {
            "id": new_id("in"),
            "object": "invoice",
            "customer": sub["customer"],
            "status": "paid" if paid else "open",
            "billing_reason": "subscription_cycle",
            "parent": {
                "type": "subscription_details",
                "subscription_details": {"subscription": sub_id, "metadata": sub["metadata"]},
            },
        }

    @staticmethod
    def _public(obj: dict) -> dict:
        return {k: copy.deepcopy(v) for k, v in obj.items() if not k.startswith("_")}

    # Request handling (runs on the server's threads)

    def handle(self, method: str, path: str, params: dict, headers: dict) -> tuple[int, dict]:
        hold = None
        try:
            with self._lock:
                self.calls.append(Call(method, path, params, headers))
                for failure in self._failures:
                    if failure[0] == method and path.startswith(failure[1]):
                        self._failures.remove(failure)
                        raise FakeStripeError(failure[2], "injected failure", "fake_failure")
                for hold in self._holds:
                    if hold.method == method and path.startswith(hold.path_prefix):
                        self._holds.remove(hold)
                        break
                else:
                    hold = None
                if headers.get("authorization") != f"Bearer {self.api_key}":
                    raise FakeStripeError(401, "Invalid API Key provided")
                return 200, self._route(method, path, params)
        finally:
            if hold is not None:
                hold.arrived.set()
                hold.wait()

    def _route(self, method: str, path: str, params: dict) -> dict:
        if method == "POST" and path == "/v1/checkout/sessions":
            return self._create_checkout(params)
        if match := re.fullmatch(r"/v1/checkout/sessions/([\w]+)", path):
            if method == "GET" and match[1] in self.checkout_sessions:
                return self._public(self.checkout_sessions[match[1]])
            raise FakeStripeError(
                404, f"No such checkout.session: '{match[1]}'", "resource_missing"
            )
        if method == "POST" and path == "/v1/billing_portal/sessions":
            if not params.get("customer"):
                raise FakeStripeError(400, "Missing required param: customer.", "parameter_missing")
            session_id = new_id("bps")
            portal = {
                "id": session_id,
                "object": "billing_portal.session",
                "customer": params["customer"],
                "return_url": params.get("return_url"),
                "url": f"{PORTAL_HOST}/p/session/{session_id}",
                "livemode": False,
            }
            self.portal_sessions.append(portal)
            return portal
        if match := re.fullmatch(r"/v1/subscriptions/([\w]+)", path):
            sub = self.subscriptions.get(match[1])
            if sub is None:
                raise FakeStripeError(
                    404, f"No such subscription: '{match[1]}'", "resource_missing"
                )
            if method == "POST" and "cancel_at_period_end" in params:
                sub["cancel_at_period_end"] = _bool(params["cancel_at_period_end"])
                sub["canceled_at"] = int(time.time()) if sub["cancel_at_period_end"] else None
            if method == "POST" and params.get("trial_end") == "now":
                self._end_trial(sub)
            return copy.deepcopy(sub)
        raise FakeStripeError(404, f"Unrecognized request URL ({method}: {path}).")

    @staticmethod
    def _end_trial(sub: dict) -> None:
        """``trial_end=now``: Stripe ends the trial, starts a paid period today and
        charges the card on file (always accepted here)."""
        now = int(time.time())
        item = sub["items"]["data"][0]
        length = item["current_period_end"] - item["current_period_start"]
        if sub["status"] == "trialing":
            length = 30 * 86400
            sub["status"] = "active"
        sub["trial_end"] = now
        item["current_period_start"] = now
        item["current_period_end"] = now + length

    def _create_checkout(self, params: dict) -> dict:
        if params.get("mode") != "subscription":
            raise FakeStripeError(400, "The fake only knows subscription mode.")
        if not params.get("line_items") or not params["line_items"][0].get("price"):
            raise FakeStripeError(400, "Missing required param: line_items[0][price].")
        session_id = new_id("cs")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": "subscription",
            "status": "open",
            "payment_status": "unpaid",
            "url": f"{CHECKOUT_HOST}/c/pay/{session_id}",
            "customer": params.get("customer"),
            "customer_email": params.get("customer_email"),
            "subscription": None,
            "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata", {}),
            "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"),
            "livemode": False,
            "_params": params,
        }
        self.checkout_sessions[session_id] = session
        return self._public(session)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeStripe

    def _serve(self, method: str) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else url.query
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            status, payload = self.fake.handle(method, url.path, parse_form(body), headers)
            extra = {}
        except FakeStripeError as error:
            status, payload = error.status, error.body
            extra = {"Stripe-Should-Retry": "false"}
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", new_id("req"))
            for key, value in extra.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a held reply past its timeout)

    def do_GET(self):  # noqa: N802 - http.server's hook name
        self._serve("GET")

    def do_POST(self):  # noqa: N802 - http.server's hook name
        self._serve("POST")

    def log_message(self, format, *args):  # noqa: A002 - http.server's signature
        pass


def event(
    type: str,  # noqa: A002 - Stripe's field name
    obj: dict,
    *,
    created: int | None = None,
    event_id: str | None = None,
) -> dict:
    """A Stripe event envelope (a snapshot event, as webhooks deliver it)."""
    return {
        "id": event_id or new_id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": int(created or time.time()),
        "data": {"object": copy.deepcopy(obj)},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": type,
    }


def sign(payload: str, secret: str, *, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe would send: ``t=<ts>,v1=<hmac>``,
    computed with the installed SDK's own scheme."""
    return stripe.WebhookSignature.generate_signature_header(
        payload, secret, timestamp=int(timestamp or time.time())
    )
