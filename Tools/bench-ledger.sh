#!/usr/bin/env bash
# Ledger benchmarks (issue: the ledger). Release build; prints each figure beside `openssl speed`
# run in the same minute, and the ratio. Usage: Tools/bench-ledger.sh [ENTRIES=100000] [BIG=1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
entries=${1:-100000}
big=${2:-1000000}
work=${LOAM_BENCH_DIR:-/tmp/loam-bench}
swift build -c release >/dev/null
bin=.build/release
rm -rf "$work" && mkdir -p "$work"

speed() { # speed ALG MARKER → two-core verify/s
  openssl speed -seconds 3 -multi 2 "$1" 2>/dev/null | grep "bits" | grep "$2" | tail -1 | awk '{print $NF}'
}
seconds() { python3 -c "import sys; print(float(sys.argv[1])/1e9)" "$1"; }

echo "== verify ($entries entries) =="
for alg in ed25519 p256; do
  $bin/loam-gen --out "$work/$alg" --keys "$work/$alg-keys" --entries "$entries" --alg "$alg" \
    --envelopes "$work/$alg-envelopes.jsonl" --count "$entries" 2>/dev/null
  marker=$([ "$alg" = ed25519 ] && echo Ed25519 || echo nistp256)
  limit=$(speed "$([ "$alg" = ed25519 ] && echo ed25519 || echo ecdsap256)" "$marker")
  start=$(date +%s%N); $bin/loam verify --ledger "$work/$alg" >/dev/null; end=$(date +%s%N)
  rate=$(python3 -c "print(round($entries/(($end-$start)/1e9)))")
  echo "$alg: loam verify $rate entries/s; openssl speed -multi 2 verify $limit/s; ratio $(python3 -c "print(round($rate/$limit,2))")x"
done

echo "== submit $entries pre-signed envelopes as one batch (ed25519) =="
cp -r "$work/ed25519" "$work/submit"
$bin/loam append sell --ledger "$work/submit" --key "$work/ed25519-keys/grower-0.pem" --log-key "$work/ed25519-keys/log.pem" \
  --lot GRAPES-2023-1 --quantity 1 --uom KGM >/dev/null 2>&1 || true  # builds state.sqlite
limit=$(speed ed25519 Ed25519)
start=$(date +%s%N); $bin/loam submit --ledger "$work/submit" --log-key "$work/ed25519-keys/log.pem" - < "$work/ed25519-envelopes.jsonl" >/dev/null; end=$(date +%s%N)
rate=$(python3 -c "print(round($entries/(($end-$start)/1e9)))")
echo "loam submit $rate envelopes/s; openssl two-core verify $limit/s; ratio $(python3 -c "print(round($rate/$limit,2))")x"

echo "== one append, median of 21 (wall, including process start) =="
$bin/loam-gen --out "$work/small" --keys "$work/small-keys" --entries 100 2>/dev/null
for ledger in small ed25519; do
  keys="$work/$ledger-keys"
  [ "$ledger" = small ] || keys="$work/ed25519-keys"
  $bin/loam append practice --ledger "$work/$ledger" --key "$keys/grower-0.pem" --log-key "$keys/log.pem" --field field:0-0 \
    --practice compost --start 2024-01-01T00:00:00Z --end 2024-02-01T00:00:00Z >/dev/null  # warm: builds state.sqlite
  times=()
  for i in $(seq 21); do
    start=$(date +%s%N)
    $bin/loam append practice --ledger "$work/$ledger" --key "$keys/grower-0.pem" --log-key "$keys/log.pem" --field field:0-0 \
      --practice compost --start 2024-01-01T00:00:00Z --end 2024-02-01T00:00:00Z >/dev/null
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  median=$(printf "%s\n" "${times[@]}" | sort -n | sed -n 11p)
  echo "$ledger ledger ($(wc -l < "$work/$ledger/entries.jsonl") entries): median append $((median / 1000)).$(( (median % 1000) / 100 )) ms"
done

if [ "$big" -gt 0 ]; then
  echo "== $big entries: verify memory, reindex, trace and claim =="
  $bin/loam-gen --out "$work/big" --keys "$work/big-keys" --entries "$big" 2>/dev/null
  /usr/bin/time -f "verify: %e s wall, %M KB peak resident" $bin/loam verify --ledger "$work/big" | tail -1
  start=$(date +%s%N); $bin/loam reindex --ledger "$work/big"; end=$(date +%s%N)
  echo "reindex: $(python3 -c "print(round($big/(($end-$start)/1e9)))") entries/s"
  echo "log $(stat -c %s "$work/big/entries.jsonl") bytes, derived state and index $(stat -c %s "$work/big/state.sqlite") bytes"
  bottle=$($bin/loam log --ledger "$work/big" --from $((big * 9 / 10)) --kind sell --json | tail -1 |
    python3 -c "import json,sys; print(json.load(sys.stdin)['statement']['items'][0])")
  for command in trace claim; do
    extra=(); [ $command = claim ] && extra=(--policy Ledger/policies/roc-like.json)
    for i in $(seq 11); do
      start=$(date +%s%N); $bin/loam $command "$bottle" --ledger "$work/big" "${extra[@]}" >/dev/null; end=$(date +%s%N)
      echo $(( (end - start) / 1000000 ))
    done > "$work/$command.ms"
    echo "$command of $bottle: median $(sort -n "$work/$command.ms" | sed -n 6p) ms"
  done
fi
