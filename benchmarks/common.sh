# What every benchmark script in this folder shares; sourced, never run. Each script is
# `benchmarks/bench-NAME`; results and the commands that made them go to BENCHMARKS.md.
#
# - The station under test: `$STATION` if set, else `.build/release/station` (what
#   `swift build -c release --product station` makes, as the README says), built when missing.
#   A debug binary is allowed but every header says "DEBUG build" next to it.
# - Scratch folders: a benchmark that builds something of its own (a release test harness, the
#   native HTTP client, native QuickJS) builds it into `$BENCH_SCRATCH/NAME`; `BENCH_SCRATCH`
#   defaults to `.build-bench` in the checkout (ignored by git as `.build-*/`).
# - Failures are failures: a build or run that fails stops the script with the end of its log,
#   never a partial table.

bench_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$bench_root"
bench_scratch_root="${BENCH_SCRATCH:-$bench_root/.build-bench}"
case "$bench_scratch_root" in /*) ;; *) bench_scratch_root="$bench_root/$bench_scratch_root" ;; esac

# bench_scratch NAME: the scratch folder of one benchmark's own builds.
bench_scratch() { echo "$bench_scratch_root/$1"; }

# bench_run_logged LOG COMMAND...: runs COMMAND with its output in LOG; on failure prints the
# log's last lines and exits with COMMAND's status.
bench_run_logged() {
  local log="$1"; shift
  local status=0
  "$@" >"$log" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    echo "$(basename "$0"): failed (exit $status): $*" >&2
    tail -30 "$log" >&2
    exit "$status"
  fi
}

# bench_engines HELLO_WASM: sets `engines` to the engines the station under test runs here
# (Wasmtime needs libwasmtime), saying on stderr which it skips.
bench_engines() {
  engines=()
  local engine
  for engine in wasmtime wasmkit; do
    if "$station" run --engine "$engine" --no-stdin "$1" >/dev/null 2>&1 </dev/null; then
      engines+=("$engine")
    else
      echo "$(basename "$0"): engine $engine is not available here; skipping it" >&2
    fi
  done
}

# bench_listening_port LOG: the port of the server whose output goes to LOG, from its first line
# "listening on http://127.0.0.1:PORT/" (every benchmark server prints one), waiting up to 10 s;
# fails with the log otherwise (call as port="$(bench_listening_port LOG)").
bench_listening_port() {
  local port="" _
  for _ in $(seq 1 100); do
    port="$(sed -n 's|^listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$1")"
    if [ -n "$port" ]; then echo "$port"; return 0; fi
    sleep 0.1
  done
  echo "$(basename "$0"): the server did not start:" >&2
  cat "$1" >&2
  exit 1
}

# bench_station: sets `station` to the absolute path of the binary under test (see above).
bench_station() {
  station="${STATION:-$bench_root/.build/release/station}"
  if [ ! -x "$station" ] && [ -z "${STATION:-}" ]; then
    echo "$(basename "$0"): building station (release; the first build takes a while)..." >&2
    local log
    log="$(mktemp)"
    bench_run_logged "$log" swift build -c release --product station
    rm -f "$log"
  fi
  [ -x "$station" ] || { echo "$(basename "$0"): no station binary at $station (set STATION=...)" >&2; exit 1; }
  station="$(cd "$(dirname "$station")" && pwd)/$(basename "$station")"
}

# bench_station_kind: "release" or "DEBUG build", for headers.
bench_station_kind() {
  case "$station" in */debug/*) echo "DEBUG build" ;; *) echo "release" ;; esac
}

# bench_header NAME: one line saying when, where and with what the figures were made.
bench_header() {
  echo "# $1: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  if [ -n "${station:-}" ]; then echo "# station: $station ($(bench_station_kind))"; fi
}

# bench_http_bin: sets `bench` to benchmarks/http's release `http-bench` (native AsyncHTTPClient
# loop and NIO server): `$BENCH_HTTP_BIN` if set, else built into $(bench_scratch http).
bench_http_bin() {
  bench="${BENCH_HTTP_BIN:-}"
  if [ -n "$bench" ]; then return; fi
  # The main package's Package.resolved pins the same versions, so resolution works from the local
  # SwiftPM cache.
  [ -f benchmarks/http/Package.resolved ] || [ ! -f Package.resolved ] || cp Package.resolved benchmarks/http/Package.resolved
  echo "$(basename "$0"): building benchmarks/http (release)..." >&2
  local log
  log="$(mktemp)"
  bench_run_logged "$log" swift build -c release --package-path benchmarks/http --scratch-path "$(bench_scratch http)"
  rm -f "$log"
  bench="$(bench_scratch http)/release/http-bench"
}

# bench_swift_test NAME TARGETS FILTER [swift test options...]: runs the opt-in benchmark suite
# FILTER of the test targets TARGETS (STATION_TARGETS), release build in $(bench_scratch NAME),
# and prints only its BENCH lines; a failed build or test fails the script.
bench_swift_test() {
  local name="$1" targets="$2" filter="$3"; shift 3
  local log
  log="$(mktemp)"
  bench_run_logged "$log" env STATION_TARGETS="$targets" swift test -c release -Xswiftc -enable-testing \
    --scratch-path "$(bench_scratch "$name")" --filter "$filter" "$@"
  grep -E "BENCH" "$log" || { echo "$(basename "$0"): the run printed no BENCH line (is the suite enabled?)" >&2; exit 1; }
  rm -f "$log"
}
