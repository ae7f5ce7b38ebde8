"""Newsletter sending: render and hand N e-mails to a local SMTP sink, through the real worker.

    python bench/newsletter.py [--recipients 50000] [--small 5000]

Makes a site in a temporary directory (file SQLite, or the database in DATABASE_URL),
loads the demo, then for ``--small`` and then ``--recipients`` readers (a fifth of them
paying, so both the whole article and the teaser are rendered) sends one metered article
as an issue: ``manage.py db_worker`` (django-tasks-db) fans it out and sends the batches to
an aiosmtpd sink in this process, which only counts. Prints e-mails per second (first to
last e-mail accepted, and from the enqueue, fan-out included) and the worker's peak
resident memory (VmHWM) for each size: flat memory means the two peaks are close.
Target on the project's 2-CPU machine: at least 200 e-mails/s. ``--profile DIR`` runs the
worker under pyinstrument (where the time goes in a batch: docs/operations.md).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.smtp import free_port  # noqa: E402


class Sink:
    """Counts what it accepts, and when; keeps nothing else."""

    def __init__(self):
        self.count = 0
        self.first = self.last = 0.0
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        now = time.monotonic()
        with self._lock:
            self.count += len(envelope.rcpt_tos)
            self.first = self.first or now
            self.last = now
        return "250 OK"

    def reset(self):
        with self._lock:
            self.count, self.first, self.last = 0, 0.0, 0.0


MAKE_ISSUE = """
import os
import shutil
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from masthead.billing.models import Plan, Subscription, SubscriptionStatus
from masthead.content.models import ArticlePage
from masthead.newsletters.models import Issue, Newsletter, NewsletterSubscription
from masthead.newsletters.sending import fan_out

n, run = int(os.environ["BENCH_RECIPIENTS"]), os.environ["BENCH_RUN"]
newsletter = Newsletter.objects.create(name=f"Bench {run}", slug=f"bench-{run}")
paying = n // 5
User = get_user_model()
User.objects.bulk_create(
    (User(username=f"b{run}-{i}", email=f"b{run}-{i}@example.org") for i in range(paying)),
    batch_size=2000,
)
users = list(User.objects.filter(username__startswith=f"b{run}-").values_list("pk", "email"))
plan = Plan.objects.order_by("pk").first()
end = timezone.now() + timedelta(days=30)
Subscription.objects.bulk_create(
    (Subscription(user_id=pk, plan=plan, status=SubscriptionStatus.ACTIVE, current_period_end=end)
     for pk, _ in users),
    batch_size=2000,
)
rows = [NewsletterSubscription(newsletter=newsletter, email=e, user_id=pk) for pk, e in users]
rows += [NewsletterSubscription(newsletter=newsletter, email=f"free{run}-{i}@example.org")
         for i in range(n - paying)]
NewsletterSubscription.objects.bulk_create(rows, batch_size=2000)
article = ArticlePage.objects.live().filter(access_level="metered").order_by("pk").first()
issue = Issue.objects.create(newsletter=newsletter, article=article, subject=article.title)
fan_out.enqueue(issue.pk)
"""


def peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=50_000)
    parser.add_argument("--small", type=int, default=5_000)
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="run the worker under pyinstrument; a session per size in DIR "
        "(read with: pyinstrument --load DIR/worker-N.pyisession)",
    )
    args = parser.parse_args()

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    workdir = tempfile.mkdtemp(prefix="masthead-bench-newsletter-")
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "masthead.settings",
            "PYTHONPATH": str(ROOT),
            "MASTHEAD_VAR_DIR": workdir,
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(controller.port),
            "NEWSLETTER_RATE_PER_MINUTE": "0",
            "GENERATION_LISTENER": "0",
            "INSIGHTS_BACKGROUND_FLUSH": "0",
            "BASE_URL": "https://news.example.org",
        }
    )

    def manage(*command: str, **extra: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env | extra, check=True
        )

    print(f"database: {env.get('DATABASE_URL', 'SQLite in ' + workdir)}", flush=True)
    manage("migrate", "--noinput", "-v0")
    manage("load_demo", "-v0")
    results = []
    for run, n in enumerate((args.small, args.recipients)):
        sink.reset()
        manage(
            "shell",
            "-v0",
            "-c",
            MAKE_ISSUE,
            BENCH_RECIPIENTS=str(n),
            BENCH_RUN=f"{time.time():.0f}{run}",
        )
        started = time.monotonic()
        profiler = []
        if args.profile:
            Path(args.profile).mkdir(parents=True, exist_ok=True)
            profiler = [
                "-m",
                "pyinstrument",
                "-r",
                "session",
                "-o",
                f"{args.profile}/worker-{n}.pyisession",
            ]
        worker = subprocess.Popen(
            [sys.executable, *profiler, "manage.py", "db_worker", "--queue-name", "*"]
            + ["--interval", "0.2", "--no-startup-delay", "--no-reload", "-v0"],
            cwd=ROOT,
            env=env,
        )
        try:
            while sink.count < n:
                if worker.poll() is not None:
                    raise SystemExit(f"the worker exited ({worker.returncode})")
                time.sleep(0.2)
            peak = peak_kib(worker.pid)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        sending = sink.last - sink.first
        overall = sink.last - started
        results.append((n, n / sending, n / overall, peak / 1024))
        print(
            f"{n:>7} e-mails: {n / sending:7.1f} e-mails/s sending "
            f"({n / overall:.1f}/s from the enqueue, worker start and fan-out included), "
            f"worker peak memory {peak / 1024:.1f} MiB",
            flush=True,
        )
    controller.stop()
    shutil.rmtree(workdir, ignore_errors=True)
    (small_n, *_, small_peak), (big_n, rate, _, big_peak) = results
    print(
        f"\n{big_n} e-mails at {rate:.0f}/s "
        f"(target >= 200/s: {'met' if rate >= 200 else 'NOT met'}); "
        f"peak memory {big_peak / small_peak:.2f}x for {big_n / small_n:.0f}x the recipients"
    )


if __name__ == "__main__":
    main()
