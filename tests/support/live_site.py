"""Start the real site under gunicorn for browser and concurrency tests."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
SQLITE_NAME = "masthead.sqlite3"  # in MASTHEAD_VAR_DIR, as settings.py names it


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _on_server(base_url: str, *statements: str) -> None:
    """Run ``statements`` on the PostgreSQL server of ``base_url``, outside any database's."""
    import psycopg

    parts = urlsplit(base_url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def _own_database_url(base_url: str, name: str) -> str:
    """A fresh PostgreSQL database beside the one in DATABASE_URL."""
    _on_server(base_url, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(base_url)._replace(path=f"/{name}"))


def _drop_database(base_url: str, name: str) -> None:
    _on_server(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


# A migrated demo per database engine, made once per test run and copied into each site
# that is prepared fresh: migrating costs most of a site's start. What the demo's data
# depends on besides the code is the engine and the site's address, which the copy's own
# ``load_demo`` follows; nothing else a test sets changes it.
_TEMPLATES: dict[str, tuple[Path, str | None]] = {}


def _template(env: dict, *, postgresql: bool) -> tuple[Path, str | None]:
    """(the template's var directory, its PostgreSQL database or None), made on first use."""
    engine = "postgresql" if postgresql else "sqlite"
    if engine not in _TEMPLATES:
        var_dir = Path(tempfile.mkdtemp(prefix="masthead-live-template-"))
        env = dict(env, MASTHEAD_VAR_DIR=str(var_dir))
        name = None
        if postgresql:
            name = f"masthead_template_{uuid.uuid4().hex[:10]}"
            env["DATABASE_URL"] = _own_database_url(os.environ["DATABASE_URL"], name)
        if "CACHE_KEY_PREFIX" in env:
            env["CACHE_KEY_PREFIX"] = f"template-{uuid.uuid4().hex[:8]}"
        atexit.register(_remove_template, var_dir, name)
        _manage(env, "migrate", "--noinput", "-v0")
        _manage(env, "collectstatic", "--noinput", "-v0")
        _manage(env, "load_demo", "-v0")
        _TEMPLATES[engine] = (var_dir, name)
    return _TEMPLATES[engine]


def _remove_template(var_dir: Path, name: str | None) -> None:
    shutil.rmtree(var_dir, ignore_errors=True)
    if name:
        _drop_database(os.environ["DATABASE_URL"], name)


def _copy_database(base_url: str, template: str, name: str) -> None:
    _on_server(
        base_url,
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        f'CREATE DATABASE "{name}" TEMPLATE "{template}"',
    )


def migrated_sqlite(var_dir: Path) -> None:
    """A migrated SQLite database with nothing in it, as ``migrate`` leaves it, in ``var_dir``.

    Copied from one made once per test run, for the tests that run their own processes.
    """
    if "migrated" not in _TEMPLATES:
        template = Path(tempfile.mkdtemp(prefix="masthead-migrated-template-"))
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env.update(
            DJANGO_SETTINGS_MODULE="masthead.settings",
            PYTHONPATH=str(ROOT),
            MASTHEAD_VAR_DIR=str(template),
        )
        atexit.register(_remove_template, template, None)
        _manage(env, "migrate", "--noinput", "-v0")
        _TEMPLATES["migrated"] = (template, None)
    shutil.copy2(_TEMPLATES["migrated"][0] / SQLITE_NAME, Path(var_dir) / SQLITE_NAME)


class LiveSite:
    def __init__(
        self,
        *,
        workdir: Path,
        workers: int = 2,
        threads: int = 1,
        extra_env: dict | None = None,
        database_url: str | None = None,
    ):
        """``database_url``: a database the caller made (and removes); otherwise a new
        PostgreSQL database beside DATABASE_URL's, dropped by ``stop()``, or SQLite."""
        self.workdir = Path(workdir)
        self.workers = workers
        self.threads = threads
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.database_name = None
        # A site whose database the caller made, or that has run a command, is set up by
        # its own commands; a fresh one of ours starts from a copy of the template.
        self.from_template = not database_url
        self.env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        self.env.update(
            {
                "MASTHEAD_VAR_DIR": str(self.workdir),
                "DJANGO_SETTINGS_MODULE": "masthead.settings",
                "PYTHONPATH": str(ROOT),
                # No task worker beside this gunicorn: e-mails are sent within the request.
                "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            }
        )
        if database_url:
            self.env["DATABASE_URL"] = database_url
        elif os.environ.get("DATABASE_URL", "").startswith("postgres"):
            self.database_name = f"masthead_live_{uuid.uuid4().hex[:10]}"
            self.env["DATABASE_URL"] = _own_database_url(
                os.environ["DATABASE_URL"], self.database_name
            )
        else:
            self.env.pop("DATABASE_URL", None)
        if os.environ.get("REDIS_URL"):
            self.env["CACHE_KEY_PREFIX"] = f"live-{uuid.uuid4().hex[:8]}"
        self.env.update(extra_env or {})

    def manage(self, *args: str) -> str:
        self.from_template = False
        return _manage(self.env, *args)

    def start(self) -> None:
        self.prepare()
        self.serve()

    def prepare(self) -> None:
        """The database and static files the site needs, with the demo loaded."""
        if self.from_template:
            var_dir, database = _template(self.env, postgresql=bool(self.database_name))
            shutil.copytree(var_dir, self.workdir, dirs_exist_ok=True)
            if database:
                _copy_database(os.environ["DATABASE_URL"], database, self.database_name)
            # Finds the demo loaded and moves the site's address to this site's.
            self.manage("load_demo", "-v0")
            return
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        self.manage("load_demo", "-v0")

    def serve(self) -> None:
        """gunicorn on ``self.port``, with ``self.env`` as it is now."""
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "masthead.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--threads",
                str(self.threads),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/robots.txt", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 30 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self.database_name:
            _drop_database(os.environ["DATABASE_URL"], self.database_name)
