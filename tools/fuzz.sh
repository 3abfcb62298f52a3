#!/usr/bin/env bash
# tools/fuzz.sh [SECONDS] [TARGET...]: builds the libFuzzer targets of tests/fuzz with clang,
# ASan and UBSan (build-fuzz/), then runs each for SECONDS (default 60), all at once,
# starting from tests/fuzz/corpus/<target>. New interesting inputs go to
# .local/fuzz/<target>/ (not the repository); a crash leaves its input in
# .local/fuzz/artifacts/ and makes the script exit 1: copy it into tests/fuzz/corpus/<target>/
# so that it stays a regression test (the normal build replays every corpus file).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${1:-60}
if [[ ! $seconds =~ ^[0-9]+$ || $seconds -eq 0 ]]; then
  echo "usage: tools/fuzz.sh [SECONDS > 0] [TARGET...]" >&2
  exit 2
fi
shift || true
targets=("$@")
((${#targets[@]})) || targets=(fuzz_bodies fuzz_http fuzz_text fuzz_grpc)

"$root/tools/install-deps.sh" "$root/tools/apt-fuzz.txt"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFLASHSALE_FUZZ=ON -DFLASHSALE_SANITIZE=address,undefined -DFLASHSALE_WARNINGS_AS_ERRORS=ON >/dev/null
cmake --build build-fuzz -j "$(nproc)"

work="$root/.local/fuzz"
mkdir -p "$work/artifacts"
run() {
  local target=$1
  mkdir -p "$work/$target"
  if UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 "build-fuzz/tests/fuzz/$target" \
    -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$work/artifacts/$target-" \
    "$work/$target" "tests/fuzz/corpus/$target" >"$work/$target.log" 2>&1; then
    echo "fuzz: $target: $(grep -E '^stat::number_of_executed_units' "$work/$target.log" |
      awk '{print $2}') runs in ${seconds}s, no finding"
  else
    echo "fuzz: $target: FINDING (log: $work/$target.log)"
    grep -E 'ERROR|SUMMARY|Test unit written' "$work/$target.log" | head -5
    return 1
  fi
}

status=0
pids=()
stop_fuzzers() {  # on interruption: the fuzzers are children of the run subshells
  for pid in "${pids[@]}"; do pkill -P "$pid" 2>/dev/null || true; kill "$pid" 2>/dev/null || true; done
}
trap 'stop_fuzzers; exit 130' INT TERM
# All at once: each run is bounded by SECONDS of wall time (on 2 cores they share them).
for target in "${targets[@]}"; do
  run "$target" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
