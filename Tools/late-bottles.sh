#!/usr/bin/env bash
# Prints up to 12 consumer items sold at or after entry FROM, spread evenly over those sales: the
# bottles the benchmarks trace and prove. Usage: Tools/late-bottles.sh LOAM LEDGER FROM
set -euo pipefail
"$1" log --ledger "$2" --from "$3" --kind sell --json |
  python3 -c "
import json, sys
items = [json.loads(line)['statement'].get('items', [None])[0] for line in sys.stdin]
items = [item for item in items if item]
print('\n'.join(items[::max(1, len(items) // 12)][:12]))"
