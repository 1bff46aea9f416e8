#!/usr/bin/env bash
# Runs the fuzz targets under libFuzzer (cargo-fuzz) for a fixed time each:
#   infra/local/fuzz.sh [SECONDS] [TARGET...]     # default: 300 s, every target
# Targets: ews_response, officeheart_feed, settings_body (bodies in tests/fuzz/src). Installs
# cargo-fuzz when missing. The machine's toolchain is stable: RUSTC_BOOTSTRAP=1 lets it take
# the sanitizer flag cargo-fuzz passes (AddressSanitizer). Each run starts from
# fuzz/corpus/TARGET (kept between runs, not in git) plus the checked-in seeds
# tests/fuzz/seeds/TARGET and, for ews_response, the EWS samples. A crash is written to
# fuzz/artifacts/TARGET/; copy it to tests/fuzz/seeds/TARGET/regression-NAME so that the test
# command replays it from then on. Memory per run is capped at 512 MB, one input at 10 s.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=${1:-300}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(ews_response officeheart_feed settings_body)
samples="${EWS_SAMPLES_DIR:-$root/../shared/ews-samples}"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "==> installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

cd "$root/fuzz"
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  inputs=("corpus/$target" "$root/tests/fuzz/seeds/$target")
  if [ "$target" = ews_response ] && [ -d "$samples" ]; then
    inputs+=("$samples")
  fi
  echo "==> $target for $seconds s"
  RUSTC_BOOTSTRAP=1 cargo fuzz run -O "$target" "${inputs[@]}" -- \
    -max_total_time="$seconds" -rss_limit_mb=512 -max_len=262144 -timeout=10 -print_final_stats=1
done
