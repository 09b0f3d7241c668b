#!/usr/bin/env bash
# The main job for now: build Loam, then log a small vineyard-to-bottle supply chain with the real
# `loam` commands in a fresh directory, and verify it. Usage: Tools/quickstart.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product loam >/dev/null
loam="$PWD/.build/release/loam"
dir=${1:-$(mktemp -d -t loam-quickstart-XXXX)}
mkdir -p "$dir/keys" && cd "$dir"
export LOAM_LEDGER="$dir/ledger" LOAM_LOG_KEY="$dir/keys/log.pem"
say() { printf '\n\033[1m%s\033[0m\n' "$*"; }

say "A co-op opens its ledger"
$loam init --origin example.org/loam/coop-2026 --admin coop --admin-key keys/coop.pem --log-key keys/log.pem
for k in domaine-a domaine-b roc-certifier soil-lab winery winery-2026; do $loam key new --out "keys/$k.pem" >/dev/null 2>&1; done

say "Growers, a certifier, a soil lab and a winery join"
$loam enroll --key keys/coop.pem --id grower:domaine-a --name "Domaine A" --role grower --participant-key keys/domaine-a.pem
$loam enroll --key keys/coop.pem --id grower:domaine-b --name "Domaine B" --role grower --participant-key keys/domaine-b.pem
$loam enroll --key keys/coop.pem --id certifier:roc --name "ROC certifier" --role certifier --participant-key keys/roc-certifier.pem
$loam enroll --key keys/coop.pem --id lab:soil --name "Soil lab" --role lab --participant-key keys/soil-lab.pem
$loam enroll --key keys/coop.pem --id winery:cave --name "Cave coopérative" --role processor --participant-key keys/winery.pem

say "Domaine A farms regeneratively: cover crops and compost, a soil test, a certification"
$loam append field --key keys/domaine-a.pem --id field:a-north --name "North slope" --hectares 2.5
$loam append field --key keys/domaine-b.pem --id field:b-river --name "River bend" --hectares 4
$loam append practice --key keys/domaine-a.pem --field field:a-north --practice cover-crop --start 2025-11-01T00:00:00Z --end 2026-03-15T00:00:00Z
$loam append practice --key keys/domaine-a.pem --field field:a-north --practice compost --start 2026-02-01T00:00:00Z --end 2026-02-02T00:00:00Z
$loam append measurement --key keys/soil-lab.pem --field field:a-north --metric soil-organic-carbon --value 3.4 --unit percent --method dry-combustion --sampled 2026-05-20T00:00:00Z --depth-cm 30
$loam append certify --key keys/roc-certifier.pem --field field:a-north --standard ROC --level gold --from 2026-01-01T00:00:00Z --until 2027-01-01T00:00:00Z

say "Harvest, shipment to the winery, receipt"
$loam append harvest --key keys/domaine-a.pem --field field:a-north --lot GRAPES-A-2026 --product "grenache grapes" --quantity 1200 --uom KGM
$loam append harvest --key keys/domaine-b.pem --field field:b-river --lot GRAPES-B-2026 --product "grenache grapes" --quantity 800 --uom KGM
ship=$($loam append ship --key keys/domaine-a.pem --lot GRAPES-A-2026 --to winery:cave --quantity 1000 --uom KGM --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
$loam append receive --key keys/winery.pem --shipment "$ship" --quantity 1 --uom TNE

say "Pressing, a key rotation at the winery, a bottle sold"
$loam append transform --key keys/winery.pem --process pressing --input "GRAPES-A-2026 1000 KGM" --output "https://id.gs1.org/01/09506000134352/10/MUST-26 700 LTR must"
$loam keys rotate --key keys/winery.pem --new-key keys/winery-2026.pem --revoke-old
$loam append sell --key keys/winery-2026.pem --lot https://id.gs1.org/01/09506000134352/10/MUST-26 --quantity 0.75 --uom LTR --item https://id.gs1.org/01/09506000134352/21/0001

say "A rule that holds: the winery cannot sell more than it holds"
$loam append sell --key keys/winery-2026.pem --lot https://id.gs1.org/01/09506000134352/10/MUST-26 --quantity 5000 --uom LTR || true

say "The log, and its verification"
$loam log
$loam verify
echo
echo "ledger: $LOAM_LEDGER   keys: $dir/keys"
