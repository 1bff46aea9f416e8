#!/usr/bin/env bash
# Runs one command with the local stack up: creates .venv from the pinned requirements (once), starts
# moto_server (DynamoDB, Secrets Manager, SQS) on a free 127.0.0.1 port, exports where it is, runs the
# command, and always stops what it started. Used by the test command and for benchmarks:
#   infra/local/with-stack.sh cargo bench -p ohsync-scheduler --bench dispatch
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARG...]" >&2; exit 2; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
stack="$root/.stack"
venv="$root/.venv"
requirements="$root/infra/local/requirements.txt"
mkdir -p "$stack"

started=$SECONDS
step() { printf '\n==> [%4ds] %s\n' "$((SECONDS - started))" "$*"; }

pids=()
stop_stack() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap stop_stack EXIT
trap 'exit 130' INT TERM

# The venv is rebuilt only when the pinned requirements change.
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  step "Creating the Python venv for the local stack ($venv)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  echo "$want" > "$stamp"
fi

free_port() {
  "$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

step "Starting moto_server (DynamoDB, Secrets Manager, SQS) on 127.0.0.1"
moto_port=$(free_port)
"$venv/bin/moto_server" -H 127.0.0.1 -p "$moto_port" >"$stack/moto.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 100); do
  if "$venv/bin/python" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$moto_port/moto-api/', timeout=1)" 2>/dev/null; then
    break
  fi
  sleep 0.2
done
"$venv/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$moto_port/moto-api/', timeout=2)" \
  || { echo "moto_server did not start; see $stack/moto.log" >&2; exit 1; }
echo "moto_server ready at http://127.0.0.1:$moto_port"

export OHSYNC_TEST_AWS_ENDPOINT="http://127.0.0.1:$moto_port"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=eu-west-1
export OHSYNC_PYTHON="$venv/bin/python"
# cargo-lambda's local Lambda runtime, for the tests that run a function through it.
export OHSYNC_CARGO_LAMBDA="$venv/bin/cargo-lambda"
# Tests that need the stack fail (instead of skipping) when it is missing.
export OHSYNC_REQUIRE_STACK=1
export EWS_SAMPLES_DIR="${EWS_SAMPLES_DIR:-$root/../shared/ews-samples}"

export OHSYNC_STACK_UP=1

"$@"
