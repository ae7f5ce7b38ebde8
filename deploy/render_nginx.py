"""Fill deploy/nginx/masthead.conf's placeholders: ``render_nginx.py KEY=VALUE ... > out.conf``.

Keys: RUN_DIR, LISTEN (e.g. 8080 or 127.0.0.1:8080), UPSTREAMS (comma-separated
host:port of the app processes), STATIC_ROOT, MEDIA_ROOT, SESSION_COOKIE
(Django's SESSION_COOKIE_NAME, default sessionid).
"""

from __future__ import annotations

import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx" / "masthead.conf"


def render(
    *,
    run_dir: str,
    listen: str,
    upstreams: list[str],
    static_root: str,
    media_root: str,
    session_cookie: str = "sessionid",
) -> str:
    servers = "\n".join(
        f"        server {address} max_fails=1 fail_timeout=5s;" for address in upstreams
    )
    values = {
        "RUN_DIR": run_dir,
        "LISTEN": listen,
        "UPSTREAMS": servers,
        "STATIC_ROOT": static_root.rstrip("/"),
        "MEDIA_ROOT": media_root.rstrip("/"),
        "SESSION_COOKIE": session_cookie,
    }
    text = TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace(f"@@{name}@@", value)
    if "@@" in text:
        raise ValueError("a placeholder was left unfilled")
    return text


def main(argv: list[str]) -> int:
    pairs = dict(arg.split("=", 1) for arg in argv)
    sys.stdout.write(
        render(
            run_dir=pairs["RUN_DIR"],
            listen=pairs["LISTEN"],
            upstreams=pairs["UPSTREAMS"].split(","),
            static_root=pairs["STATIC_ROOT"],
            media_root=pairs["MEDIA_ROOT"],
            session_cookie=pairs.get("SESSION_COOKIE", "sessionid"),
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
