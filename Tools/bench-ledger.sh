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
# These machines are shared: `openssl speed` alone moves by a third from one minute to the next, so
# it runs just before and just after each measurement and the ratio is to the mean of the two.
report() { # report WHAT RATE BEFORE AFTER
  python3 -c "import sys; w,r,a,b=sys.argv[1],float(sys.argv[2]),float(sys.argv[3]),float(sys.argv[4]); m=(a+b)/2; print(f'{w} {r:.0f}/s; openssl speed -multi 2 verify {a:.0f}/s before, {b:.0f}/s after; ratio {r/m:.2f}x (range {r/max(a,b):.2f}-{r/min(a,b):.2f})')" "$@"
}

echo "== verify ($entries entries) =="
for alg in ed25519 p256; do
  $bin/loam-gen --out "$work/$alg" --keys "$work/$alg-keys" --entries "$entries" --alg "$alg" \
    --envelopes "$work/$alg-envelopes.jsonl" --count "$entries" 2>/dev/null
  marker=$([ "$alg" = ed25519 ] && echo Ed25519 || echo nistp256)
  name=$([ "$alg" = ed25519 ] && echo ed25519 || echo ecdsap256)
  before=$(speed "$name" "$marker")
  start=$(date +%s%N); $bin/loam verify --ledger "$work/$alg" >/dev/null; end=$(date +%s%N)
  after=$(speed "$name" "$marker")
  report "$alg: loam verify" "$(python3 -c "print($entries/(($end-$start)/1e9))")" "$before" "$after"
done

echo "== submit $entries pre-signed envelopes as one batch (ed25519) =="
cp -r "$work/ed25519" "$work/submit"
$bin/loam append sell --ledger "$work/submit" --key "$work/ed25519-keys/grower-0.pem" --log-key "$work/ed25519-keys/log.pem" \
  --lot GRAPES-2023-1 --quantity 1 --uom KGM >/dev/null 2>&1 || true  # builds state.sqlite
before=$(speed ed25519 Ed25519)
start=$(date +%s%N); $bin/loam submit --ledger "$work/submit" --log-key "$work/ed25519-keys/log.pem" - < "$work/ed25519-envelopes.jsonl" >/dev/null; end=$(date +%s%N)
after=$(speed ed25519 Ed25519)
report "loam submit" "$(python3 -c "print($entries/(($end-$start)/1e9))")" "$before" "$after"

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
  # Bottles sold late in the log; the smallest trace of at least 50 entries among them, and the largest.
  Tools/late-bottles.sh "$bin/loam" "$work/big" $((big * 9 / 10)) > "$work/candidates"
  while read -r bottle; do
    echo "$($bin/loam trace "$bottle" --ledger "$work/big" --json | grep -o '"seq":[0-9]*' | sort -u | wc -l) $bottle"
  done < "$work/candidates" | sort -n > "$work/sizes"
  for bottle in $(awk '$1 >= 50 {print $2; exit}' "$work/sizes") $(tail -1 "$work/sizes" | cut -d' ' -f2); do
    for command in trace claim; do
      extra=(); [ $command = claim ] && extra=(--policy Ledger/policies/roc-like.json)
      for i in $(seq 11); do
        start=$(date +%s%N); $bin/loam $command "$bottle" --ledger "$work/big" "${extra[@]}" >/dev/null; end=$(date +%s%N)
        echo $(( (end - start) / 1000000 ))
      done > "$work/$command.ms"
      echo "$command of $bottle ($(grep -F " $bottle" "$work/sizes" | cut -d' ' -f1) entries in its trace): median $(sort -n "$work/$command.ms" | sed -n 6p) ms wall"
    done
  done
fi
