#!/usr/bin/env bash
# Schema fuzzing of the settings API: starts `ohsync serve` on a free 127.0.0.1 port (embedded
# store and secrets file in a temporary directory, one caller token for tenant acme) and runs
# schemathesis against the OpenAPI document it serves: no 5xx, every answer's status, content
# type, headers and body as the document says.
#   infra/local/schemathesis.sh [MAX_EXAMPLES]     # default 100 per operation
# The test command runs it with 10. Needs .venv with schemathesis (infra/local/with-stack.sh
# creates it from infra/local/requirements.txt).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
examples=${1:-100}
venv="$root/.venv"
[ -x "$venv/bin/schemathesis" ] || {
  echo "no $venv/bin/schemathesis: run this through infra/local/with-stack.sh, which creates the venv" >&2
  exit 2
}

# The workspace and all features, as the test command builds it, so that nothing is rebuilt.
cargo build --quiet --workspace --all-features --bin ohsync
binary="${CARGO_TARGET_DIR:-$root/target}/debug/ohsync"

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

token="oh-acme-$("$venv/bin/python" -c 'import secrets; print(secrets.token_hex(16))')"
hash=$(printf %s "$token" | sha256sum | cut -d' ' -f1)
port=$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
cat > "$work/ohsync.toml" <<TOML
data_dir = "$work/data"
listen = "127.0.0.1:$port"
interval_seconds = 86400
officeheart_url = "http://127.0.0.1:9/"
caller_tokens = [ { tenant = "acme", sha256 = "$hash" } ]
TOML
OHSYNC_OFFICEHEART_TOKEN=not-used "$binary" serve --config "$work/ohsync.toml" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  if "$venv/bin/python" -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; then
    break
  fi
  sleep 0.1
done

# Settings for acme/jan, so that the routes that read them answer more than 404.
"$venv/bin/python" - "$port" "$token" <<'PY'
import json, sys, urllib.request
port, token = sys.argv[1], sys.argv[2]
body = {"ews_url": "https://mail.officeheart.nl/EWS/Exchange.asmx", "exchange_version": "Exchange2016",
        "username": "jan", "domain": "officeheart", "password": "Schema-fuzz-1"}
request = urllib.request.Request(
    f"http://127.0.0.1:{port}/v1/tenants/acme/users/jan/exchange-settings",
    data=json.dumps(body).encode(), method="PUT",
    headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
with urllib.request.urlopen(request, timeout=30) as answer:
    print(f"settings for acme/jan saved: {answer.status}")
PY

# The path names the caller's own tenant (any other is refused with 403, which the API's own
# tests cover): so the generated cases reach validation, the store and the queue.
cat > "$work/schemathesis.toml" <<TOML
[parameters]
"path.tenant" = "acme"
"path.user" = "jan"
TOML

status=0
"$venv/bin/schemathesis" --config-file "$work/schemathesis.toml" run "http://127.0.0.1:$port/v1/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --max-examples "$examples" \
  --seed 1 \
  --no-color \
  --workers 1 || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- ohsync serve's log ---" >&2
  tail -n 50 "$work/serve.log" >&2
fi
exit "$status"
