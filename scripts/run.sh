#!/usr/bin/env bash
# One entry point for the README's commands (the Makefile calls it too):
#   bash scripts/run.sh demo   set up, build, serve the demo on http://127.0.0.1:${PORT:-8000}
#   bash scripts/run.sh test   set up (Chromium, redis-server, tsc included), build, run every test
#   bash scripts/run.sh build  set up and build the bundles into build/dist/
#   bash scripts/run.sh bench  set up and run the benchmarks
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-test}"
shift || true
bash scripts/setup.sh "$what"
case "$what" in
  build) ;;
  demo)
    echo "Demo shop:     http://127.0.0.1:${PORT:-8000}/"
    echo "Chat window:   http://localhost:${PORT:-8000}/chat"
    echo "Agent console: http://127.0.0.1:${PORT:-8000}/agent"
    exec .venv/bin/python -m session_server --demo --host 127.0.0.1 --port "${PORT:-8000}" "$@" ;;
  test)
    set +e
    .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
    rc=$?
    [ $rc -eq 5 ] && { echo "no tests were collected"; exit 1; }
    exit $rc ;;
  bench)
    for b in bench/bench_*.py; do .venv/bin/python "$b"; done ;;
  *) echo "usage: scripts/run.sh demo|test|build|bench" >&2; exit 2 ;;
esac
