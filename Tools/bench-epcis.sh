#!/usr/bin/env bash
# EPCIS benchmarks (issue: GS1 EPCIS 2.0 interoperability). Release build. Generates a ledger, exports
# its supply-chain events (each with its GS1 event hash ID), then imports them into another ledger that
# holds the same participants and fields, and prints events/s for both, beside `openssl speed` (the
# import signs every statement; the ledger takes its own signatures as made, `verify` checks them).
# Usage: Tools/bench-epcis.sh [ENTRIES=130000]
set -euo pipefail
cd "$(dirname "$0")/.."
entries=${1:-130000}
work=${LOAM_BENCH_DIR:-/tmp/loam-bench-epcis}
swift build -c release >/dev/null
bin=$PWD/.build/release
rm -rf "$work" && mkdir -p "$work"

$bin/loam-gen --out "$work/source" --keys "$work/keys" --entries "$entries" --all-keys 2>/dev/null

start=$(date +%s%N)
$bin/loam export epcis --ledger "$work/source" -o "$work/events.json" 2>/dev/null
end=$(date +%s%N)
events=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['epcisBody']['eventList']))" "$work/events.json")
echo "export: $events events in $(python3 -c "print(round(($end-$start)/1e9,2))") s = $(python3 -c "print(round($events/(($end-$start)/1e9)))") events/s ($(du -m "$work/events.json" | cut -f1) MB)"

# The other ledger: the genesis line verbatim, then every statement EPCIS has no event for.
mkdir -p "$work/target"
python3 - "$work" <<'EOF'
import base64, json, sys
work = sys.argv[1]
lines = open(f"{work}/source/entries.jsonl").read().splitlines()
exported = {"harvest", "transform", "ship", "receive", "sell", "measurement", "observe", "correct"}
open(f"{work}/target/entries.jsonl", "w").write(lines[0] + "\n")
with open(f"{work}/setup.jsonl", "w") as out:
    for line in lines[1:]:
        envelope = json.loads(line)["envelope"]
        if json.loads(base64.b64decode(envelope["payload"]))["kind"] not in exported:
            out.write(json.dumps(envelope, separators=(",", ":")) + "\n")
# Documents of at most 8 MiB: 10,000 events each.
document = json.load(open(f"{work}/events.json"))
events = document["epcisBody"]["eventList"]
for part in range(0, len(events), 10000):
    document["epcisBody"]["eventList"] = events[part:part + 10000]
    json.dump(document, open(f"{work}/part-{part // 10000:03d}.json", "w"), separators=(",", ":"))
EOF
$bin/loam submit --ledger "$work/target" --log-key "$work/keys/log.pem" - < "$work/setup.jsonl" >/dev/null
keys=()
for key in "$work"/keys/*.pem; do [ "$(basename "$key")" = log.pem ] || keys+=(--key "$key"); done

limit_verify=$(openssl speed -seconds 3 -multi 2 ed25519 2>/dev/null | grep bits | grep Ed25519 | tail -1 | awk '{print $NF}')
limit_sign=$(openssl speed -seconds 3 -multi 2 ed25519 2>/dev/null | grep bits | grep Ed25519 | tail -1 | awk '{print $(NF-1)}')
start=$(date +%s%N)
$bin/loam import epcis --ledger "$work/target" --log-key "$work/keys/log.pem" "${keys[@]}" "$work"/part-*.json
end=$(date +%s%N)
rate=$(python3 -c "print(round($events/(($end-$start)/1e9)))")
echo "import: $events events in $(python3 -c "print(round(($end-$start)/1e9,2))") s = $rate events/s (each statement signed; openssl speed -multi 2 ed25519: sign $limit_sign/s, verify $limit_verify/s; ratio to signing $(python3 -c "print(round($rate/$limit_sign,2))")x)"
$bin/loam verify --ledger "$work/target" | head -1
