#!/usr/bin/env bash
# Proof benchmarks (issue: Merkle proofs, witnesses, incremental verification and bundles). Release
# build, on a generated ledger: an inclusion proof, `loam prove`, `loam verify-bundle` (each the median
# of 11 runs, wall time including process start) and `loam verify --since` after 1,000 new entries, as an
# auditor's mirror runs it (its derived state at the checkpoint it verified, the log synced since).
# Usage: Tools/bench-proofs.sh [ENTRIES=1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
entries=${1:-1000000}
work=${LOAM_BENCH_DIR:-/tmp/loam-bench-proofs}
swift build -c release >/dev/null
bin=$PWD/.build/release
rm -rf "$work" && mkdir -p "$work"

$bin/loam-gen --out "$work/ledger" --keys "$work/keys" --entries "$entries" \
  --envelopes "$work/new.jsonl" --count 1000 2>/dev/null
$bin/loam reindex --ledger "$work/ledger" >/dev/null  # the derived state and stored tree nodes
median() { sort -n | sed -n 6p; }
timed() { # timed COMMAND… → milliseconds
  local start end
  start=$(date +%s%N); "$@" >/dev/null; end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}

for i in $(seq 11); do timed $bin/loam proof inclusion --ledger "$work/ledger" $((entries / 2)); done | median |
  xargs -I{} echo "loam proof inclusion of entry $((entries / 2)) at $entries entries: median {} ms wall (with process start)"
$bin/loam-bench-proof "$work/ledger" 1000  # the same, inside one process

# A must lot's bundle (about 70 entries), then bottles sold late in the log: the smallest trace of at least 50
# entries among them and the largest.
must=$(set +o pipefail; $bin/loam log --ledger "$work/ledger" --from $((entries * 6 / 10)) --kind transform --json |
  head -1 | python3 -c "import json,sys; print(json.load(sys.stdin)['statement']['outputs'][0]['lot'])")
Tools/late-bottles.sh "$bin/loam" "$work/ledger" $((entries * 9 / 10)) > "$work/candidates"
while read -r bottle; do
  rm -f "$work/candidate.json"
  $bin/loam prove --ledger "$work/ledger" "$bottle" -o "$work/candidate.json" 2>/dev/null
  echo "$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['entries']))" "$work/candidate.json") $bottle"
done < "$work/candidates" | sort -n > "$work/sizes"
small=$(awk '$1 >= 50 {print $2; exit}' "$work/sizes")
large=$(tail -1 "$work/sizes" | cut -d' ' -f2)
origin=$(head -1 "$work/ledger/checkpoint")
vkey=$($bin/loam key show "$work/keys/log.pem" --name "$origin" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["vkey"])')
for bottle in $must $small $large; do
  rm -f "$work/bundle.json"
  $bin/loam prove --ledger "$work/ledger" "$bottle" -o "$work/bundle.json" 2>/dev/null
  count=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['entries']))" "$work/bundle.json")
  for i in $(seq 11); do rm -f "$work/b.json"; timed $bin/loam prove --ledger "$work/ledger" "$bottle" -o "$work/b.json" 2>/dev/null; done |
    median | xargs -I{} echo "prove $bottle ($count entries, $(stat -c %s "$work/bundle.json") bytes): median {} ms"
  for i in $(seq 11); do timed $bin/loam verify-bundle "$work/bundle.json" --log-key "$vkey"; done | median |
    xargs -I{} echo "verify-bundle of those $count entries: median {} ms"
done

# The mirror: keep the derived state as it is at the saved checkpoint, let the log grow by 1,000 entries.
cp "$work/ledger/checkpoint" "$work/saved-checkpoint"
cp "$work/ledger/state.sqlite" "$work/state-at-checkpoint.sqlite"
$bin/loam submit --ledger "$work/ledger" --log-key "$work/keys/log.pem" - < "$work/new.jsonl" >/dev/null
rm -f "$work/ledger/state.sqlite-wal" "$work/ledger/state.sqlite-shm"
mv "$work/state-at-checkpoint.sqlite" "$work/ledger/state.sqlite"
start=$(date +%s%N)
$bin/loam verify --ledger "$work/ledger" --since "$work/saved-checkpoint" | grep -E "valid|since"
end=$(date +%s%N)
echo "verify --since after 1,000 new entries: $(((end - start) / 1000000)) ms"
