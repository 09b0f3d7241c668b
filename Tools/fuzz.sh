#!/usr/bin/env bash
# Runs a libFuzzer harness (json, keys, notes, bundles or epcis) for S seconds with AddressSanitizer, seeded from
# the test vectors. Usage: Tools/fuzz.sh HARNESS [SECONDS=60]. Findings land in .build-fuzz/findings/.
set -euo pipefail
cd "$(dirname "$0")/.."
harness=$1
seconds=${2:-60}
export SWIFT_BACKTRACE=enable=no
swift build --scratch-path .build-fuzz -c debug --sanitize fuzzer --sanitize address -Xswiftc -DFUZZING \
  -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp --product "fuzz-$harness" >/dev/null
corpus=.build-fuzz/corpus/$harness
max_kib=64
case $harness in
  json) seeds=(Tests/Vectors/jcs/input Tests/Vectors/jcs/output Tests/Vectors/w3c-data-integrity) ;;
  keys) seeds=(Tests/Vectors/key-formats) ;;
  notes) seeds=(Tests/Vectors/signed-note) ;;
  epcis)
    # The event-hash vectors, GS1's examples and the openepcis invalid documents when ../shared has them.
    max_kib=256
    seeds=(Tests/Vectors/epcis-event-hash)
    [ -d ../shared/corpora/epcis/examples ] && seeds+=(../shared/corpora/epcis/examples) ;;
  bundles)
    # A real bundle from the demo, and its log key, so mutations get past the checkpoint's signature.
    swift build --product loam >/dev/null
    demo=$(mktemp -d) && rmdir "$demo"
    .build/debug/loam demo --dir "$demo" >/dev/null 2>&1
    rm -rf .build-fuzz/seeds/bundles && mkdir -p .build-fuzz/seeds/bundles
    .build/debug/loam prove --ledger "$demo/ledger" https://id.gs1.org/01/09506000134352/21/TV26A001042 \
      -o .build-fuzz/seeds/bundles/demo-bottle.json
    .build/debug/loam proof consistency --ledger "$demo/ledger" 10 100 > .build-fuzz/seeds/bundles/consistency.json
    origin=$(head -1 "$demo/ledger/checkpoint")
    export LOAM_FUZZ_VKEY=$(.build/debug/loam key show "$demo/keys/log.pem" --name "$origin" --json \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["vkey"])')
    rm -rf "$demo" "$corpus" # the log key is new each run: an old corpus no longer gets past it
    max_kib=1024
    seeds=(.build-fuzz/seeds/bundles) ;;
  *) echo "unknown harness $harness (json, keys, notes, bundles, epcis)" >&2; exit 2 ;;
esac
mkdir -p "$corpus" .build-fuzz/findings
for seed in "${seeds[@]}"; do find "$seed" -type f -size -"$max_kib"k -exec cp {} "$corpus/" \; ; done
.build-fuzz/debug/fuzz-$harness "$corpus" -max_total_time="$seconds" -max_len=$((max_kib * 1024)) -artifact_prefix=.build-fuzz/findings/ -print_final_stats=1 2>&1 | tail -12
