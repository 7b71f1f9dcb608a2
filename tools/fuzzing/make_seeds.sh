#!/usr/bin/env bash
# Regenerates the fuzz seed corpus in Tests/Fixtures/fuzz/TARGET from Tests/FuzzTargetsTests/FuzzSeeds.swift
# (valid and slightly broken inputs for each reader). Committed crash inputs in TARGET/crashes are kept.
set -euo pipefail
cd "$(dirname "$0")/../.."
STEMTRACE_WRITE_FUZZ_SEEDS=1 swift test --filter FuzzSeedWriter
for target in Tests/Fixtures/fuzz/*/; do
    echo "$target: $(find "$target" -maxdepth 1 -type f | wc -l) seeds, $(du -sh "$target" | cut -f1)"
done
