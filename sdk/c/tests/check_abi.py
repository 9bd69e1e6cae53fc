#!/usr/bin/env python3
"""Checks that a module built from all_imports.c imports exactly the station functions of
docs/abi.md, with the same wasm types.

docs/abi.md writes signatures as `(a, b, timeout_ms: i64) -> i32`: a parameter without a type is
an i32. Usage: check_abi.py ABI_MD WASM (wasm-objdump must be on PATH). Exit 0 when they match.
"""
import re
import subprocess
import sys


def expected_from_abi(markdown):
    """Maps import name -> (params, results) from the `| name | (..) -> T |` table rows."""
    row = re.compile(r"^\|\s*`([a-z0-9_]+)`\s*\|\s*`\(([^)]*)\)\s*->\s*(i32|i64)`")
    expected = {}
    for line in markdown.splitlines():
        match = row.match(line)
        if not match:
            continue
        name, params, result = match.groups()
        types = []
        for param in filter(None, (p.strip() for p in params.split(","))):
            types.append(param.split(":", 1)[1].strip() if ":" in param else "i32")
        expected[name] = (tuple(types), (result,))
    return expected


def imported_from_wasm(path):
    """Maps station import name -> (params, results) using wasm-objdump's Type and Import sections."""
    def section(name):
        return subprocess.run(["wasm-objdump", "-x", "-j", name, path],
                              check=True, capture_output=True, text=True).stdout
    dump = section("Type") + section("Import")  # wasm-objdump honours only one -j per run
    types = {}
    for match in re.finditer(r"type\[(\d+)\] \(([^)]*)\) -> (\S+)", dump):
        index, params, results = match.groups()
        param_list = tuple(p.strip() for p in params.split(",") if p.strip())
        result_list = () if results == "nil" else tuple(r.strip() for r in results.strip("()").split(","))
        types[int(index)] = (param_list, result_list)
    imported = {}
    for match in re.finditer(r"sig=(\d+) <[^>]*> <- station\.([a-z0-9_]+)", dump):
        imported[match.group(2)] = types[int(match.group(1))]
    return imported


def main():
    abi_path, wasm_path = sys.argv[1], sys.argv[2]
    with open(abi_path, encoding="utf-8") as handle:
        expected = expected_from_abi(handle.read())
    imported = imported_from_wasm(wasm_path)
    problems = []
    if not expected:
        problems.append(f"no signatures found in {abi_path}")
    for name in sorted(expected.keys() - imported.keys()):
        problems.append(f"station.h does not declare (or all_imports.c does not call) {name}")
    for name in sorted(imported.keys() - expected.keys()):
        problems.append(f"station.h imports {name}, which docs/abi.md does not define")
    for name in sorted(expected.keys() & imported.keys()):
        if expected[name] != imported[name]:
            problems.append(f"{name}: docs/abi.md says {expected[name]}, station.h gives {imported[name]}")
    for problem in problems:
        print(f"check_abi: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"check_abi: {len(expected)} imports match docs/abi.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
