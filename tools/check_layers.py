#!/usr/bin/env python3
"""Checks that every target imports only what Package.swift declares as its *direct*
dependencies, and that Pipeline does not import GRDB.

SwiftPM's `--explicit-target-dependency-import-check` (run by tools/test too) accepts a module
that arrives through a dependency's dependencies; this check is stricter, so the declared graph
is the real one and no target can reach a higher layer unnoticed. Reads the package through
`swift package dump-package`; system modules (Foundation, Glibc, …) are not the package's and
are not checked. Exit status 1 with one line per violation.
"""
import json
import os
import re
import subprocess
import sys

IMPORT = re.compile(r"^\s*(?:@testable\s+|@_implementationOnly\s+|public\s+|internal\s+|package\s+)?import\s+(?:\w+\s+)?(\w+)", re.M)


def main():
    package = json.loads(subprocess.check_output(["swift", "package", "dump-package"], text=True))
    targets = {t["name"]: t for t in package["targets"]}
    # Modules a third-party product provides, by product name (they share the name here, except these).
    product_modules = {"GRDB": {"GRDB", "GRDBSQLite"}, "Subprocess": {"Subprocess"}, "ArgumentParser": {"ArgumentParser"},
                       "Logging": {"Logging"}, "SwiftCSV": {"SwiftCSV"}}
    third_party = set().union(*product_modules.values())
    problems = []
    for name, target in sorted(targets.items()):
        if target["type"] == "system":
            continue
        declared = set()
        for dep in target.get("dependencies", []):
            for kind in ("byName", "target", "product"):
                if kind in dep:
                    dep_name = dep[kind][0]
                    declared |= product_modules.get(dep_name, {dep_name})
        path = target.get("path") or os.path.join("Tests" if target["type"] == "test" else "Sources", name)
        for root, _, files in os.walk(path):
            for file in files:
                if not file.endswith(".swift"):
                    continue
                text = open(os.path.join(root, file), encoding="utf-8").read()
                for module in IMPORT.findall(text):
                    if module == name:
                        continue
                    if (module in targets or module in third_party) and module not in declared:
                        problems.append(f"{os.path.join(root, file)}: imports {module}, not a declared dependency of {name}")
    for root, _, files in os.walk("Sources/Pipeline"):
        for file in files:
            if file.endswith(".swift") and re.search(r"^import GRDB", open(os.path.join(root, file)).read(), re.M):
                problems.append(f"{os.path.join(root, file)}: Pipeline imports GRDB (catalog access goes through Store)")
    for line in problems:
        print(line)
    if problems:
        sys.exit(1)
    print(f"check_layers: {len(targets)} targets import only their declared dependencies")


if __name__ == "__main__":
    main()
