#!/usr/bin/env bash
# Serve the site under gunicorn, with the task worker and Wagtail's scheduler beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
WORKERS="${WEB_CONCURRENCY:-2}"

# Scheduled publishing: Wagtail publishes and expires pages when
# publish_scheduled runs; requeue_mail hands the worker any e-mail whose task was
# lost; send_newsletters makes the digests that are due and resumes stalled sends; every
# 10 minutes insights_rollup rolls today's and yesterday's reader events up for the
# dashboard and deletes raw events past their keep (safe to overlap or repeat). In
# production the systemd timers in deploy/systemd (or cron) do the same.
(
  minute=0
  while sleep 60; do
    .venv/bin/python manage.py publish_scheduled >/dev/null 2>&1 || true
    .venv/bin/python manage.py requeue_mail -v0 >/dev/null 2>&1 || true
    .venv/bin/python manage.py send_newsletters -v0 >/dev/null 2>&1 || true
    if (( minute++ % 10 == 0 )); then
      .venv/bin/python manage.py insights_rollup -v0 >/dev/null 2>&1 || true
    fi
  done
) &
scheduler=$!

# The task worker: e-mails and Wagtail's background work, from the queue in the database.
.venv/bin/python manage.py db_worker --queue-name '*' --interval 1 --no-reload -v0 &
worker=$!
trap 'kill $scheduler $worker 2>/dev/null || true; wait $worker 2>/dev/null || true' EXIT

.venv/bin/python manage.py ensure_editor
echo "Serving Masthead at http://127.0.0.1:${PORT}/ (Ctrl-C to stop)"
.venv/bin/gunicorn masthead.wsgi:application \
  --bind "127.0.0.1:${PORT}" --workers "$WORKERS" --timeout "${WEB_TIMEOUT:-30}" \
  --access-logfile - --log-level warning
