#!/usr/bin/env bash
# Contract fuzzing: schemathesis (pinned, in its own venv) against the local harness on each topology,
# from the harness' own /openapi.json: no 5xx, no status, header, content type or body that violates the
# description, invalid input refused, stateful links (POST /orders, then GET /orders/{key}). Bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION="4.32.5"
VENV=.venv-fuzz
if [ ! -x "$VENV/bin/schemathesis" ] || ! "$VENV/bin/schemathesis" --version | grep -q "$SCHEMATHESIS_VERSION"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,negative_data_rejection
MAX_TIME="${FUZZ_MAX_TIME_SECONDS:-90}"
mkdir -p test-artifacts

for topology in composed orchestrated; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  log="test-artifacts/fuzz-harness-$topology.jsonl"
  setsid npx tsx harness/cli/main.ts --port "$port" --topology "$topology" --log-level WARN >"$log" 2>&1 &
  harness=$!
  trap 'kill -- -$harness 2>/dev/null || true' EXIT
  for _ in $(seq 1 60); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.5
  done
  echo "--- schemathesis $SCHEMATHESIS_VERSION on --topology $topology (at most ${MAX_TIME}s)"
  status=0
  "$VENV/bin/schemathesis" run "http://127.0.0.1:$port/openapi.json" --checks "$CHECKS" --max-examples 25 \
    --max-time "$MAX_TIME" --request-timeout 10 --no-color >"test-artifacts/schemathesis-$topology.txt" 2>&1 || status=$?
  grep -E "generated|passed|failed|errors?" "test-artifacts/schemathesis-$topology.txt" | tail -3
  kill -- -"$harness" 2>/dev/null || true
  wait "$harness" 2>/dev/null || true
  trap - EXIT
  if [ "$status" -ne 0 ]; then
    cat "test-artifacts/schemathesis-$topology.txt"
    exit "$status"
  fi
done
