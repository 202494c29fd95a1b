#!/usr/bin/env bash
# Load run on loopback: gunicorn on PostgreSQL, 20 locust users for a bounded time.
#
#   bash bench/load.sh                       # 60 s, 20 users, 100,000 synthetic inflows
#   DURATION=30s USERS=20 LOAD_INFLOWS=1000000 bash bench/load.sh
#   BENCH_DB=portal_bench_big LOAD_REUSE=1 bash bench/load.sh   # data from bench_pages --keep
#   WARM=0 bash bench/load.sh                # without `manage.py warm_caches` first (cold start)
#
# It (re)creates a scratch PostgreSQL database whose name must contain "bench", migrates,
# collects static files into a temporary folder, loads the roster and the demo accounts
# (plus two more clerks of T01), builds synthetic data with `bench_dashboard --data-only`,
# starts gunicorn on 127.0.0.1, runs locust headless (viewers on the dashboard, ranking, park,
# pipeline and the big lists; verifiers POSTing 核实 from the verification queue; clerks
# submitting inflows through the real form; /healthz probes), prints requests, failures, p50
# and p95 per endpoint, and exits non-zero on any error: a failed request, a
# traceback in gunicorn's log, or a submission the database does not hold. gunicorn is
# stopped on every exit. Settings: bench/load_settings.py (production's, without the
# HTTPS-only cookies and redirect, since the run is plain HTTP on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."

PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
BENCH_DB=${BENCH_DB:-portal_load_bench}
PORT=${PORT:-8765}
WORKERS=${WORKERS:-3}
USERS=${USERS:-20}
SPAWN_RATE=${SPAWN_RATE:-5}
DURATION=${DURATION:-60s}
LOAD_INFLOWS=${LOAD_INFLOWS:-100000}
PASSWORD=${LOAD_PASSWORD:-demo-2026}
PY=.venv/bin/python

case "$BENCH_DB" in
  *bench*) ;;
  *) echo "refusing: BENCH_DB=$BENCH_DB must contain 'bench' (the database is dropped)" >&2; exit 2 ;;
esac
[[ "$BENCH_DB" =~ ^[A-Za-z0-9_]+$ ]] || { echo "BENCH_DB: letters, digits and _ only" >&2; exit 2; }
test -x "$PY" || { echo "no .venv: run 'make install' first" >&2; exit 2; }
if ! "$PY" -c "import locust" 2>/dev/null; then
  echo "installing locust into .venv (not a project dependency) …"
  .venv/bin/pip install --quiet "locust>=2.20,<3"
fi
if "$PY" -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $PORT)) != 0)"; then
  echo "port $PORT on 127.0.0.1 is in use: set PORT=…" >&2
  exit 2
fi

WORK=$(mktemp -d /tmp/portal-load.XXXXXX)
GUNICORN_PID=""
cleanup() {
  local rc=$?
  if [[ -n "$GUNICORN_PID" ]] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$GUNICORN_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$GUNICORN_PID" 2>/dev/null || true
    wait "$GUNICORN_PID" 2>/dev/null || true
    echo "gunicorn stopped"
  fi
  echo "logs: $WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export DATABASE_URL="$PG_URL/$BENCH_DB"
export DJANGO_SETTINGS_MODULE=bench.load_settings
export SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(60))')"
export FIELD_ENCRYPTION_KEY="$("$PY" -c 'import base64,os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')"
export ALLOWED_HOSTS=127.0.0.1
export STATIC_ROOT="$WORK/static" MEDIA_ROOT="$WORK/media" PORTAL_VAR_DIR="$WORK/var"
export LOG_LEVEL=WARNING

started=$(date +%s)
if [[ "${LOAD_REUSE:-}" == 1 ]]; then
  # A database already built by bench_pages --keep (e.g. portal_bench_big): migrate, add the
  # accounts, keep the data.
  echo "== database $BENCH_DB (reused) =="
else
  echo "== database $BENCH_DB (recreated) =="
  psql "$PG_URL/postgres" -v ON_ERROR_STOP=1 -qc "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)"
  psql "$PG_URL/postgres" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $BENCH_DB"
fi
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py collectstatic --noinput -v 0
"$PY" manage.py load_roster
"$PY" manage.py create_demo_accounts --password "$PASSWORD" >/dev/null
"$PY" manage.py shell -v 0 -c "
from accounts.services import user_upsert
from units.models import Unit
t01 = Unit.objects.get(code='T01')
for n in (2, 3):
    user_upsert(username=f'clerk_t01_{n}', password='''$PASSWORD''', role='unit_staff',
                unit=t01, full_name=f'郴江镇填报员{n}')
"
if [[ "${LOAD_REUSE:-}" != 1 ]]; then
  "$PY" manage.py bench_dashboard --sizes "$LOAD_INFLOWS" --data-only
fi
PROJECT_IDS=$("$PY" manage.py shell -v 0 -c "
from projects.models import Project
ids = Project.objects.filter(unit__code='T01', stage__in=('signed', 'started', 'producing')).order_by('pk').values_list('pk', flat=True)[:20]
print(','.join(map(str, ids)))
" | tail -n 1)
[[ -n "$PROJECT_IDS" ]] || { echo "no projects for T01" >&2; exit 1; }
echo "setup took $(( $(date +%s) - started )) s; T01 projects: $PROJECT_IDS"

echo "== gunicorn on 127.0.0.1:$PORT, $WORKERS workers =="
.venv/bin/gunicorn config.wsgi --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
  --access-logfile "$WORK/access.log" >"$WORK/gunicorn.log" 2>&1 &
GUNICORN_PID=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$GUNICORN_PID" 2>/dev/null || { cat "$WORK/gunicorn.log"; exit 1; }
  sleep 0.3
done
curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null || { echo "gunicorn not ready" >&2; exit 1; }
# As after a deploy (README, production): read what the server's processes share. WARM=0
# measures the cold start instead (the first forecast pages then wait for the reading).
if [[ "${WARM:-1}" == 1 ]]; then
  "$PY" manage.py warm_caches
fi

echo "== locust: $USERS users, $DURATION (load average before: $(cut -d' ' -f1 /proc/loadavg)) =="
before=$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM projects_inflow WHERE voucher_no LIKE 'LOAD-%'")
set +e
LOAD_PASSWORD="$PASSWORD" LOAD_VIEWERS=commerce,leader LOAD_CLERKS=clerk,clerk_t01_2,clerk_t01_3 \
LOAD_VERIFIERS=commerce \
LOAD_PROJECT_IDS="$PROJECT_IDS" LOAD_RESULT_FILE="$WORK/submitted.txt" \
  .venv/bin/locust -f bench/locustfile.py --headless --only-summary \
  --users "$USERS" --spawn-rate "$SPAWN_RATE" --run-time "$DURATION" --stop-timeout 10 \
  --host "http://127.0.0.1:$PORT" --csv "$WORK/locust" --loglevel WARNING
locust_rc=$?
set -e

status=0
[[ $locust_rc -eq 0 ]] || { echo "FAIL: locust reported errors (exit $locust_rc)"; status=1; }
if grep -q "Traceback" "$WORK/gunicorn.log"; then
  echo "FAIL: tracebacks in gunicorn's log:"; grep -B2 -A20 -m3 "Traceback" "$WORK/gunicorn.log"
  status=1
fi
after=$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM projects_inflow WHERE voucher_no LIKE 'LOAD-%'")
submitted=$(cat "$WORK/submitted.txt" 2>/dev/null || echo "?")
if [[ "$submitted" != "$((after - before))" ]]; then
  echo "FAIL: $submitted submissions accepted, but $((after - before)) new inflows in the database"
  status=1
else
  echo "inflows accepted: $submitted, all in the database"
fi
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews the timings)"
echo "total time $(( $(date +%s) - started )) s"
[[ $status -eq 0 ]] && echo "PASS: zero errors" || echo "FAIL"
exit $status
