# Sourced by .ci/run and scripts/cluster.sh: make PostgreSQL and Redis answer on loopback.
# Uses the machine's own servers when they answer; otherwise starts throwaway ones and
# appends the commands that stop them to the caller's `started` array.
# Sets PG_HOST, PG_PORT and REDIS_PORT.

PG_HOST=127.0.0.1 PG_PORT=5432
if ! pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
  # The machine's own cluster first; a throwaway one on another port otherwise.
  if ls /etc/postgresql/*/main >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
  if ! pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
    PG_PORT=55432
    pgdata=$(mktemp -d /tmp/masthead-pg.XXXXXX)
    chown postgres "$pgdata"
    runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -D "$pgdata" -A trust -U postgres >/dev/null
    runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$pgdata" -w \
      -o "-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200" -l "$pgdata/log" start
    started+=("runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D $pgdata -m fast stop")
  fi
fi
pg_isready -h "$PG_HOST" -p "$PG_PORT"

REDIS_PORT=6379
if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  REDIS_PORT=56379
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --logfile /tmp/masthead-redis-$REDIS_PORT.log
  started+=("redis-cli -p $REDIS_PORT shutdown nosave")
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping
