#!/usr/bin/env bash
# Formats the Swift sources in place (default) or checks them (--check), with the toolchain's swift-format.
set -euo pipefail
cd "$(dirname "$0")/.."
paths=(Package.swift Sources Tests Tools)
if [[ "${1:-}" == "--check" ]]; then
  exec swift format lint --strict --recursive --parallel "${paths[@]}"
fi
exec swift format format --in-place --recursive --parallel "${paths[@]}"
