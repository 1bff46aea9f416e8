#!/usr/bin/env bash
# The project's one test command (README, .ci/run): runs every check and test with the local stack up
# (infra/local/with-stack.sh), and always stops what it started. Works on a fresh clone; needs only
# cargo and python3 on PATH.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [ -z "${OHSYNC_STACK_UP:-}" ]; then
  exec "$root/infra/local/with-stack.sh" "$root/infra/local/test.sh" "$@"
fi
cd "$root"
venv="$root/.venv"
# Incremental compilation only pays off on rebuilds; CI builds a fresh clone once.
if [ -n "${CI:-}" ]; then
  export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
fi

started=$SECONDS
step() { printf '\n==> [%4ds] %s\n' "$((SECONDS - started))" "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --all-features --quiet -- -D warnings

step "cfn-lint template.yaml"
"$venv/bin/cfn-lint" template.yaml

step "cargo test (workspace)"
cargo test --workspace --all-features --no-fail-fast

step "schemathesis against the settings API (10 examples per operation; infra/local/schemathesis.sh)"
"$root/infra/local/schemathesis.sh" 10

step "all checks and tests passed"
