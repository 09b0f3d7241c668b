#!/usr/bin/env bash
# Runs a libFuzzer harness (json, keys or notes) for S seconds with AddressSanitizer, seeded from
# the test vectors. Usage: Tools/fuzz.sh HARNESS [SECONDS=60]. Findings land in .build-fuzz/findings/.
set -euo pipefail
cd "$(dirname "$0")/.."
harness=$1
seconds=${2:-60}
export SWIFT_BACKTRACE=enable=no
swift build --scratch-path .build-fuzz -c debug --sanitize fuzzer --sanitize address -Xswiftc -DFUZZING \
  -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp --product "fuzz-$harness" >/dev/null
corpus=.build-fuzz/corpus/$harness
mkdir -p "$corpus" .build-fuzz/findings
case $harness in
  json) seeds=(Tests/Vectors/jcs/input Tests/Vectors/jcs/output Tests/Vectors/w3c-data-integrity) ;;
  keys) seeds=(Tests/Vectors/key-formats) ;;
  notes) seeds=(Tests/Vectors/signed-note) ;;
  *) echo "unknown harness $harness (json, keys, notes)" >&2; exit 2 ;;
esac
for seed in "${seeds[@]}"; do find "$seed" -type f -size -64k -exec cp {} "$corpus/" \; ; done
.build-fuzz/debug/fuzz-$harness "$corpus" -max_total_time="$seconds" -max_len=65536 -artifact_prefix=.build-fuzz/findings/ -print_final_stats=1 2>&1 | tail -12
