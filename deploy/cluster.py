"""The production shape on one machine: nginx in front of several app processes.

``make cluster`` runs it in the foreground (Ctrl-C stops it all); the fault tests
(``tests/faults/``) start the same shape and then break parts of it. The shape:
nginx on one port (``deploy/nginx/masthead.conf``) → N gunicorn processes → the
database and Redis named by the environment, with the task worker and the
scheduler beside them.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
ROOT = DEPLOY.parent
sys.path.insert(0, str(DEPLOY))
from render_nginx import render  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    def __init__(
        self,
        *,
        env: dict,
        workdir: Path,
        port: int | None = None,
        app_processes: int = 3,
        workers: int = 2,
        python: str = sys.executable,
    ):
        self.env = dict(env)
        self.workdir = Path(workdir)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app_ports = [free_port() for _ in range(app_processes)]
        self.workers = workers
        self.bin = Path(python).parent
        self.apps: list[subprocess.Popen | None] = [None] * app_processes
        self.others: list[subprocess.Popen] = []

    # -- processes -------------------------------------------------------------------

    def _spawn(self, args: list[str]) -> subprocess.Popen:
        # Each in its own process group: kill_app() kills a gunicorn and all its workers.
        return subprocess.Popen(args, cwd=ROOT, env=self.env, start_new_session=True)

    def start_app(self, index: int) -> None:
        self.apps[index] = self._spawn(
            [
                str(self.bin / "gunicorn"),
                "masthead.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.app_ports[index]}",
                "--workers",
                str(self.workers),
                "--timeout",
                self.env.get("WEB_TIMEOUT", "30"),
                "--log-level",
                "warning",
            ]
        )

    def kill_app(self, index: int) -> None:
        """``kill -9`` one app process and its workers, as a crash would."""
        process = self.apps[index]
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def start(self) -> None:
        for index in range(len(self.apps)):
            self.start_app(index)
        python = str(self.bin / "python")
        self.others.append(
            self._spawn(
                [python, "manage.py", "db_worker", "--queue-name", "*", "--interval", "1"]
                + ["--no-reload", "-v0"]
            )
        )
        # As scripts/serve.sh: every minute, and the insights rollup every tenth.
        scheduler = (
            "minute=0; while sleep 60; do "
            f"{python} manage.py publish_scheduled >/dev/null 2>&1; "
            f"{python} manage.py requeue_mail -v0 >/dev/null 2>&1; "
            f"{python} manage.py send_newsletters -v0 >/dev/null 2>&1; "
            "if (( minute++ % 10 == 0 )); then "
            f"{python} manage.py insights_rollup -v0 >/dev/null 2>&1; fi; done"
        )
        self.others.append(self._spawn(["bash", "-c", scheduler]))
        self.others.append(self._start_nginx())
        for app_port in self.app_ports:
            self._wait_for(f"http://127.0.0.1:{app_port}/robots.txt")
        self._wait_for(self.url + "/robots.txt")

    def _start_nginx(self) -> subprocess.Popen:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        run_dir = self.workdir / "nginx"
        run_dir.mkdir(parents=True, exist_ok=True)
        var = ROOT / self.env.get("MASTHEAD_VAR_DIR", "var")
        conf = render(
            run_dir=str(run_dir),
            listen=f"127.0.0.1:{self.port}",
            upstreams=[f"127.0.0.1:{p}" for p in self.app_ports],
            static_root=self.env.get("STATIC_ROOT", str(var / "static")),
            media_root=self.env.get("MEDIA_ROOT", str(var / "media")),
        )
        if os.geteuid() == 0:
            # As root, nginx's workers would run as nobody and could not read var/.
            conf = "user root;\n" + conf
        (run_dir / "nginx.conf").write_text(conf)
        return self._spawn(
            [nginx, "-p", str(run_dir), "-c", str(run_dir / "nginx.conf"), "-g", "daemon off;"]
        )

    @staticmethod
    def _wait_for(url: str, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")

    def stop(self) -> None:
        for process in [*self.apps, *self.others]:
            if process is not None and process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for process in [*self.apps, *self.others]:
            if process is not None:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main() -> int:
    """``make cluster``: prepare the demo, then run the shape until Ctrl-C."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="masthead.settings")
    python = str(ROOT / ".venv" / "bin" / "python")
    for args in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([python, "manage.py", *args], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "load_demo"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "ensure_editor"], cwd=ROOT, env=env, check=True)
    workdir = ROOT / "var" / "cluster"
    cluster = Cluster(
        env=env,
        workdir=workdir,
        port=int(env.get("PORT", "8000")),
        app_processes=int(env.get("APP_PROCESSES", "3")),
        python=python,
    )
    # A service manager (or `timeout`) stops with SIGTERM: stop the whole shape then too.
    signal.signal(signal.SIGTERM, _interrupt)
    cluster.start()
    print(
        f"Masthead cluster at {cluster.url}/: nginx → {len(cluster.apps)} app processes "
        f"(ports {', '.join(map(str, cluster.app_ports))}), task worker, scheduler. Ctrl-C stops."
    )
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
