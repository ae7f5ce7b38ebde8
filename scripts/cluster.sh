#!/usr/bin/env bash
# `make cluster`: the production shape on this machine, on one port, until Ctrl-C:
# nginx → 3 gunicorn processes → PostgreSQL and Redis, with the task worker and the
# scheduler. Uses DATABASE_URL and REDIS_URL when set; otherwise the machine's servers,
# or throwaway ones (stopped on exit), as .ci/run does.
set -euo pipefail
cd "$(dirname "$0")/.."
started=()
cleanup() {
  for cmd in "${started[@]:-}"; do [ -n "$cmd" ] && eval "$cmd" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

command -v nginx >/dev/null || { echo "nginx is required (apt-get install nginx-light)"; exit 1; }
if [ -z "${DATABASE_URL:-}" ] || [ -z "${REDIS_URL:-}" ]; then
  source scripts/services.sh
  if [ -z "${DATABASE_URL:-}" ]; then
    psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -tc \
      "SELECT 1 FROM pg_database WHERE datname = 'masthead_cluster'" | grep -q 1 \
      || createdb -h "$PG_HOST" -p "$PG_PORT" -U postgres masthead_cluster
    export DATABASE_URL="postgres://postgres@$PG_HOST:$PG_PORT/masthead_cluster"
  fi
  export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:$REDIS_PORT/2}"
fi
export MASTHEAD_VAR_DIR="${MASTHEAD_VAR_DIR:-var/cluster}"
mkdir -p "$MASTHEAD_VAR_DIR"
.venv/bin/python deploy/cluster.py
