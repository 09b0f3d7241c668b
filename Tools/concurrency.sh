#!/usr/bin/env bash
# Concurrent writers and readers on one ledger (issue: reliability). WRITERS processes each append
# APPENDS observations, one `loam append` per entry, while `loam verify` and `loam trace` run in a
# loop; then checks that exactly WRITERS × APPENDS entries were added, none twice, the chain
# verifies, and no reader ever failed. Usage: Tools/concurrency.sh [WRITERS=4] [APPENDS=500]
set -euo pipefail
cd "$(dirname "$0")/.."
writers=${1:-4}
appends=${2:-500}
work=${LOAM_CONCURRENCY_DIR:-/tmp/loam-concurrency}
swift build -c release --product loam >/dev/null
loam=$PWD/.build/release/loam
rm -rf "$work" && mkdir -p "$work/keys" && cd "$work"
export LOAM_LEDGER=$work/ledger LOAM_LOG_KEY=$work/keys/log.pem LOAM_LOCK_TIMEOUT=600
"$loam" init --origin example.org/loam/concurrency --admin coop --admin-key keys/coop.pem --log-key keys/log.pem >/dev/null 2>&1
"$loam" key new --out keys/grower.pem >/dev/null 2>&1
"$loam" enroll --key keys/coop.pem --id grower:a --name A --role grower --participant-key keys/grower.pem >/dev/null
"$loam" append field --key keys/grower.pem --id field:a --name A --hectares 1 >/dev/null
"$loam" append harvest --key keys/grower.pem --field field:a --lot LOT-A --product grapes --quantity 1 --uom TNE >/dev/null
before=$(wc -l < ledger/entries.jsonl)

start=$(date +%s%N)
pids=()
for w in $(seq 1 "$writers"); do
  (
    for a in $(seq 1 "$appends"); do
      "$loam" append observe --key keys/grower.pem --lot LOT-A --observation "{\"writer\":$w,\"n\":$a}" \
        --ref "w$w-$a" >/dev/null 2>>"writer-$w.err" || { echo "writer $w append $a failed" >&2; exit 1; }
    done
  ) &
  pids+=($!)
done
reader() { # reader NAME COMMAND…: runs COMMAND until the writers finish; counts runs, fails on the first error
  local name=$1 runs=0
  shift
  while [ ! -e writers-done ]; do
    "$@" >/dev/null 2>>"$name.err" || { echo "reader $name failed: $(tail -1 "$name.err")" >&2; return 1; }
    runs=$((runs + 1))
  done
  echo "$runs" > "$name.runs"
}
reader verify "$loam" verify --strict & verify_pid=$!
reader trace "$loam" trace LOT-A --json & trace_pid=$!
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
end=$(date +%s%N)
touch writers-done
wait "$verify_pid" || failed=1
wait "$trace_pid" || failed=1

after=$(wc -l < ledger/entries.jsonl)
added=$((after - before))
expected=$((writers * appends))
"$loam" verify --strict >/dev/null || failed=1
echo "writers $writers × appends $appends: added $added (expected $expected) in $(python3 -c "print(round(($end-$start)/1e9,1))") s"
echo "reader runs during appends: verify $(cat verify.runs 2>/dev/null || echo ?), trace $(cat trace.runs 2>/dev/null || echo ?); failures: $failed"
[ "$added" -eq "$expected" ] && [ "$failed" -eq 0 ] && echo "ok: chain verifies, none lost" || { echo "FAILED"; exit 1; }
